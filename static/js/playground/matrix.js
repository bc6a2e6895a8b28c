// A layer's weights as a labelled matrix of numbers: W is n_in × n_out (row i = the neuron the connection leaves,
// column j = the neuron it reaches), plus the bias row b; the layer computes z = a·W + b. The numbers follow
// training live. Every cell can be edited: click it (or Enter on it), type a number, Enter applies it through the
// same edit_weight / edit_bias messages the diagram uses; Escape cancels; a bad number is explained and changes
// nothing.
//
// Facts published (progress.js): matrixEdits — how many cell edits this page has sent to the server.

import { SPEC } from '/spec.js';
import { el, setChildren, fmt } from '../shared/dom.js';
import { diverging, rgb } from '../shared/colors.js';
import { FEATURE_LABELS } from './feature_maps.js';
import { publish } from '../shared/progress.js';

const MAX_ROWS = 24;
const MAX_COLS = 16;
const LIMIT = SPEC.limits.weight[1];     // the largest weight or bias the server takes

/** The number a person typed ('−0.5' with a typographic minus counts), or null if it is not one. */
export function parseNumber(text) {
  const clean = String(text).trim().replace(/[−–]/g, '-').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(clean)) return null;
  const value = Number(clean);
  return Number.isFinite(value) ? value : null;
}

