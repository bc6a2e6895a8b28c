// Short notices at the bottom right of a class page (a refusal from the server, a limit reached), styled like the
// playground's (static/css/app.css .notices); each goes by itself after a few seconds.

import { el } from '../shared/dom.js';

let host = null;

/** Show `message`; kind 'error' (stays 7 s) or 'info' (3.5 s). */
export function notify(message, kind = 'error') {
  if (!host) {
    host = el('div', { class: 'notices', id: 'notices', 'aria-live': 'assertive' });
    document.body.append(host);
  }
  const note = el('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    el('span', {}, message),
    el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
  host.append(note);
  while (host.children.length > 3) host.firstChild.remove();
  setTimeout(() => note.remove(), kind === 'error' ? 7000 : 3500);
}
