// The one-weight gradient-descent page (/gradient-descent): y = w·x, one example (x, t), the loss curve L(w) and
// the steps w ← w − η·slope (or momentum's, or Adam's), every number from the engine via POST /api/one-weight.
// The server answers with the whole path for the current settings; Step, Run and Reset move along it, and a new
// setting asks again (a new start w, x or t starts at step 0, a new rate, loss or optimizer keeps the step shown).
//
// Facts published (static/js/shared/progress.js), after every change of what is shown:
//   gdWeight        w at the step shown              gdSlope        L'(w) there
//   gdLoss          L(w) there                       gdSteps        steps taken so far (0 at the start)
//   gdLearningRate  η                                gdDiverged     true when these settings make w run away
//   gdConverged     |w − w*| < 0.001 at the step shown
//   gdVerdict       'good' | 'crawling' | 'overshooting' | 'bouncing' | 'diverging' (for these settings)
//   gdOptimizer     'sgd' | 'momentum' | 'adam'      gdLossFunction 'mse' | 'huber'
//
// URL: w, x, target, learning_rate, loss (mse|huber), optimizer (sgd|momentum|adam), huber_delta, projector=1, and
// hide= any of run, learning_rate, loss, huber_delta, optimizer, example, table, projector.

import { SPEC } from '/spec.js';
import { asker, flag, names, numberIn, oneOf, pageChrome, urlSettings } from './lab.js';
import { drawDescent, number, short, signed } from './descent_plot.js';
import { publish } from '../shared/progress.js';
import { el, setChildren } from '../shared/dom.js';

// the lab's starting values, bounds, choices and "settled" distance are the server's (SPEC.labs.one_weight)
const LAB = SPEC.labs.one_weight;
const { defaults: START, limits: LIMITS } = LAB;
const RATE_MIN = 0.001;         // the rate slider's ends (the page's; typed rates may go further)
const RATE_MAX = 2;
const MOMENTUM = SPEC.defaults.momentum;     // the engine's momentum μ, which the lab uses

const FIELDS = {
  w: numberIn(START.w, ...LIMITS.w),
  x: numberIn(START.x, ...LIMITS.x, (v) => v !== 0),
  target: numberIn(START.target, ...LIMITS.target),
  learning_rate: numberIn(START.learning_rate, ...LIMITS.learning_rate),
  loss: oneOf(START.loss, LAB.losses),
  optimizer: oneOf(START.optimizer, LAB.optimizers),
  huber_delta: numberIn(START.huber_delta, ...LIMITS.huber_delta),
  projector: flag,
  hide: names,
};
const settings = urlSettings(FIELDS);
// how the lab's menus say its losses and optimizers (which ones there are is the server's)
const LOSS_TEXT = { mse: 'squared error ½(w·x − t)²', huber: 'Huber (straight far away)' };
const OPTIMIZER_TEXT = {
  sgd: 'plain gradient descent', momentum: `momentum (keeps ${MOMENTUM} of the last step)`, adam: 'Adam (steps of about η)',
};
const s = settings.values;
const ask = asker('/api/one-weight');
const $ = (id) => document.getElementById(id);
const canvas = $('gd-plot');
let answer = null;
let k = 0;
let timer = null;

const VERDICTS = {
  good: ['good', 'A good rate: each step goes a fair part of the way downhill, and w settles at the minimum in a few steps.'],
  crawling: ['crawling', 'Crawling: the steps are tiny, so it takes very many of them to reach the minimum.'],
  overshooting: ['overshooting', 'Overshooting: a step jumps past the minimum to the other side, back and forth, though it still closes in.'],
  bouncing: ['bouncing', 'Bouncing: it jumps across the minimum again and again and never settles.'],
  diverging: ['diverging', ''],
};

// ------------------------------------------------------------------ asking the engine
async function refresh(restart) {
  const body = {
    type: 'one_weight', w: s.w, x: s.x, target: s.target, learning_rate: s.learning_rate, loss: s.loss,
    optimizer: s.optimizer, huber_delta: s.huber_delta, steps: START.steps,
  };
  try {
    const reply = await ask(body);
    if (!reply) return;                        // a newer question is on its way
    answer = reply;
    k = restart ? 0 : Math.min(k, answer.path.length - 1);
    showError(null);
  } catch (error) {
    stop();
    showError(error.message);
  }
  render();
}

function showError(message) {
  $('gd-error').hidden = !message;
  $('gd-error').textContent = message || '';
}