export function createMatrix({ latest, actions }) {
  const box = document.getElementById('network');
  const host = el('div', { class: 'matrix', id: 'weight-matrix', hidden: true, role: 'dialog', 'aria-label': 'Weight matrix' });
  box.append(host);
  let layer = null;     // which layer's weights are shown
  let cells = [];       // { td, index, kind: 'weight' | 'bias', layer, source, target }
  let editing = null;   // the cell being edited and its input
  let shape = '';
  let edits = 0;
  const message = el('p', { class: 'matrix-message', id: 'matrix-message', role: 'alert' });

  /** What the labels depend on: layer sizes and the names of the inputs. */
  function shapeKey() {
    return JSON.stringify([latest.sizes, latest.config && latest.config.features, latest.data && latest.data.columns]);
  }

  function inputName(i) {
    if (latest.isPlane) {
      const names = (latest.config && latest.config.features) || [];
      return FEATURE_LABELS[names[i]] || names[i] || `x${i + 1}`;
    }
    const columns = (latest.data && latest.data.columns) || [];
    return columns[i] ?? `in ${i + 1}`;
  }

  function open(layerIndex) {
    const o = latest.paramOffsets()[layerIndex];
    if (!o) return;
    layer = layerIndex;
    shape = shapeKey();
    editing = null;
    const last = layerIndex === latest.paramOffsets().length - 1;
    const rows = Math.min(o.nIn, MAX_ROWS);
    const cols = Math.min(o.nOut, MAX_COLS);
    const rowName = (i) => (layerIndex === 0 ? inputName(i) : `L${layerIndex}·${i + 1}`);
    const colName = (j) => (last ? `out ${j + 1}` : `L${layerIndex + 1}·${j + 1}`);
    cells = [];
    const cell = (spec, title) => {
      const td = el('td', { tabindex: '0', title, dataset: { kind: spec.kind } });
      cells.push({ td, ...spec });
      return td;
    };
    const head = el('tr', {}, el('th', { scope: 'col', class: 'corner' }, 'from ╲ to'),
      Array.from({ length: cols }, (_, j) => el('th', { scope: 'col' }, colName(j))));
    const body = [];
    for (let i = 0; i < rows; i++) {
      body.push(el('tr', {}, el('th', { scope: 'row' }, rowName(i)),
        Array.from({ length: cols }, (_, j) => cell({ kind: 'weight', layer: layerIndex, source: i, target: j, index: o.w + i * o.nOut + j },
          `weight ${rowName(i)} → ${colName(j)} · click or Enter to change`))));
    }
    body.push(el('tr', { class: 'bias-row' }, el('th', { scope: 'row' }, 'bias b'),
      Array.from({ length: cols }, (_, j) => cell({ kind: 'bias', layer: layerIndex, unit: j, index: o.b + j },
        `bias of ${colName(j)} · click or Enter to change`))));
    const more = o.nIn > rows || o.nOut > cols ? el('p', { class: 'hint' }, `Showing ${rows} of ${o.nIn} rows and ${cols} of ${o.nOut} columns.`) : null;
    message.textContent = '';
    setChildren(host,
      el('div', { class: 'matrix-head' },
        el('strong', {}, last ? 'Weights into the output' : `Weights into layer ${layerIndex + 1}`),
        el('span', { class: 'hint' }, `W is ${o.nIn} × ${o.nOut}: one row per neuron the connections leave, one column per neuron they reach; z = a·W + b. W and b are parameters: training learns them, and you can click a number to set it by hand.`),
        el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Close', onclick: () => close() }, '×')),
      el('div', { class: 'matrix-scroll' }, el('table', { class: 'matrix-table' }, el('thead', {}, head), el('tbody', {}, body))),
      message, more);
    host.hidden = false;
    paint();
  }

  function paint() {
    if (host.hidden || !latest.params) return;
    for (const c of cells) {
      if (editing && editing.cell === c) continue;
      const v = latest.params[c.index];
      c.td.textContent = fmt(v, 3);
      c.td.style.background = rgb(diverging(Math.max(-1, Math.min(1, v / 2)) * 0.8));
    }
  }

  function close() {
    host.hidden = true;
    cells = [];
    editing = null;
    layer = null;
  }

  // ------------------------------------------------------------------ editing one cell
  function startEdit(c) {
    if (editing && editing.cell === c) return;
    stopEdit();
    const current = latest.params ? latest.params[c.index] : 0;
    const input = el('input', { type: 'text', inputmode: 'decimal', class: 'matrix-input', value: String(Number(current.toFixed(4))),
      'aria-label': c.kind === 'weight' ? 'New weight' : 'New bias' });
    editing = { cell: c, input };
    c.td.classList.add('is-editing');
    c.td.replaceChildren(input);
    input.focus();
    input.select();
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        apply(c, input.value);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        stopEdit(true);
      }
    });
    input.addEventListener('blur', () => { if (editing && editing.input === input) stopEdit(); });
  }

  function stopEdit(refocus = false) {
    if (!editing) return;
    const { cell } = editing;
    editing = null;
    cell.td.classList.remove('is-editing');
    paint();
    if (refocus) cell.td.focus();
  }

  function apply(c, text) {
    const value = parseNumber(text);
    if (value === null || Math.abs(value) > LIMIT) {
      message.textContent = `“${String(text).slice(0, 40)}” is not a number between −${LIMIT.toLocaleString('en-US')} and ${LIMIT.toLocaleString('en-US')}: nothing was changed.`;
      editing.input.setAttribute('aria-invalid', 'true');
      return;
    }
    message.textContent = '';
    const sent = c.kind === 'weight'
      ? actions.send({ type: 'edit_weight', layer: c.layer, source: c.source, target: c.target, value })
      : actions.send({ type: 'edit_bias', layer: c.layer, unit: c.unit, value });
    if (!sent) {
      message.textContent = 'Not connected to the server: nothing was changed.';
      return;
    }
    edits += 1;
    publish({ matrixEdits: edits });
    stopEdit(true);
  }

  host.addEventListener('click', (event) => {
    const c = cells.find((x) => x.td === event.target);
    if (c) startEdit(c);
  });
  host.addEventListener('keydown', (event) => {
    const c = cells.find((x) => x.td === event.target);
    if (c && (event.key === 'Enter' || event.key === 'F2')) {
      event.preventDefault();
      startEdit(c);
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !host.hidden && !editing) close();
  });

  return {
    open,
    update(flags) {
      if ((flags.has('network') || flags.has('config') || flags.has('data')) && layer !== null) {
        if (shapeKey() !== shape) {
          if (layer < latest.paramOffsets().length) open(layer);
          else close();
        }
      }
      if (flags.has('frame')) paint();
    },
  };
}
