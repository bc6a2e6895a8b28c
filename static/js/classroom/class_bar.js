// The student's class bar, under the top bar: their name, what the class does now (following the teacher,
// exploring their own copy, eyes on the teacher), the challenge and how far they are with it, and where the
// teacher sent the class. In the eyes phase a full-page lock (#class-lock) covers the playground.
// Names are text, always set with textContent.

import { el, setChildren, setText, count } from '../shared/dom.js';
import { phaseInfo, challengeText } from './words.js';
import { destinationName, destinationUrl } from './send_to.js';

export function createClassBar() {
  const host = document.getElementById('class-bar');
  const lock = document.getElementById('class-lock');
  const name = el('strong', { class: 'class-name-text', id: 'class-name' }, '');
  const phase = el('strong', { class: 'class-phase-text', id: 'class-phase' }, '');
  const phaseNote = el('span', { class: 'class-note', id: 'class-phase-note' }, '');
  const challenge = el('span', { class: 'class-challenge-text', id: 'class-challenge' }, '');
  const progress = el('span', { class: 'class-progress', id: 'class-progress' }, '');
  const sentLink = el('a', { class: 'class-sent-link', id: 'class-sent-link' }, '');
  const link = el('span', { class: 'class-connection', id: 'class-connection', role: 'status' }, '');
  const challengeBox = el('div', { class: 'class-cell class-challenge', hidden: true },
    el('span', { class: 'class-caption' }, 'Challenge'), el('span', {}, challenge, ' ', progress));
  const sentBox = el('div', { class: 'class-cell class-sent', hidden: true },
    el('span', { class: 'class-caption' }, 'The teacher sent the class to'), sentLink);
  const phaseBox = el('div', { class: 'class-cell class-phase' },
    el('span', { class: 'class-caption' }, 'Now'), el('span', {}, phase, ' ', phaseNote));
  setChildren(host,
    el('div', { class: 'class-cell class-who' }, el('span', { class: 'class-caption' }, 'You are'), name),
    phaseBox, challengeBox, sentBox, link);
  let current = null;

  function showPhase() {
    const info = phaseInfo(current ? current.phase : 'follow');
    setText(phase, info.student);
    setText(phaseNote, info.studentNote);
    phaseBox.dataset.phase = info.phase;
    document.body.dataset.phase = info.phase;
    lock.hidden = info.phase !== 'eyes';
  }

  return {
    seat(msg) {
      setText(name, msg.name);
    },
    classState(msg) {
      current = msg;
      showPhase();
      challengeBox.hidden = !msg.challenge;
      setText(challenge, challengeText(msg.challenge));
      sentBox.hidden = !msg.path;
      if (msg.path) {
        setText(sentLink, destinationName(msg.path));
        sentLink.href = destinationUrl(msg.path);
      }
    },
    progress(msg) {
      let text = 'not reached yet';
      if (msg.reached) {
        text = `✓ reached at epoch ${count(msg.epoch)}${Number.isInteger(msg.rank) ? ` · rank ${msg.rank}` : ''}`;
      }
      setText(progress, `— ${text}`);
      progress.classList.toggle('is-reached', Boolean(msg.reached));
    },
    connection(stateName) {
      setText(link, stateName === 'lost' ? 'Reconnecting to the class…' : '');
    },
  };
}
