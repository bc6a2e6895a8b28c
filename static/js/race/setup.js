// The race's setup: what every lane shares (data set, noise, hidden layers, activation, seed), the target loss and
// the epoch limit, and 2–4 lanes, each an optimizer with its learning rate and the settings that optimizer reads.
// Every change goes through the state object; main.js turns it into a new race.

import { SPEC } from '/spec.js';
import { el, setChildren } from '../shared/dom.js';
import { datasetsFor, label } from '../shared/choices.js';
import { LANE_COLORS, LANE_LETTERS, laneSettings } from './names.js';

const { presets, limits } = SPEC;
const [FEWEST_LANES, MOST_LANES] = SPEC.race.lanes;
const NAMES = SPEC.labels.settings;
const CAPTIONS = { ...SPEC.labels.symbols, batch_size: 'Batch' };     // the batch size has no symbol: a word

function options(values, chosen, show = String) {
  const list = values.includes(chosen) || chosen === null || chosen === undefined ? values : [...values, chosen].sort((a, b) => a - b);
  return list.map((v) => el('option', { value: String(v), selected: v === chosen }, show(v)));
}

function control(caption, input, title) {
  return el('label', { class: 'ctl', title }, el('span', { class: 'ctl-caption' }, caption), input);
}

export function createRaceSetup({ state, actions }) {
  const shared = document.getElementById('race-shared');
  const laneHost = document.getElementById('race-lane-settings');
  let sharedKey = '';
  let laneKey = '';

  /** A number typed by the person: within [low, high], else the field goes back and a note says why. */
  function numberFrom(input, low, high, what) {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value) || value < low || value > high) {
      actions.notify(`${what} must be a number from ${low} to ${high}.`);
      return null;
    }
    return value;
  }

  function buildShared() {
    const dataset = el('select', { id: 'race-dataset', onchange: () => state.set({ dataset: dataset.value }) },
      datasetsFor(state.get('task')).map((n) => el('option', { value: n, selected: n === state.get('dataset') }, label(n))));
    const noise = el('select', { id: 'race-noise', onchange: () => state.set({ noise: Number(noise.value) }) },
      options(presets.noise, state.get('noise'), (v) => `${Math.round(v * 100)} %`));
    const hidden = el('input', { type: 'text', id: 'race-hidden', value: state.get('hidden').join(', '), inputmode: 'numeric',
      'aria-describedby': 'race-hidden-hint',
      onchange: () => {
        const widths = hidden.value.split(/[\s,]+/).filter(Boolean).map(Number);
        const [low, high] = limits.width;
        if (widths.some((w) => !Number.isInteger(w) || w < low || w > high)) {
          actions.notify(`Hidden layers are widths from ${low} to ${high}, separated by commas (e.g. 4, 2).`);
          hidden.value = state.get('hidden').join(', ');
          return;
        }
        state.set({ hidden: widths, hidden_activations: null });
      } });
    const activation = el('select', { id: 'race-activation', onchange: () => state.set({ activation: activation.value, hidden_activations: null }) },
      SPEC.choices.activations.hidden.map((a) => el('option', { value: a, selected: a === state.get('activation') }, label(a))));
    const seed = el('input', { type: 'number', id: 'race-seed', min: 0, step: 1, value: state.get('seed'),
      onchange: () => {
        const value = numberFrom(seed, ...limits.seed, 'The seed');
        if (value === null || !Number.isInteger(value)) { seed.value = state.get('seed'); return; }
        state.set({ seed: value });
      } });
    const target = el('input', { type: 'number', id: 'race-target', min: 0.001, step: 0.01, value: state.get('target_loss'),
      onchange: () => {
        const value = numberFrom(target, 0.0001, limits.target_loss[1], 'The target loss');
        if (value === null) { target.value = state.get('target_loss'); return; }
        state.set({ target_loss: value });
      } });
    const epochs = el('select', { id: 'race-epochs', onchange: () => state.set({ max_epochs: Number(epochs.value) }) },
      options(presets.max_epochs, state.get('max_epochs'), (v) => v.toLocaleString('en-US')));
    setChildren(shared,
      el('div', { class: 'race-grid' },
        control('Data set', dataset), control('Noise', noise),
        control('Hidden layers', hidden), control('Activation', activation),
        control('Seed (same start)', seed), control('Stop after', epochs)),
      el('div', { class: 'race-grid race-target' },
        control('Target training loss', target),
        el('p', { class: 'hint', id: 'race-hidden-hint' }, 'Neurons per hidden layer, e.g. 4, 2. The first lane whose training loss gets down to the target wins.')));
  }

  function setLane(k, patch) {
    const lanes = state.get('lanes').map((lane, i) => (i === k ? { ...lane, ...patch } : lane));
    state.set({ lanes });
  }

  function laneRow(lane, k, count) {
    const optimizer = el('select', { id: `lane-${k}-optimizer`, 'aria-label': `Lane ${LANE_LETTERS[k]} optimizer`,
      onchange: () => {
        // settings the new optimizer does not read are dropped, so the label names only what matters
        const now = state.get('lanes')[k];
        const keep = { optimizer: optimizer.value, learning_rate: now.learning_rate };
        if (now.batch_size !== undefined) keep.batch_size = now.batch_size;
        const lanes = state.get('lanes').map((l, i) => (i === k ? keep : l));
        state.set({ lanes });
      } },
      SPEC.choices.optimizers.map((o) => el('option', { value: o, selected: o === lane.optimizer }, label(o))));
    const rate = el('select', { id: `lane-${k}-rate`, 'aria-label': `Lane ${LANE_LETTERS[k]} learning rate`,
      onchange: () => setLane(k, { learning_rate: Number(rate.value) }) }, options(presets.learning_rate, lane.learning_rate));
    const extras = laneSettings(lane.optimizer).map((key) => {
      const [low, high] = limits[key];
      const current = lane[key] !== undefined ? lane[key] : (key === 'batch_size' ? state.get('batch_size') : SPEC.defaults[key]);
      const input = el('input', { type: 'number', id: `lane-${k}-${key}`, min: low, max: high,
        step: key === 'batch_size' ? 1 : key === 'epsilon' ? 'any' : 0.01, value: current,
        onchange: () => {
          const value = numberFrom(input, low, high, NAMES[key]);
          if (value === null || (key === 'batch_size' && !Number.isInteger(value))) { input.value = current; return; }
          setLane(k, { [key]: value });
        } });
      input.setAttribute('aria-label', `Lane ${LANE_LETTERS[k]} ${NAMES[key]}`);
      return control(CAPTIONS[key], input, NAMES[key]);
    });
    const remove = count > FEWEST_LANES ? el('button', { type: 'button', class: 'step-btn small', id: `lane-${k}-remove`,
      'aria-label': `Remove lane ${LANE_LETTERS[k]}`, title: 'Remove this lane',
      onclick: () => state.set({ lanes: state.get('lanes').filter((_, i) => i !== k) }) }, '×') : null;
    return el('div', { class: 'race-lane-row', style: `--lane:${LANE_COLORS[k]}` },
      el('div', { class: 'race-lane-head' },
        el('span', { class: 'lane-letter' }, LANE_LETTERS[k]), optimizer, rate, remove),
      extras.length ? el('div', { class: 'race-lane-extras' }, extras) : null);
  }

  function buildLanes() {
    const lanes = state.get('lanes');
    const add = lanes.length < MOST_LANES ? el('button', { type: 'button', class: 'secondary small', id: 'add-lane',
      onclick: () => {
        const now = state.get('lanes');
        const last = now[now.length - 1];
        if (now.length >= MOST_LANES) return;
        state.set({ lanes: [...now, { optimizer: last.optimizer === 'adam' ? 'momentum' : 'adam', learning_rate: last.learning_rate }] });
      } }, '+ Add a lane') : null;
    setChildren(laneHost,
      el('div', { class: 'race-lane-captions', 'aria-hidden': 'true' }, el('span'), el('span', { class: 'ctl-caption' }, 'Optimizer'),
        el('span', { class: 'ctl-caption' }, 'Learning rate')),
      lanes.map((lane, k) => laneRow(lane, k, lanes.length)), add);
  }

  return {
    update(flags) {
      if (!flags.has('state') && !flags.has('race')) return;
      const keyShared = JSON.stringify([...['task', 'dataset', 'noise', 'hidden', 'activation', 'seed', 'target_loss', 'max_epochs'].map((k) => state.get(k))]);
      const keyLanes = JSON.stringify([state.get('lanes'), state.get('batch_size')]);
      // rebuild only what changed, and never under the person's cursor while they type
      const typing = document.activeElement && document.activeElement.tagName === 'INPUT';
      const rebuild = (host, build) => {
        if (typing && host.contains(document.activeElement)) return false;
        const focused = host.contains(document.activeElement) ? document.activeElement.id : null;
        build();
        const again = focused && document.getElementById(focused);
        if (again) again.focus();
        return true;
      };
      if (keyShared !== sharedKey && rebuild(shared, buildShared)) sharedKey = keyShared;
      if (keyLanes !== laneKey && rebuild(laneHost, buildLanes)) laneKey = keyLanes;
    },
  };
}