// ------------------------------------------------------------------ step, run, reset
function last() {
  return answer ? answer.path.length - 1 : 0;
}

function step() {
  if (!answer || k >= last()) return false;
  k += 1;
  render();
  return true;
}

function settled() {
  return answer && answer.settled_at !== null && k >= answer.settled_at;
}

function run() {
  if (timer) return stop();
  if (!answer) return;
  if (settled() || k >= last()) k = 0;
  $('gd-run').textContent = 'Pause';
  const tick = () => {
    if (settled() || !step()) return stop();
    timer = setTimeout(tick, k < 12 ? 260 : 40);
  };
  timer = setTimeout(tick, 120);
  render();
}

function stop() {
  clearTimeout(timer);
  timer = null;
  $('gd-run').textContent = 'Run';
  render();
}

function reset() {
  stop();
  k = 0;
  render();
}

// ------------------------------------------------------------------ what the page shows
function render() {
  drawDescent(canvas, answer, k);
  if (!answer) return;
  const now = answer.path[k];
  $('gd-steps').textContent = String(k);
  $('gd-step').disabled = k >= last();
  renderMaths(now);
  renderVerdict(now);
  renderTable();
  publish({
    gdWeight: now.w, gdSlope: now.slope, gdLoss: now.loss, gdSteps: k, gdLearningRate: s.learning_rate,
    gdDiverged: answer.verdict === 'diverging', gdConverged: Math.abs(now.w - answer.optimum) < LAB.settled,
    gdVerdict: answer.verdict, gdOptimizer: s.optimizer, gdLossFunction: s.loss,
  });
}

const wrap = (v) => (v < 0 ? `(${number(v)})` : number(v));

function renderMaths(now) {
  const { x, target: t, huber_delta: delta } = s;
  const r = now.w * x - t;
  const inner = `${wrap(now.w)}·${wrap(x)} − ${wrap(t)}`;
  const huberFar = s.loss === 'huber' && Math.abs(r) > delta;
  const lossLine = huberFar
    ? `L(w) = δ·(|w·x − t| − ½δ) = ${number(delta)}·(|${inner}| − ${number(delta / 2)}) = `
    : `L(w) = ½(w·x − t)² = ½(${inner})² = `;
  const slopeLine = huberFar
    ? `slope = δ·x·sign(w·x − t) = ${number(delta)}·${wrap(x)}·(${r > 0 ? '+1' : '−1'}) = `
    : `slope = (w·x − t)·x = (${inner})·${wrap(x)} = `;
  let stepLine;
  if (s.optimizer === 'sgd') {
    stepLine = `step = −η·slope = −${number(s.learning_rate)}·${wrap(now.slope)} = `;
  } else if (s.optimizer === 'momentum') {
    const before = k > 0 ? answer.path[k].w - answer.path[k - 1].w : 0;
    stepLine = `step = ${MOMENTUM}·(last step) − η·slope = ${MOMENTUM}·${wrap(before)} − ${number(s.learning_rate)}·${wrap(now.slope)} = `;
  } else {
    stepLine = 'step = −η·m̂ / (√ŝ + ε), the slope divided by its recent size = ';
  }
  setChildren($('gd-maths'),
    el('p', {}, 'w = ', el('b', { id: 'gd-weight', dataset: { value: String(now.w) } }, number(now.w)),
      `   prediction y = w·x = ${number(now.w * x)}   target t = ${number(t)}`),
    el('p', {}, lossLine, el('b', { id: 'gd-loss-now' }, number(now.loss))),
    el('p', { class: 'gd-slope-line' }, slopeLine, el('b', { id: 'gd-slope', dataset: { value: String(now.slope) } }, number(now.slope))),
    el('p', { class: 'gd-step-line' }, stepLine, el('b', { id: 'gd-step-size' }, number(now.step)),
      `   →   next w = ${number(now.w)} ${now.step < 0 ? '−' : '+'} ${number(Math.abs(now.step))} = `,
      el('b', { id: 'gd-next' }, number(now.w + now.step))),
  );
}

