// The perceptron decision maker (/perceptron): three yes/no inputs, a weight for each, a threshold; the sum of
// the terms w·x decides Go (sum ≥ threshold) or Stay home. A table of past decisions trains it with the
// perceptron rule. Every sum, decision and weight change comes from the engine via POST /api/perceptron.
//
// Facts published (static/js/shared/progress.js), after every answer:
//   perceptronSum          the weighted sum for the inputs shown     perceptronThreshold  the threshold
//   perceptronDecision     'go' | 'stay'                             perceptronFlips      decision changes so far
//   perceptronTableCorrect rows the perceptron decides as you did    perceptronTableRows  rows in the table
//   perceptronWeights      [w1, w2, w3]                              perceptronInputs     [x1, x2, x3] (0/1)
//   perceptronLearnPasses  passes over the table made by Learn so far
//
// URL: inputs=110 weights=0.5,0.3,0.2 threshold=0.7 rows=1111,1011,… (inputs then decision, 1 = go) projector=1,
// and hide= any of threshold, table (the whole learning panel), learn (its buttons), projector.

import { SPEC } from '/spec.js';
import { asker, flag, names, numberIn, pageChrome, urlSettings } from './lab.js';
import { publish } from '../shared/progress.js';
import { el, setChildren } from '../shared/dom.js';

const INPUTS = ['cheap flights', 'days off', 'good weather'];
// the server's rate and bounds (SPEC.labs.perceptron); "Learn until all are right" gives up after PASSES passes
const { learning_rate: RATE, max_weight: MAX_WEIGHT, passes: PASSES } = SPEC.labs.perceptron;
const MAX_ROWS = 12;            // the page's table (the server takes more)
const SUB = ['₁', '₂', '₃'];
const LOG_LINES = 80;           // a table that cannot be learned makes PASSES passes of changes: show the start and end
// go only in good weather, and then only with cheap flights or days off
const DEFAULT_ROWS = ['1111', '1011', '0111', '1100', '0010', '1000', '0100', '0000'];

const bits = (width) => ({
  def: null,
  parse: (text) => (new RegExp(`^[01]{${width}}$`).test(text) ? [...text].map(Number) : undefined),
  show: (v) => (v ? v.join('') : ''),
});
const settings = urlSettings({
  inputs: { ...bits(3), def: [1, 1, 0] },
  weights: {
    def: [0.5, 0.3, 0.2],
    parse: (text) => {
      const v = text.split(',').map(Number);
      return v.length === 3 && v.every((x) => Number.isFinite(x) && Math.abs(x) <= MAX_WEIGHT) ? v : undefined;
    },
    show: (v) => v.map((x) => String(round(x))).join(','),
  },
  threshold: numberIn(0.7, -MAX_WEIGHT, MAX_WEIGHT),
  rows: {
    def: DEFAULT_ROWS.map((r) => [...r].map(Number)),
    parse: (text) => {
      const rows = text === '' ? [] : text.split(',').map((r) => bits(4).parse(r));
      return rows.length <= MAX_ROWS && rows.every(Boolean) ? rows : undefined;
    },
    show: (v) => v.map((r) => r.join('')).join(','),
  },
  projector: flag,
  hide: names,
});
const s = settings.values;
const ask = asker('/api/perceptron');
const $ = (id) => document.getElementById(id);
let answer = null;
let decided = null;
let flips = 0;
let passes = 0;

/** Rounded for people and the URL: 0.30000000000000004 → 0.3. */
function round(v) {
  return Number(v.toFixed(6));
}

function show(v) {
  return String(round(v)).replace('-', '−');
}

// ------------------------------------------------------------------ asking the engine
async function refresh(learn = 'none') {
  const body = { type: 'perceptron', inputs: s.inputs, weights: s.weights, threshold: s.threshold, rows: s.rows, learn,
    learning_rate: RATE };
  try {
    const reply = await ask(body);
    if (!reply) return;
    answer = reply;
    if (learn !== 'none') {
      s.weights = reply.weights;
      s.threshold = reply.threshold;
      passes += reply.mistakes.length;
      settings.write();
      showLog(reply);
    }
    showError(null);
  } catch (error) {
    showError(error.message);
    return;
  }
  render(learn);
}

function showError(message) {
  $('pc-error').hidden = !message;
  $('pc-error').textContent = message || '';
}

