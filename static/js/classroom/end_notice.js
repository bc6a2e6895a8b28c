// The full-page notice of a class page that the class has left: the student was removed, or the class ended
// (the teacher's nnplayground stopped: the socket closed with 1001, or it cannot be reached). It stays until the
// class answers again; its button says what can be done.

import { el, setChildren } from '../shared/dom.js';

const TEXTS = {
  removed: ['You left the class', 'Your teacher removed you from the class. You can join again under a name.', false],
  ended: ['The class has ended', 'Your teacher\'s nnplayground stopped, so this class is over. This page comes back by itself if it starts again.'],
  unknown: ['This class is not running', 'The teacher\'s nnplayground no longer knows this class (it restarted with a new one, or the link is old).'],
  gone: ['This student left the class', 'Their network is no longer shared with the class.'],
  stopped: ['nnplayground stopped', 'The server of this class was stopped. This page reconnects when it runs again; a restarted class starts empty.'],
  key: ['This teacher link does not open the class', 'Its key is not this class\'s: nnplayground restarted with a new key, or the link is old. Use the teacher link nnplayground printed when it started.'],
};

export function createEndNotice() {
  const host = el('section', { class: 'class-end', id: 'class-end', role: 'alertdialog', 'aria-modal': 'true',
    'aria-labelledby': 'class-end-title', hidden: true });
  document.body.append(host);
  let shown = null;

  return {
    /** Show `kind` ('removed', 'ended', 'unknown'); `detail` a sentence of the server's; `action` { label, run }. */
    show(kind, detail, action) {
      shown = kind;
      // the server's sentence (a close reason) adds to ours, except where ours already says it all
      const [title, text, withDetail = true] = TEXTS[kind] || TEXTS.ended;
      setChildren(host, el('div', { class: 'class-end-card' },
        el('h2', { id: 'class-end-title' }, title),
        el('p', {}, text),
        detail && withDetail ? el('p', { class: 'class-end-detail' }, detail) : null,
        action ? el('button', { type: 'button', class: 'primary', id: 'class-end-action', onclick: action.run }, action.label) : null));
      host.hidden = false;
    },
    hide(kind) {
      if (!kind || kind === shown) {
        host.hidden = true;
        shown = null;
      }
    },
    shown: () => shown,
  };
}
