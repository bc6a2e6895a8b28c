// The run bar (play/pause, step, reset, counters, speed), the hyperparameter controls and the keyboard
// shortcuts. Controls write to the state object; main.js turns state changes into messages.

import { SPEC } from '/spec.js';
import { el, setChildren, setText, count } from '../shared/dom.js';
import { ACTIVATIONS, label, losses, optimizerSettings, speedLabel } from '../shared/choices.js';
import { plotChosenActivation } from './activation_plot.js';

const { presets } = SPEC;
const CAPTIONS = SPEC.labels.settings;
// the settings some optimizer reads beyond the learning rate, in engine.Config's order
const OPTIMIZER_KEYS = Object.keys(SPEC.defaults)
  .filter((key) => SPEC.choices.optimizers.some((name) => optimizerSettings(name).includes(key)));

/** A number as the menu of `key` shows it: ε as a power of ten; the largest batch, as large as any data set, as All. */
function numLabel(v, key) {
  if (key === 'batch_size' && v === SPEC.limits.batch_size[1]) return 'All';
  if (key === 'epsilon' && v < 0.01) return v.toExponential().replace('-', '−');
  return String(v);
}

/** A captioned <select> bound to one state key (its caption the server's name for the setting). */
function selectControl(key, onChange, title = '') {
  const select = el('select', { id: `ctl-${key}`, name: key, onchange: () => onChange(select.value) });
  const wrap = el('label', { class: 'ctl', dataset: { ctl: key }, title: title || undefined },
    el('span', { class: 'ctl-caption' }, CAPTIONS[key]), select);
  return {
    wrap,
    select,
    setOptions(options) {
      const current = select.value;
      setChildren(select, options.map(([value, text]) => el('option', { value: String(value) }, text)));
      if (current) select.value = current;
    },
    setValue(value) {
      const v = String(value);
      if (![...select.options].some((o) => o.value === v)) {
        const num = Number(value);
        select.append(el('option', { value: v }, Number.isFinite(num) ? numLabel(num, key) : label(value)));
      }
      select.value = v;
    },
  };
}