// ------------------------------------------------------------------ the inputs, weights and threshold
const controls = INPUTS.map((name, i) => {
  const box = el('input', { type: 'checkbox', id: `pc-x${i}`, 'aria-label': `${name}: yes` });
  const slider = el('input', { type: 'range', id: `pc-w${i}-slider`, min: -2, max: 2, step: 0.01,
    'aria-label': `weight of ${name}` });
  const field = el('input', { type: 'number', id: `pc-w${i}`, min: -MAX_WEIGHT, max: MAX_WEIGHT, step: 0.01,
    'aria-label': `weight of ${name} (type a value)` });
  const term = el('output', { class: 'pc-term', id: `pc-term${i}`, for: `pc-x${i} pc-w${i}` });
  box.addEventListener('change', () => {
    s.inputs = s.inputs.map((x, j) => (j === i ? (box.checked ? 1 : 0) : x));
    changed();
  });
  slider.addEventListener('input', () => setWeight(i, Number(slider.value)));
  field.addEventListener('change', () => setWeight(i, field.value.trim() === '' ? NaN : Number(field.value)));
  $('pc-inputs').append(
    el('label', { class: 'pc-toggle' }, box, name),
    slider, field, term);
  return { box, slider, field, term };
});

function setWeight(i, value) {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_WEIGHT) {
    showError(`a weight must be a number between −${MAX_WEIGHT} and ${MAX_WEIGHT}`);
    showSettings();
    return;
  }
  s.weights = s.weights.map((w, j) => (j === i ? value : w));
  changed();
}

function setThreshold(value) {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_WEIGHT) {
    showError(`the threshold must be a number between −${MAX_WEIGHT} and ${MAX_WEIGHT}`);
    showSettings();
    return;
  }
  s.threshold = value;
  changed();
}

[$('pc-threshold').min, $('pc-threshold').max] = [-MAX_WEIGHT, MAX_WEIGHT];
$('pc-threshold-slider').addEventListener('input', (event) => setThreshold(Number(event.target.value)));
$('pc-threshold').addEventListener('change', (event) => setThreshold(event.target.value.trim() === '' ? NaN : Number(event.target.value)));

function changed() {
  settings.write();
  showSettings();
  refresh();
}

function showSettings() {
  controls.forEach(({ box, slider, field }, i) => {
    box.checked = s.inputs[i] === 1;
    slider.value = String(s.weights[i]);
    if (document.activeElement !== field) field.value = String(round(s.weights[i]));
  });
  $('pc-threshold-slider').value = String(s.threshold);
  if (document.activeElement !== $('pc-threshold')) $('pc-threshold').value = String(round(s.threshold));
  $('pc-rate').textContent = String(RATE);
}

// ------------------------------------------------------------------ the table of past decisions
function renderRows() {
  const rows = s.rows.map((row, r) => {
    const result = answer && answer.rows[r];
    const cells = INPUTS.map((name, i) => el('td', {},
      el('input', { type: 'checkbox', checked: row[i] === 1, 'aria-label': `row ${r + 1}: ${name}`,
        onchange: (event) => editRow(r, i, event.target.checked ? 1 : 0) })));
    const decision = el('select', { 'aria-label': `row ${r + 1}: you decided`,
      onchange: (event) => editRow(r, 3, Number(event.target.value)) },
    el('option', { value: '1' }, 'Go'), el('option', { value: '0' }, 'Stay'));
    decision.value = String(row[3]);
    const right = result && result.correct;
    return el('tr', { class: result ? (right ? 'is-right' : 'is-wrong') : '', dataset: { row: String(r) } },
      el('td', {}, String(r + 1)), cells, el('td', {}, decision),
      el('td', { class: 'pc-num' }, result ? show(result.sum) : ''),
      el('td', {}, result ? (result.decision ? 'Go' : 'Stay') : ''),
      el('td', { class: 'pc-mark', 'aria-label': right ? 'right' : 'wrong' }, result ? (right ? '✓' : '✗') : ''),
      el('td', {}, el('button', { type: 'button', class: 'link-btn', 'aria-label': `remove row ${r + 1}`,
        onclick: () => removeRow(r) }, '×')));
  });
  setChildren($('pc-rows'), rows);
  $('pc-add').disabled = s.rows.length >= MAX_ROWS;
  $('pc-learn-pass').disabled = s.rows.length === 0;
  $('pc-learn-all').disabled = s.rows.length === 0;
}

function editRow(r, column, value) {
  s.rows = s.rows.map((row, i) => (i === r ? row.map((v, j) => (j === column ? value : v)) : row));
  changed();
}

function removeRow(r) {
  s.rows = s.rows.filter((_, i) => i !== r);
  changed();
}

