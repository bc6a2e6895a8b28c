// Exports: the output map as PNG, the loss history as CSV, the model as JSON (the server's saved state), a short
// NumPy script that reproduces the trained network's predictions from its current weights, and PyTorch and Keras
// scripts that rebuild the network with its data and train it further (export_torch.js, export_keras.js).

import { SPEC } from '/spec.js';
import { el, setChildren, download } from '../shared/dom.js';
import { featureBody, pyFloat, pyList, pyString, pyStrings, weightsCode } from './export_python.js';
import { LEAKY_SLOPE, frameworkProblem } from './export_framework.js';
import { torchScript } from './export_torch.js';
import { kerasScript } from './export_keras.js';

export { pyString };

function stamp() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * The script's input step. Plane data: (x1, x2) → the chosen features. A CSV file: the raw columns are first scaled
 * exactly as the server scaled them (input = raw / divisor · scale + offset, see engine/datasets.py), so predict()
 * takes rows of the file as they are.
 */
function inputCode({ plane, features, columns, scaling }) {
  const csv = Boolean(scaling);
  const lines = ['def inputs(rows):'];
  lines.push(`    rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))`);
  lines.push(csv ? '    points = rows / DIVISOR * SCALE + OFFSET' : '    points = rows');
  if (plane) {
    lines.push(...featureBody(features, 'points'));
  } else {
    lines.push('    return points');
  }
  const constants = csv ? [
    `COLUMNS = ${pyStrings(columns)}  # the file's columns predict() takes, in this order`,
    `DIVISOR = np.array(${pyList(scaling.divisor)})`,
    `SCALE = np.array(${pyList(scaling.scale)})`,
    `OFFSET = np.array(${pyList(scaling.offset)})`,
  ] : [];
  return { constants: constants.join('\n'), body: lines.join('\n') };
}

/**
 * The NumPy script's text. Names from the data (CSV columns, class names) appear only as pyString literals in
 * COLUMNS and CLASS_NAMES; the docstring and comments refer to those lists, never quote them.
 */
export function numpyScript({ sizes, activations, features, plane, params, epoch, columns, scaling, classNames }) {
  const csv = Boolean(scaling);
  let inputDoc;
  if (csv) inputDoc = `rows: (N, ${columns.length}) array of the CSV file's columns listed in COLUMNS, as they are in the file.`;
  else if (plane) inputDoc = `rows: (N, 2) array of plane coordinates (x1, x2) in [-${SPEC.plane.extent}, ${SPEC.plane.extent}].`;
  else inputDoc = `rows: (N, ${sizes[0]}) array of the 8×8 digit pixels scaled to [0, 1].`;
  const code = inputCode({ plane, features, columns, scaling });
  const names = classNames && classNames.length ? `\nCLASS_NAMES = ${pyStrings(classNames)}  # output k is the probability of CLASS_NAMES[k]` : '';
  const example = csv ? 'print(predict(np.zeros((1, len(COLUMNS)))))  # one row of the file\'s columns'
    : (plane ? 'print(predict([[0.0, 0.0], [3.0, -2.0], [-4.0, 4.0]]))' : 'print(predict(np.zeros((1, SIZES[0]))))');
  return `"""A network trained in nnplayground (exported ${new Date().toISOString().slice(0, 19)}Z after ${epoch} epochs).

Layers ${sizes.join(' → ')}, activations as listed in ACTIVATIONS.
predict(rows) gives the same outputs as the page (up to float rounding):
  ${inputDoc}
Each layer computes z = a·W + b, a = f(z); W has one row per unit the connections leave.
"""
import numpy as np

ACTIVATIONS = ${pyStrings(activations)}${names}${code.constants ? `\n${code.constants}` : ''}
${weightsCode(sizes, params)}


${code.body}


def activate(name, z):
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, ${pyFloat(LEAKY_SLOPE)} * z)
    if name == "step":
        return (z >= 0).astype(np.float64)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def predict(rows):
    """Outputs (N, K): class probabilities, or the predicted value for regression."""
    a = inputs(rows)
    for (W, b), name in zip(layers_of(PARAMS), ACTIVATIONS):
        a = activate(name, a @ W + b)
    return a


if __name__ == "__main__":
    np.set_printoptions(precision=4, suppress=True)
    ${example}
`;
}

