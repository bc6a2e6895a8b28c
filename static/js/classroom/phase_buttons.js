// The teacher's three phase buttons — Follow, Explore, Eyes on me — the active one pressed (aria-pressed), each
// sending a `phase` message (docs/classroom.md). Used on the dashboard and on the teacher's own network page.

import { el, setChildren } from '../shared/dom.js';
import { PHASES } from './words.js';

export function createPhaseButtons(host, send) {
  const buttons = PHASES.map((p) => el('button', {
    type: 'button', class: `phase-btn phase-${p.phase}`, id: `phase-${p.phase}`, 'aria-pressed': 'false',
    title: `${p.button}: ${p.note}`, onclick: () => send({ type: 'phase', phase: p.phase }) },
  el('span', { class: 'phase-btn-name' }, p.button), el('span', { class: 'phase-btn-note' }, p.note)));
  setChildren(host, el('span', { class: 'phase-caption' }, 'The class'), el('div', { class: 'phase-buttons' }, buttons));
  return {
    update(phase) {
      PHASES.forEach((p, i) => buttons[i].setAttribute('aria-pressed', p.phase === phase ? 'true' : 'false'));
    },
  };
}