$('pc-add').addEventListener('click', () => {
  if (s.rows.length >= MAX_ROWS) return;
  s.rows = [...s.rows, [...s.inputs, answer ? answer.decision : 0]];
  changed();
});
$('pc-learn-pass').addEventListener('click', () => refresh('pass'));
$('pc-learn-all').addEventListener('click', () => refresh('until_right'));

function inputsOf(row) {
  const yes = INPUTS.filter((_, i) => row[i] === 1);
  return yes.length ? yes.join(', ') : 'nothing';
}

/** Each update of the last Learn, grouped by pass. */
function showLog(reply) {
  const items = [];
  let u = 0;
  reply.mistakes.forEach((wrong, pass) => {
    items.push(el('li', { class: 'pc-pass' }, el('b', {}, `Pass ${passes - reply.mistakes.length + pass + 1}: `),
      wrong ? `${wrong} row${wrong === 1 ? '' : 's'} wrong` : 'every row right — nothing to change'));
    for (let n = 0; n < wrong; n += 1, u += 1) {
      const update = reply.updates[u];
      const row = s.rows[update.row];
      const wanted = row[3] === 1;
      const changes = update.w.map((w, i) => (w !== update.new_w[i] ? `w${SUB[i]} ${show(w)} → ${show(update.new_w[i])}` : null))
        .filter(Boolean);
      changes.push(`threshold ${show(update.threshold)} → ${show(update.new_threshold)}`);
      items.push(el('li', {}, `row ${update.row + 1} (${inputsOf(row)}): you said ${wanted ? 'Go' : 'Stay'}, it said `
        + `${wanted ? 'Stay' : 'Go'} — ${wanted ? 'up' : 'down'}: ${changes.join(', ')}`));
    }
  });
  if (reply.correct < s.rows.length && reply.mistakes.length === PASSES) {
    items.push(el('li', {}, el('b', {}, `Still wrong after ${PASSES} passes: `),
      'no weights and threshold can make these rows all right — some rows contradict each other, or no single sum '
      + 'separates your Go rows from your Stay rows.'));
  }
  const log = $('pc-log');
  if (items.length > LOG_LINES) {
    const left = items.length - LOG_LINES;
    items.splice(LOG_LINES - 15, left, el('li', { class: 'pc-pass' }, `… ${left} more lines like these …`));
  }
  setChildren(log, items);
  $('pc-changes').hidden = false;
  log.scrollTop = log.scrollHeight;
}

// ------------------------------------------------------------------ what the page shows
/** Everything from the newest answer (its weights and threshold are the ones it decided with). */
function render(learn = 'none') {
  showSettings();
  renderRows();
  if (!answer) return;
  answer.terms.forEach((term, i) => {
    controls[i].term.textContent = `${show(answer.weights[i])} × ${s.inputs[i]} = ${show(term)}`;
    controls[i].term.classList.toggle('is-off', s.inputs[i] === 0);
  });
  const parts = answer.terms.map((_, i) => `${show(answer.weights[i])}·${s.inputs[i]}`).join(' + ');
  setChildren($('pc-sum'), 'sum = ', parts, ' = ', el('b', { id: 'pc-sum-value', dataset: { value: String(answer.sum) } }, show(answer.sum)));
  const go = answer.decision === 1;
  const decision = go ? 'go' : 'stay';
  if (decided !== null && decided !== decision) flips += 1;
  decided = decision;
  $('pc-decision').dataset.decision = decision;
  $('pc-decision-word').textContent = go ? 'Go' : 'Stay home';
  $('pc-why').textContent = `sum ${show(answer.sum)} ${go ? '≥' : '<'} threshold ${show(answer.threshold)}`;
  const rows = s.rows.length;
  if (learn !== 'none' || !$('pc-changes').hidden) {
    $('pc-summary').textContent = `${answer.correct} of ${rows} rows right${answer.correct === rows && rows ? ' — the perceptron agrees with every past decision.' : '.'}`;
  } else {
    $('pc-summary').textContent = `${answer.correct} of ${rows} rows right. Press Learn to let the rule fix the wrong ones.`;
  }
  publish({
    perceptronSum: answer.sum, perceptronThreshold: answer.threshold, perceptronDecision: decision, perceptronFlips: flips,
    perceptronTableCorrect: answer.correct, perceptronTableRows: rows, perceptronWeights: answer.weights.slice(),
    perceptronInputs: s.inputs.slice(), perceptronLearnPasses: passes,
  });
}

pageChrome(settings, () => {});
showSettings();
refresh();