export function createExport({ latest, actions }) {
  const host = document.getElementById('export');
  const menu = el('div', { class: 'menu', id: 'export-menu', role: 'menu', hidden: true });
  const toggle = el('button', { type: 'button', class: 'ghost', id: 'export-button', 'aria-haspopup': 'true', 'aria-expanded': 'false',
    onclick: () => setOpen(menu.hidden) }, 'Export ▾');
  const frameworks = {
    torch: { name: 'PyTorch', script: torchScript, note: 'the network with its data; trains further' },
    keras: { name: 'Keras', script: kerasScript, note: 'the same in Keras 3, on its PyTorch backend' },
  };
  const item = (id, text, note, fn) => el('button', { type: 'button', role: 'menuitem', id, class: 'menu-item',
    onclick: async () => { setOpen(false); try { await fn(); } catch (err) { actions.notify(`Export failed: ${err.message}`); } } },
  el('span', { class: 'menu-title' }, text), el('span', { class: 'menu-note' }, note));
  for (const [kind, f] of Object.entries(frameworks)) {
    f.button = item(`export-${kind}`, `${f.name} script`, f.note, () => exportFramework(kind));
  }
  setChildren(menu,
    item('export-png', 'Map as PNG', 'the output picture with its points', exportPng),
    item('export-csv', 'Loss history as CSV', 'epoch, iteration, training and test loss', exportCsv),
    item('export-json', 'Model as JSON', 'settings, weights and history; loads back in', exportJson),
    item('export-py', 'NumPy script', 'predict() with the current weights', exportPython),
    ...Object.values(frameworks).map((f) => f.button),
    el('div', { class: 'menu-sep', role: 'separator' }),
    item('import-json', 'Open a saved model…', 'a JSON file saved here: settings, weights, history', () => fileInput.click()));
  const fileInput = el('input', { type: 'file', accept: '.json,application/json', class: 'visually-hidden', id: 'import-file',
    'aria-label': 'Open a saved model (JSON file)',
    onchange: () => { const f = fileInput.files[0]; fileInput.value = ''; if (f) importJson(f).catch((err) => actions.notify(err.message)); } });
  setChildren(host, toggle, menu, fileInput);

  async function importJson(file) {
    if (file.size > 20_000_000) throw new Error('That file is larger than 20 MB; it is not a saved model.');
    const response = await fetch('/api/state', {
      method: 'POST', body: await file.text(),
      headers: { 'Content-Type': 'application/json', 'X-Session-Token': actions.token() || '' },
    });
    if (!response.ok) {
      let message = `The server refused the file (HTTP ${response.status}).`;
      try { message = (await response.json()).message || message; } catch (err) { /* keep the status */ }
      throw new Error(message);
    }
    actions.notify(`Loaded ${file.name}.`, 'info');
  }

  function setOpen(open) {
    menu.hidden = !open;
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  }
  document.addEventListener('pointerdown', (event) => { if (!host.contains(event.target)) setOpen(false); });
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') setOpen(false); });

  async function exportPng() {
    const out = actions.mapPicture(720);
    const blob = await new Promise((resolve) => out.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the picture could not be encoded');
    download(blob, `nnplayground-map-${stamp()}.png`);
  }

  function exportCsv() {
    const cell = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));
    const lines = ['epoch,iteration,train_loss,test_loss'];
    for (const r of latest.history) lines.push([r.epoch, r.iteration, cell(r.train_loss), cell(r.test_loss)].join(','));
    download(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), `nnplayground-loss-${stamp()}.csv`);
  }

  /** The text of GET `path` of the session's HTTP API. */
  async function fromServer(path) {
    const response = await fetch(path, { headers: { 'X-Session-Token': actions.token() || '' } });
    if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
    return response.text();
  }

  const savedState = () => fromServer('/api/state');

  async function exportJson() {
    const text = await savedState();
    download(new Blob([text], { type: 'application/json' }), `nnplayground-model-${stamp()}.json`);
  }

  /** The session's saved state: float64 weights, optimizer state, settings and history. */
  async function savedModel() {
    const saved = JSON.parse(await savedState());
    return saved.state || saved;
  }

  async function exportPython() {
    if (!latest.network || !latest.params) throw new Error('no network yet');
    let params = Array.from(latest.params);
    let sizes = latest.network.sizes;
    let activations = latest.network.activations;
    let features = (latest.config && latest.config.features) || ['x1', 'x2'];
    let epoch = (latest.frame && latest.frame.counters && latest.frame.counters.epoch) || 0;
    try {
      // the saved state carries the float64 weights; the frame only has float32 copies
      const state = await savedModel();
      if (Array.isArray(state.params) && state.params.length === params.length) {
        params = state.params;
        if (state.config && Array.isArray(state.config.features)) features = state.config.features;
        if (Number.isFinite(state.epoch)) epoch = state.epoch;
      }
    } catch (err) { /* fall back to the frame's weights */ }
    const data = latest.data || {};
    const text = numpyScript({ sizes, activations, features, plane: latest.isPlane, params, epoch, columns: data.columns,
      scaling: data.scaling, classNames: data.task === 'regression' ? null : data.class_names });
    download(new Blob([text], { type: 'text/x-python' }), `nnplayground_model_${stamp().replace('-', '_')}.py`);
  }

  /**
   * The PyTorch or Keras script, from the saved state and the engine's rows (GET /api/data, full precision); both
   * must match the network and data the page has.
   */
  async function exportFramework(kind) {
    const problem = frameworkProblem(latest.data, latest.config, kind);
    if (problem) throw new Error(`the ${frameworks[kind].name} script ${problem}`);
    const state = await savedModel();
    const data = JSON.parse(await fromServer('/api/data'));
    const sizes = latest.network && latest.network.sizes;
    const c = state.config;
    const nParams = sizes ? sizes.slice(1).reduce((n, size, l) => n + (sizes[l] + 1) * size, 0) : -1;
    const nInputs = data.is_plane ? c.features.length : data.columns.length;
    if (state.params.length !== nParams || c.hidden.join() !== sizes.slice(1, -1).join() || nInputs !== sizes[0]
        || data.train.labels.length !== latest.data.n_train || data.test.labels.length !== latest.data.n_test) {
      throw new Error('the network or its data changed while exporting: try again');
    }
    const last = state.history[state.history.length - 1];
    const pageLoss = last && last.iteration === state.iteration && Number.isFinite(last.train_loss)
      && Number.isFinite(last.test_loss) ? { train: last.train_loss, test: last.test_loss } : null;
    const fileName = `nnplayground_${kind}_${stamp().replace('-', '_')}.py`;
    const text = frameworks[kind].script({
      config: c, sizes, activations: [...(c.hidden_activations || c.hidden.map(() => c.activation)), c.output_activation],
      params: state.params, state: { m: state.m, s: state.s, t: state.t }, epoch: state.epoch, pageLoss,
      data, time: `${new Date().toISOString().slice(0, 19)}Z`, fileName,
      defaultEpochs: 100,
    });
    download(new Blob([text], { type: 'text/x-python' }), fileName);
  }

  /** When a framework script cannot be written, the menu says why and offers no download. */
  function offerFrameworks() {
    for (const [kind, f] of Object.entries(frameworks)) {
      const problem = frameworkProblem(latest.data, latest.config, kind);
      f.button.disabled = Boolean(problem);
      if (problem) f.button.title = `The ${f.name} script ${problem}.`;
      else f.button.removeAttribute('title');
      f.button.lastChild.textContent = problem || f.note;
    }
  }

  offerFrameworks();
  return { update(flags) { if (flags.has('data') || flags.has('config')) offerFrameworks(); } };
}