function renderVerdict(now) {
  const box = $('gd-verdict');
  const verdict = answer.verdict;
  let text = VERDICTS[verdict][1];
  if (verdict === 'diverging') {
    const limit = s.optimizer === 'sgd' && s.loss === 'mse' ? ` below ${number(2 / (s.x * s.x))} (= 2/x²)` : ' smaller';
    text = `Diverging: the learning rate is too large. Every step overshoots the minimum by more than it started, so w `
      + `runs away towards infinity and the loss explodes. Choose a rate${limit}.`;
  }
  if (Math.abs(now.w - answer.optimum) < LAB.settled && verdict !== 'diverging') {
    text = `w = ${number(now.w)} after ${k} steps: within ${LAB.settled} of the minimum w* = ${number(answer.optimum)}. ${text}`;
  } else if (k === last() && answer.diverged) {
    text = `w ran away to ${number(now.w)} after ${k} steps. ${text}`;
  }
  box.textContent = text;
  box.dataset.verdict = verdict;
}

function renderTable() {
  const from = Math.max(0, k - 5);
  const rows = [];
  for (let i = k; i >= from; i -= 1) {
    const p = answer.path[i];
    rows.push(el('tr', { class: i === k ? 'is-now' : '' },
      el('td', {}, String(i)), el('td', {}, short(p.w)), el('td', {}, short(p.loss)),
      el('td', {}, short(p.slope)), el('td', {}, i < k ? signed(answer.path[i + 1].w - p.w, short) : '')));
  }
  setChildren($('gd-rows'), rows);
}

// ------------------------------------------------------------------ controls
const rateToSlider = (rate) => Math.round((1000 * Math.log(rate / RATE_MIN)) / Math.log(RATE_MAX / RATE_MIN));
const sliderToRate = (pos) => Number((RATE_MIN * (RATE_MAX / RATE_MIN) ** (pos / 1000)).toPrecision(2));

function showSettings() {
  $('gd-rate-slider').value = String(Math.min(1000, Math.max(0, rateToSlider(s.learning_rate))));
  $('gd-rate').value = String(s.learning_rate);
  $('gd-rate-value').textContent = number(s.learning_rate);
  $('gd-loss').value = s.loss;
  $('gd-optimizer').value = s.optimizer;
  $('gd-delta').value = String(s.huber_delta);
  $('gd-delta').closest('.ctl').hidden = s.loss !== 'huber' || s.hide.includes('huber_delta');
  $('gd-w').value = String(s.w);
  $('gd-x').value = String(s.x);
  $('gd-target').value = String(s.target);
  for (const button of document.querySelectorAll('[data-rate]')) {
    button.setAttribute('aria-pressed', Number(button.dataset.rate) === s.learning_rate ? 'true' : 'false');
  }
}

/** Take a new value for `key`; one out of range is explained and the field shows the last good value again. */
function change(key, value, restart) {
  if (value === undefined) {
    const { lo, hi } = FIELDS[key];
    showError(`${key.replace('_', ' ')} must be a number from ${number(lo)} to ${number(hi)}${key === 'x' ? ', not 0' : ''}`);
    showSettings();
    return;
  }
  s[key] = value;
  settings.write();
  showSettings();
  refresh(restart);
}

function numberField(id, key, restart) {
  [$(id).min, $(id).max] = LIMITS[key];
  $(id).addEventListener('change', (event) => change(key, FIELDS[key].parse(event.target.value), restart));
}

setChildren($('gd-loss'), LAB.losses.map((name) => el('option', { value: name }, LOSS_TEXT[name])));
setChildren($('gd-optimizer'), LAB.optimizers.map((name) => el('option', { value: name }, OPTIMIZER_TEXT[name])));
$('gd-rate-slider').addEventListener('input', (event) => change('learning_rate', sliderToRate(Number(event.target.value)), false));
numberField('gd-rate', 'learning_rate', false);
numberField('gd-delta', 'huber_delta', false);
numberField('gd-w', 'w', true);
numberField('gd-x', 'x', true);
numberField('gd-target', 'target', true);
$('gd-loss').addEventListener('change', (event) => change('loss', event.target.value, false));
$('gd-optimizer').addEventListener('change', (event) => change('optimizer', event.target.value, false));
for (const button of document.querySelectorAll('[data-rate]')) {
  button.addEventListener('click', () => change('learning_rate', Number(button.dataset.rate), false));
}
$('gd-step').addEventListener('click', () => { stop(); step(); });
$('gd-run').addEventListener('click', run);
$('gd-reset').addEventListener('click', reset);
document.addEventListener('keydown', (event) => {
  if (event.target.closest('input, select, textarea, button') || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === 's') { stop(); step(); } else if (key === ' ') run(); else if (key === 'r') reset(); else return;
  event.preventDefault();
});
new ResizeObserver(() => drawDescent(canvas, answer, k)).observe(canvas);
pageChrome(settings, () => drawDescent(canvas, answer, k));

showSettings();
refresh(true);
