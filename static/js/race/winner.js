// The race's headline: who won (the first lane whose training loss reached the target, and at which epoch),
// "nobody yet" while the race runs, or that nobody made it once every lane has stopped.

import { el, setChildren, fmt, count } from '../shared/dom.js';
import { LANE_COLORS } from './names.js';

export function createRaceWinner({ state, latest, actions }) {
  const host = document.getElementById('race-winner');
  let key = '';

  return {
    update(flags) {
      if (!flags.has('frame') && !flags.has('state') && !flags.has('race')) return;
      const f = latest.frame;
      const target = fmt(state.get('target_loss'), 3);
      const winner = f && Number.isInteger(f.winner) ? f.winner : null;
      const label = winner === null ? null : actions.label(winner);
      const next = JSON.stringify([winner, label, target, f && f.over, f && f.lanes[winner ?? 0]]);
      if (next === key) return;
      key = next;
      host.classList.toggle('has-winner', winner !== null);
      host.dataset.winner = winner === null ? '' : String(winner);
      if (winner !== null) {
        const lane = f.lanes[winner];
        host.style.setProperty('--lane', LANE_COLORS[winner]);
        setChildren(host, el('span', { class: 'race-winner-caption' }, 'Winner'),
          el('strong', { id: 'race-winner-name' }, label),
          el('span', { class: 'race-winner-note' }, `reached a training loss of ${target} first, after ${count(lane.finished_at)} epochs`));
      } else if (f && f.over) {
        setChildren(host, el('span', { class: 'race-winner-caption' }, 'No winner'),
          el('strong', { id: 'race-winner-name' }, 'Nobody reached the target'),
          el('span', { class: 'race-winner-note' }, `no lane got its training loss down to ${target} within ${count(state.get('max_epochs'))} epochs: try a higher target, other learning rates or more epochs`));
      } else {
        setChildren(host, el('span', { class: 'race-winner-caption' }, 'Winner'),
          el('strong', { id: 'race-winner-name' }, 'Nobody yet'),
          el('span', { class: 'race-winner-note' }, `the first lane whose training loss reaches ${target} wins`));
      }
    },
  };
}