export function createControls({ state, latest, actions }) {
  // ---------------------------------------------------------------- run bar
  const runbar = document.getElementById('runbar');
  const resetBtn = el('button', { type: 'button', class: 'round', id: 'reset', title: 'Reset the weights (r)', 'aria-label': 'Reset',
    onclick: () => actions.control('reset') }, el('span', { class: 'icon icon-reset', 'aria-hidden': 'true' }));
  const playBtn = el('button', { type: 'button', class: 'round play', id: 'play', title: 'Play / pause (space)', 'aria-label': 'Play',
    onclick: () => togglePlay() }, el('span', { class: 'icon icon-play', 'aria-hidden': 'true' }));
  const stepBtn = el('button', { type: 'button', class: 'round', id: 'step', title: 'One epoch (s)', 'aria-label': 'Step one epoch',
    onclick: () => actions.control('step') }, el('span', { class: 'icon icon-step', 'aria-hidden': 'true' }));
  const batchBtn = el('button', { type: 'button', class: 'chip-btn', id: 'step-batch', title: 'One iteration: a single batch',
    onclick: () => actions.control('step_batch') }, '+1 batch');
  const counterEpoch = el('output', { id: 'epoch', class: 'counter-value' }, '0');
  const counterIter = el('output', { id: 'iteration', class: 'counter-value' }, '0');
  const counterSeen = el('output', { id: 'examples-seen', class: 'counter-value' }, '0');
  const counterBatch = el('output', { id: 'batches-per-epoch' }, '–');
  const counterRate = el('output', { id: 'epochs-per-second' }, '–');
  // said when the server draws this network's maps less often or coarser than asked (frame.limited)
  const heavyNote = el('span', { id: 'heavy-note', class: 'heavy-note', hidden: true });
  const speed = selectControl('speed', (v) => state.set({ speed: Number(v) }), 'Epochs trained between two pictures');
  speed.setOptions(presets.speed.map((v) => [v, speedLabel(v)]));
  setChildren(runbar,
    el('div', { class: 'run-buttons' }, resetBtn, playBtn, stepBtn, batchBtn),
    el('div', { class: 'counters' },
      el('div', { class: 'counter' }, el('span', { class: 'counter-caption' }, 'Epoch'), counterEpoch),
      el('div', { class: 'counter' }, el('span', { class: 'counter-caption' }, 'Iteration'), counterIter),
      el('div', { class: 'counter' }, el('span', { class: 'counter-caption' }, 'Examples seen'), counterSeen),
      el('div', { class: 'counter-notes' },
        el('span', { title: 'Iterations per epoch = ⌈training examples ÷ batch size⌉' }, counterBatch, ' batches / epoch'),
        el('span', { title: 'Epochs trained per second, measured by the server' }, counterRate, ' epochs / s'),
        heavyNote)),
    speed.wrap);

  let playing = false;
  function togglePlay() {
    actions.control(playing ? 'pause' : 'play');
    playing = !playing;
    showPlaying();
  }
  function showPlaying() {
    if (playBtn.classList.contains('is-playing') === playing && playBtn.firstChild.className) return;
    playBtn.classList.toggle('is-playing', playing);
    playBtn.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    playBtn.firstChild.className = `icon ${playing ? 'icon-pause' : 'icon-play'}`;
  }

  // ------------------------------------------------------- hyperparameters
  const host = document.getElementById('hyper-controls');
  const lr = selectControl('learning_rate', (v) => state.set({ learning_rate: Number(v) }),
    'Step size of gradient descent: w ← w − η·∂L/∂w');
  lr.setOptions(presets.learning_rate.map((v) => [v, String(v)]));
  const act = selectControl('activation', (v) => chooseActivation(v), 'Activation of every hidden layer (each layer can differ: see the diagram)');
  const actPlot = el('canvas', { class: 'act-plot', id: 'activation-plot', width: 64, height: 26, role: 'img' });
  act.wrap.classList.add('ctl-with-plot');
  act.wrap.append(actPlot);
  const outAct = selectControl('output_activation', (v) => state.set({ output_activation: v }));
  const loss = selectControl('loss', (v) => chooseLoss(v));
  const opt = selectControl('optimizer', (v) => state.set({ optimizer: v }));
  const optSettings = {};
  for (const key of [...OPTIMIZER_KEYS, 'huber_delta']) {
    optSettings[key] = selectControl(key, (v) => state.set({ [key]: Number(v) }));
    optSettings[key].setOptions(presets[key].map((v) => [v, numLabel(v, key)]));
    optSettings[key].wrap.classList.add('ctl-small');
  }
  const batch = selectControl('batch_size', (v) => state.set({ batch_size: Number(v) }),
    'Examples per weight update; iterations per epoch = ⌈examples ÷ batch size⌉');
  batch.setOptions(presets.batch_size.map((v) => [v, numLabel(v, 'batch_size')]));
  const reg = selectControl('regularization', (v) => state.set({ regularization: v }));
  reg.setOptions(SPEC.choices.regularizations.map((v) => [v, label(v)]));
  const regRate = selectControl('reg_rate', (v) => state.set({ reg_rate: Number(v) }));
  regRate.setOptions(presets.reg_rate.map((v) => [v, String(v)]));
  const init = selectControl('init', (v) => state.set({ init: v }),
    'How the weights start: Glorot (tanh, sigmoid), He (ReLU), all zeros (every neuron stays the same), or Auto: the one that fits the activation');
  init.setOptions(SPEC.choices.inits.map((v) => [v, label(v)]));
  const learnBias = el('input', { type: 'checkbox', id: 'ctl-learn_bias', name: 'learn_bias',
    onchange: () => state.set({ learn_bias: learnBias.checked }) });
  const learnBiasWrap = el('label', { class: 'ctl ctl-check', dataset: { ctl: 'learn_bias' },
    title: 'Off: every bias stays where it is while the weights learn' },
  el('span', { class: 'ctl-caption' }, CAPTIONS.learn_bias), el('span', { class: 'ctl-check-box' }, learnBias, ' learn'));
  const dropout = selectControl('dropout', (v) => state.set({ dropout: Number(v) }),
    'Fraction of hidden neurons switched off at random in each training step');
  dropout.setOptions(presets.dropout.map((v) => [v, v === 0 ? 'Off' : `${Math.round(v * 100)} %`]));

  const group = (name, ...items) => el('div', { class: 'hyper-group', dataset: { group: name } }, items);
  // training and regularisation share the first row on a laptop screen, the model takes the second
  setChildren(host,
    group('training', lr.wrap, opt.wrap, ...OPTIMIZER_KEYS.map((k) => optSettings[k].wrap), batch.wrap),
    group('regularisation', reg.wrap, regRate.wrap, dropout.wrap),
    group('model', act.wrap, outAct.wrap, loss.wrap, optSettings.huber_delta.wrap, init.wrap, learnBiasWrap));

  function chooseLoss(name) {
    const outs = losses(state.get('task'))[name] || [];
    const current = state.get('output_activation');
    const patch = { loss: name, output_activation: outs.includes(current) ? current : outs[0] || null };
    if (name !== 'perceptron' && state.get('activation') === 'step') patch.activation = 'tanh';   // step trains only by the perceptron rule
    state.set(patch);
  }
  function chooseActivation(name) {
    const patch = { activation: name };
    if (state.get('hidden_activations')) patch.hidden_activations = state.get('hidden').map(() => name);
    if (name === 'step' && state.get('hidden').length === 0 && state.get('task') === 'binary') {
      patch.loss = 'perceptron';
      patch.output_activation = 'step';
    }
    state.set(patch);
  }

  function syncOptions() {
    act.setOptions(ACTIVATIONS.map((a) => [a, label(a)]));
    opt.setOptions(SPEC.choices.optimizers.map((o) => [o, label(o)]));
    const offered = losses(state.get('task'));
    loss.setOptions(Object.keys(offered).map((l) => [l, label(l)]));
    const outs = offered[state.get('loss')] || Object.values(offered)[0] || [];
    outAct.setOptions(outs.map((a) => [a, label(a)]));
  }

  function plotActivation(name) {
    plotChosenActivation(actPlot, name, latest, label(name));
  }

  function syncValues() {
    const s = state.values;
    lr.setValue(s.learning_rate);
    act.setValue(s.activation);
    plotActivation(s.activation);
    if (s.loss) loss.setValue(s.loss);
    if (s.output_activation) outAct.setValue(s.output_activation);
    opt.setValue(s.optimizer);
    for (const [key, ctl] of Object.entries(optSettings)) ctl.setValue(s[key]);
    batch.setValue(s.batch_size);
    reg.setValue(s.regularization);
    regRate.setValue(s.reg_rate);
    dropout.setValue(s.dropout);
    init.setValue(s.init);
    learnBias.checked = s.learn_bias !== false;
    speed.setValue(s.speed);
    const shown = optimizerSettings(s.optimizer);
    for (const key of OPTIMIZER_KEYS) optSettings[key].wrap.hidden = !shown.includes(key);
    optSettings.huber_delta.wrap.hidden = s.loss !== 'huber';
    regRate.wrap.classList.toggle('is-off', s.regularization === 'none');
    outAct.wrap.hidden = outAct.select.options.length <= 1;
  }

  function showCounters() {
    const f = latest.frame;
    if (!f || !f.counters) return;
    const c = f.counters;
    setText(counterEpoch, String(c.epoch ?? 0).padStart(6, '0').replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    setText(counterIter, count(c.iteration));
    setText(counterSeen, count(c.examples_seen));
    setText(counterBatch, count(c.batches_per_epoch));
    const rate = f.epochs_per_second;
    setText(counterRate, f.state === 'playing' && Number.isFinite(rate) ? (rate >= 100 ? count(rate) : rate.toFixed(1)) : '–');
    showHeavy(f.limited);
  }

  /** A plain-words line when this network is too heavy for its share of the server: its maps are updated less
   * often, or drawn coarser, than asked — and only this page is slowed. */
  function showHeavy(limited) {
    heavyNote.hidden = !limited;
    if (!limited) return;
    const rate = limited.maps_per_second;
    const often = rate >= 1 ? `${rate.toFixed(1)} times a second`
      : `every ${Math.round(1 / Math.max(rate, 0.01))} seconds`;
    const g = limited.grid_size;
    const u = limited.unit_size;
    setText(heavyNote, `Heavy: ${rate >= 1 ? rate.toFixed(1) : rate.toFixed(2)} maps / s`);
    const why = `This network is heavy for its share of the server, so its maps are drawn in pieces between training `
      + `steps: they update about ${often}, the output map at ${g}×${g} points and each neuron at ${u}×${u}. `
      + 'Training is slower for this page only; other pages keep their speed. A smaller network or fewer points '
      + 'draws faster.';
    if (heavyNote.title !== why) heavyNote.title = why;
  }

  // ------------------------------------------------------------- keyboard
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const tag = target && target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || (target && target.isContentEditable)) return;
    if (event.key === ' ' || event.code === 'Space') {
      if (tag === 'BUTTON') return; // a focused button already reacts to space
      event.preventDefault();
      togglePlay();
    } else if (event.key === 's' || event.key === 'S') {
      actions.control('step');
    } else if (event.key === 'r' || event.key === 'R') {
      actions.control('reset');
    }
  });

  syncOptions();
  syncValues();

  return {
    update(flags) {
      if (flags.has('welcome') || flags.has('config') || flags.has('state')) {
        syncOptions();
        syncValues();
      }
      if (flags.has('inspection') || flags.has('focus') || flags.has('pinned')) plotActivation(state.get('activation'));
      if (flags.has('frame') || flags.has('status')) {
        playing = (latest.runState || 'paused') === 'playing';
        showPlaying();
        showCounters();
      }
    },
  };
}
