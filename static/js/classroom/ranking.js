// The challenge's ranking on the dashboard (`dashboard.results`, first reached first): rank, name (text only),
// the epoch and time it took, the network's shape and its test metrics. The CSV of the same rows is a link in the
// template (/class/results.csv).

import { el, setChildren, fmt, count } from '../shared/dom.js';
import { shapeText } from './words.js';

/** Seconds as people read a race: "48 s", "3 min 05 s". */
function duration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds % 60);
  return `${Math.floor(seconds / 60)} min ${String(s).padStart(2, '0')} s`;
}

export function createRanking() {
  const body = document.getElementById('ranking-body');
  const empty = document.getElementById('ranking-empty');
  let challenge = null;
  let shown = '';

  function render(results) {
    const key = JSON.stringify([challenge, results]);
    if (key === shown) return;
    shown = key;
    setChildren(body, results.map((r, i) => el('tr', {},
      el('td', { class: 'rank' }, String(i + 1)),
      el('td', { class: 'rank-name' }, r.name),
      el('td', { class: 'num' }, count(r.epoch)),
      el('td', { class: 'num' }, duration(r.seconds)),
      el('td', { class: 'rank-shape' }, shapeText(r.shape, '–')),
      el('td', { class: 'num' }, fmt(r.test_loss)),
      el('td', { class: 'num' }, r.test_accuracy === null ? '–' : `${fmt(100 * r.test_accuracy, 3)} %`))));
    empty.textContent = challenge ? 'Nobody has reached it yet.' : 'Set a challenge: the students who reach it are ranked here.';
    empty.hidden = results.length > 0;
  }

  let results = [];
  return {
    results(list) {
      results = Array.isArray(list) ? list : [];
      render(results);
    },
    classState(msg) {
      challenge = msg.challenge;
      render(results);
    },
  };
}
