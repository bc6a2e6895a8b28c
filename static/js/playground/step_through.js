// Step-through of one data point (the point pinned by clicking the output map). The engine's inspector sends, for
// that point, every layer's z, a, δ, ∂L/∂W, ∂L/∂b and the weights after one optimizer step on it alone; this view
// walks through them in the order the maths happens:
//   forward:  layer by layer, every neuron's z = Σᵢ wᵢ·aᵢ + b and a = f(z);
//   backward: the loss L for this point, then layer by layer from the output, each neuron's δ = ∂L/∂z
//             (δ = f′(z)·Σ w·δ_next) and each weight's ∂L/∂w = a_from·δ_to and bias's ∂L/∂b = δ;
//   update:   layer by layer, old weight → new weight for the current learning rate and optimizer.
// The panel lists the numbers of the current step; the same numbers are written on the diagram, and hovering (or
// focusing) any of them spells out the product behind it. ←/→ move when the panel has focus. Live while training.
//
// Facts published (progress.js): stepPhase ('forward' | 'backward' | 'update' | null), stepLayer (1…L for the
// layers after the input, L = the output, 'loss' for the loss step, null), inspectedPoint ([x₁, x₂] or null).

import { el, setChildren, setText, fmt } from '../shared/dom.js';
import { layoutFor } from './layout.js';
import { FEATURE_LABELS } from './feature_maps.js';
import { label } from '../shared/choices.js';
import { publish } from '../shared/progress.js';
import { CURVES, SLOPE_TEXT, drawActivation } from './activation_plot.js';
import { RULES, spellUpdate, num, paren } from './update_rule.js';

const MAX_ROWS = 48;
const PHASES = ['forward', 'backward', 'update'];
const PHASE_TITLES = { forward: 'Forward', backward: 'Backward', update: 'Update' };

/** The order of the steps for a network with L layers after the input. */
export function stepsFor(nLayers) {
  const steps = [];
  for (let l = 0; l < nLayers; l++) steps.push({ phase: 'forward', layer: l });
  steps.push({ phase: 'backward', layer: nLayers });
  for (let l = nLayers - 1; l >= 0; l--) steps.push({ phase: 'backward', layer: l });
  for (let l = 0; l < nLayers; l++) steps.push({ phase: 'update', layer: l });
  return steps;
}

export function createStepThrough({ state, latest }) {
  const host = document.getElementById('stepthrough');
  const box = document.getElementById('network');
  const overlay = el('div', { class: 'step-overlay', id: 'step-overlay', 'aria-hidden': 'true' });
  const tip = el('div', { class: 'step-tip', hidden: true });
  box.append(overlay, tip);

  const buttons = Object.fromEntries(PHASES.map((p) => [p, el('button', { type: 'button', class: 'phase-btn', id: `step-${p}`,
    'aria-pressed': 'false', onclick: () => jumpTo(p) }, PHASE_TITLES[p])]));
  const prev = el('button', { type: 'button', class: 'secondary small', id: 'step-prev', 'aria-label': 'Previous step', onclick: () => move(-1) }, '◀');
  const next = el('button', { type: 'button', class: 'secondary small', id: 'step-next', 'aria-label': 'Next step', onclick: () => move(1) }, '▶');
  const counter = el('span', { class: 'step-counter', id: 'step-counter' });
  const title = el('p', { class: 'step-title', id: 'step-title' });
  const formula = el('p', { class: 'step-formula', id: 'step-formula' });
  const table = el('table', { class: 'step-table', id: 'step-table' });
  // the table lists a layer's first MAX_ROWS weights; this button (outside the table, which is rebuilt every frame) lists all
  const more = el('button', { type: 'button', class: 'secondary small step-more', id: 'step-more', hidden: true,
    onclick: () => { allWeights = !allWeights; render(); } });
  const plot = el('canvas', { class: 'step-plot', id: 'step-plot', role: 'img' });
  const plotNote = el('p', { class: 'step-plot-note', id: 'step-plot-note' });
  const explain = el('p', { class: 'step-explain', id: 'step-explain', 'aria-live': 'polite' });
  const hint = el('p', { class: 'hint step-hint', id: 'step-hint' },
    'Click a point on the output map, then follow it forward through the network, back with the chain rule, and into the weight update.');
  const body = el('div', { class: 'step-body' }, title, formula, el('div', { class: 'step-grid' },
    el('div', { class: 'step-table-wrap' }, table, more), el('figure', { class: 'step-figure' }, plot, plotNote)), explain);
  setChildren(host,
    el('div', { class: 'step-head' },
      el('h2', { class: 'panel-title', id: 'step-heading' }, 'Step-through'),
      el('div', { class: 'step-phases', role: 'group', 'aria-label': 'Jump to a phase' }, Object.values(buttons)),
      el('div', { class: 'step-nav' }, prev, counter, next)),
    hint, body);
  host.setAttribute('tabindex', '0');
  host.setAttribute('aria-labelledby', 'step-heading');

  let cursor = -1;      // index into the steps, −1 before the person starts
  let shown = '';       // what was last published
  let hovered = -1;     // neuron of the current layer under the pointer (marked larger on the plot)
  let explaining = null; // (inspection) → the words under the table, for the number last hovered or focused
  let stepKey = '';
  let allWeights = false; // list every weight of the layer, not only the first MAX_ROWS
  let idleKey = '';

  // ------------------------------------------------------------------ reading the inspection
  function inspection() {
    const i = latest.inspection;
    const p = latest.pinned;
    if (!p || !latest.isPlane || !i || !Array.isArray(i.layers) || !Array.isArray(i.point)) return null;
    return i.point[0] === p[0] && i.point[1] === p[1] ? i : null;
  }

  function steps() {
    const i = inspection();
    return i ? stepsFor(i.layers.length) : [];
  }

  function inputName(k) {
    const features = (latest.config && latest.config.features) || [];
    return FEATURE_LABELS[features[k]] || features[k] || `x${k + 1}`;
  }

  function unitName(insp, l, k) {
    const last = insp.layers.length - 1;
    if (l < 0) return inputName(k);
    if (l === last) {
      if (insp.layers[l].a.length === 1) return 'out';
      const names = (latest.data && latest.data.class_names) || [];
      return `out ${names[k] ?? k + 1}`;
    }
    return `L${l + 1}·${k + 1}`;
  }

  function layerName(insp, l) {
    return l === insp.layers.length - 1 ? 'the output layer' : `hidden layer ${l + 1}`;
  }

  /** a of the layer feeding layer l (the input features for l = 0). */
  function fromValues(insp, l) {
    return l === 0 ? insp.input : insp.layers[l - 1].a;
  }

  // ------------------------------------------------------------------ explanations (the chain rule spelled out)
  function forwardText(insp, l, k) {
    const layer = insp.layers[l];
    const x = fromValues(insp, l);
    const terms = x.map((v, s) => `${paren(layer.w[s][k])}·${paren(v)}`);
    const sum = x.length <= 4 ? `${terms.join(' + ')} + ${paren(layer.b[k])}` : `Σ of ${x.length} products w·a + ${paren(layer.b[k])}`;
    const act = layer.activation;
    const f = act === 'softmax' ? `a = e^z / Σ e^z over the ${layer.a.length} outputs` : `a = ${label(act).toLowerCase()}(z)`;
    return `${unitName(insp, l, k)}: z = Σ w·a + b = ${sum} = ${num(layer.z[k])}; ${f} = ${num(layer.a[k])}`;
  }

  function slopeOf(act, z) {
    const curve = CURVES[act];
    return curve ? curve[1](z) : null;
  }

  function outputDeltaText(insp, k) {
    const layer = insp.layers[insp.layers.length - 1];
    const a = layer.a[k];
    const t = insp.target[k];
    const z = layer.z[k];
    const d = layer.delta[k];
    const loss = latest.config && latest.config.loss;
    const act = layer.activation;
    const name = unitName(insp, insp.layers.length - 1, k);
    if (loss === 'bce' || loss === 'perceptron' || ((loss === 'cce' || loss === 'kl') && act === 'softmax')) {
      return `${name}: δ = ∂L/∂z = a − t = ${num(a)} − ${paren(t)} = ${num(d)} (${label(loss).toLowerCase()} with ${label(act).toLowerCase()} output)`;
    }
    if (loss === 'hinge') {
      return `${name}: δ = ∂L/∂z = −t when t·z < 1, else 0; t·z = ${num(t * z)} → δ = ${num(d)}`;
    }
    if (act !== 'softmax') {
      const slope = slopeOf(act, z);
      const huber = loss === 'huber' ? ' (Huber: a − t clipped to ±δ_Huber)' : '';
      return `${name}: δ = ∂L/∂a · f′(z) = (a − t)·f′(z) = (${num(a)} − ${paren(t)}) × ${num(slope)} = ${num(d)}${huber}`;
    }
    return `${name}: δ = ∂L/∂z through the softmax: a·((a − t) − Σ a·(a − t)) = ${num(d)}`;
  }

  function hiddenDeltaText(insp, l, k) {
    const layer = insp.layers[l];
    const nextLayer = insp.layers[l + 1];
    const products = nextLayer.delta.map((d, j) => `${paren(nextLayer.w[k][j])}·${paren(d)}`);
    const sum = nextLayer.delta.reduce((acc, d, j) => acc + nextLayer.w[k][j] * d, 0);
    const spelled = products.length <= 3 ? `(${products.join(' + ')})` : `(Σ of ${products.length} products = ${num(sum)})`;
    const slope = slopeOf(layer.activation, layer.z[k]);
    return `${unitName(insp, l, k)}: δ = f′(z)·Σ w·δ_next = ${num(slope)} × ${spelled} = ${num(layer.delta[k])}   [${SLOPE_TEXT[layer.activation] || ''}]`;
  }

  function deltaText(insp, l, k) {
    return l === insp.layers.length - 1 ? outputDeltaText(insp, k) : hiddenDeltaText(insp, l, k);
  }

  function gradText(insp, l, s, k) {
    const a = fromValues(insp, l)[s];
    const d = insp.layers[l].delta[k];
    return `∂L/∂w for ${unitName(insp, l - 1, s)} → ${unitName(insp, l, k)} = a_from · δ_to = ${num(a)} × ${paren(d)} = ${num(insp.layers[l].grad_w[s][k])}`;
  }

  function biasGradText(insp, l, k) {
    return `∂L/∂b of ${unitName(insp, l, k)} = δ = ${num(insp.layers[l].grad_b[k])} (the bias's input is always 1)`;
  }

  function lossText(insp, k) {
    const out = insp.layers[insp.layers.length - 1];
    return `L = ${num(insp.loss)} (${label((latest.config || {}).loss)}) for output a = ${num(out.a[k])} against target t = ${num(insp.target[k])}`;
  }

  /** One parameter's numbers for the update rule: kind 'w' (weight s → k) or 'b' (bias of k) of layer l. */
  function parameter(layer, kind, s, k) {
    const at = (key) => {
      const v = layer[key];
      return v === undefined ? undefined : (kind === 'w' ? v[s][k] : v[k]);
    };
    return { old: at(kind), g: at(`step_${kind}`), now: at(`new_${kind}`), m: at(`m_${kind}`), newM: at(`new_m_${kind}`),
      s: at(`s_${kind}`), newS: at(`new_s_${kind}`) };
  }

  function updateText(insp, l, kind, s, k) {
    const layer = insp.layers[l];
    const what = kind === 'w' ? `w ${unitName(insp, l - 1, s)} → ${unitName(insp, l, k)}` : `b of ${unitName(insp, l, k)}`;
    const p = parameter(layer, kind, s, k);
    const grad = kind === 'w' ? layer.grad_w[s][k] : layer.grad_b[k];
    const c = latest.config || {};
    if (kind === 'b' && c.learn_bias === false) return `${what}: biases are not learned in this run (Learn biases is off), so b stays ${num(p.old)}`;
    const penalty = p.g !== grad
      ? `g = ∂L/∂w + the ${label(c.regularization)} penalty's slope = ${num(grad)} + ${paren(p.g - grad)} = ${num(p.g)}; `
      : '';
    return `${what}: ${penalty}${spellUpdate(insp.update, p)}`;
  }

  // ------------------------------------------------------------------ moving
  function jumpTo(phase) {
    const list = steps();
    const at = list.findIndex((s) => s.phase === phase);
    if (at >= 0) { cursor = at; render(); }
  }

  function move(delta) {
    const list = steps();
    if (!list.length) return;
    cursor = Math.max(0, Math.min(list.length - 1, cursor + delta));
    render();
  }

  host.addEventListener('keydown', (event) => {
    const tag = event.target && event.target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      move(event.key === 'ArrowRight' ? 1 : -1);
    }
  });

  // ------------------------------------------------------------------ the panel
  /** Show why a number is what it is; `why(insp)` is kept so the words follow live numbers. */
  function explainWith(why) {
    explaining = why;
    const insp = inspection();
    explain.textContent = insp ? why(insp) : '';
  }

  function row(cells, why, attrs = {}) {
    const tr = el('tr', { tabindex: '0', ...attrs }, cells);
    const show = () => explainWith(why);
    tr.addEventListener('pointerenter', show);
    tr.addEventListener('focus', show);
    return tr;
  }

  function header(...names) {
    return el('thead', {}, el('tr', {}, names.map((n) => el('th', { scope: 'col' }, n))));
  }

  /** Rows for the weights s → k of a layer (nFrom × nTo), the first MAX_ROWS unless the person asked for all. */
  function weightRows(nFrom, nTo, makeRow) {
    const total = nFrom * nTo;
    const shown = allWeights ? total : Math.min(total, MAX_ROWS);
    setText(more, allWeights ? `Show the first ${MAX_ROWS} weights only` : `Show all ${total} weights (${total - MAX_ROWS} more)`);
    more.hidden = total <= MAX_ROWS;
    const out = [];
    for (let i = 0; i < shown; i++) out.push(makeRow(Math.floor(i / nTo), i % nTo));
    return out;
  }

  function renderPanel(insp, step) {
    more.hidden = true;
    const { phase, layer: l } = step;
    let panel;
    if (phase === 'forward') panel = forwardPanel(insp, l);
    else if (phase === 'backward' && l === insp.layers.length) panel = lossPanel(insp);
    else if (phase === 'backward') panel = backwardPanel(insp, l);
    else panel = updatePanel(insp, l);
    setChildren(table, panel.head, el('tbody', {}, panel.rows));
    renderPlot(insp, panel.plotLayer);
  }

  // Each step's panel: sets the title and formula, returns the table's head and rows and the layer whose activation
  // is plotted (null for none).
  function forwardPanel(insp, l) {
    const layer = insp.layers[l];
    title.textContent = `Forward · ${layerName(insp, l)} (${label(layer.activation)})`;
    formula.textContent = l === 0
      ? 'Each neuron adds up its inputs times their weights plus its bias, z = Σ w·x + b, then applies its activation, a = f(z).'
      : 'Same again, now fed with the previous layer’s a: z = Σ w·a + b, a = f(z).';
    const rows = layer.z.map((z, k) => row([el('th', { scope: 'row' }, unitName(insp, l, k)),
      el('td', { class: 'v-z' }, num(z)), el('td', { class: 'v-a' }, num(layer.a[k]))], (i) => forwardText(i, l, k), { dataset: { unit: String(k) } }));
    return { head: header('neuron', 'z', 'a = f(z)'), rows, plotLayer: l };
  }

  function lossPanel(insp) {
    const L = insp.layers.length;
    const out = insp.layers[L - 1];
    title.textContent = `Backward · the loss for this point: L = ${num(insp.loss)}`;
    formula.textContent = `${label((latest.config || {}).loss)} compares the output a with the target t. Backpropagation now asks how L changes with every number before it.`;
    const rows = out.a.map((a, k) => row([el('th', { scope: 'row' }, unitName(insp, L - 1, k)),
      el('td', { class: 'v-a' }, num(a)), el('td', { class: 'v-t' }, num(insp.target[k]))],
    (i) => lossText(i, k), { dataset: { unit: String(k) } }));
    return { head: header('output', 'a', 'target t'), rows, plotLayer: null };
  }

  function backwardPanel(insp, l) {
    const layer = insp.layers[l];
    title.textContent = `Backward · ${layerName(insp, l)}: δ, ∂L/∂w and ∂L/∂b`;
    formula.textContent = l === insp.layers.length - 1
      ? 'δ = ∂L/∂z at the output; each weight’s gradient is ∂L/∂w = a_from · δ_to and each bias’s is ∂L/∂b = δ.'
      : 'The chain rule carries the error back: δ = f′(z)·Σ w·δ_next; then ∂L/∂w = a_from · δ_to and ∂L/∂b = δ.';
    const head = header('', 'δ or ∂L/∂w', '∂L/∂b');
    const rows = layer.delta.map((d, k) => row([el('th', { scope: 'row' }, unitName(insp, l, k)),
      el('td', { class: 'v-delta' }, num(d)), el('td', { class: 'v-gb' }, num(layer.grad_b[k]))],
    (i) => `${deltaText(i, l, k)} · ${biasGradText(i, l, k)}`, { dataset: { unit: String(k) } }));
    rows.push(...weightRows(fromValues(insp, l).length, layer.delta.length, (s, k) => row([
      el('th', { scope: 'row' }, `${unitName(insp, l - 1, s)} → ${unitName(insp, l, k)}`),
      el('td', { class: 'v-gw' }, num(layer.grad_w[s][k])), el('td', {}, '')], (i) => gradText(i, l, s, k),
    { class: 'weight-row', dataset: { source: String(s), target: String(k) } })));
    return { head, rows, plotLayer: l };
  }

  function updatePanel(insp, l) {
    const layer = insp.layers[l];
    const c = latest.config || {};
    title.textContent = `Update · ${layerName(insp, l)}: old → new`;
    const rule = insp.update ? insp.update.optimizer : 'sgd';
    const penalty = c.regularization !== 'none' && c.reg_rate ? ` plus the ${label(c.regularization)} penalty's slope` : '';
    formula.textContent = `One ${rule === 'sgd' ? 'gradient-descent' : label(rule)} step on this point alone: ${RULES[rule]}, with η = ${num(c.learning_rate)} and g = ∂L/∂w`
      + `${penalty} (training averages g over a batch). `;
    formula.append(el('span', { class: 'learned-chosen' }, 'w and b are parameters (learned); η and the optimizer are hyperparameters (chosen).'));
    const head = header('', 'old', 'new');
    const rows = weightRows(fromValues(insp, l).length, layer.z.length, (s, k) => row([
      el('th', { scope: 'row' }, `w ${unitName(insp, l - 1, s)} → ${unitName(insp, l, k)}`),
      el('td', { class: 'v-old' }, num(layer.w[s][k])), el('td', { class: 'v-new' }, num(layer.new_w[s][k]))],
    (i) => updateText(i, l, 'w', s, k), { class: 'weight-row', dataset: { source: String(s), target: String(k) } }));
    layer.b.forEach((b, k) => rows.push(row([el('th', { scope: 'row' }, `b ${unitName(insp, l, k)}`),
      el('td', { class: 'v-old' }, num(b)), el('td', { class: 'v-new' }, num(layer.new_b[k]))],
    (i) => updateText(i, l, 'b', 0, k), { class: 'bias-row', dataset: { unit: String(k) } })));
    return { head, rows, plotLayer: null };
  }

  function renderPlot(insp, l) {
    const act = l === null ? null : insp.layers[l].activation;
    const large = state.get('projector');
    const size = large ? [220, 120] : [168, 92];
    plot.style.width = `${size[0]}px`;
    plot.style.height = `${size[1]}px`;
    const drawn = act && drawActivation(plot, act, { width: size[0], height: size[1], marks: insp.layers[l].z, strong: hovered });
    plot.hidden = !drawn;
    if (!act) plotNote.textContent = '';
    else if (!drawn) plotNote.textContent = 'Softmax: each output depends on every z, so there is no single curve.';
    else {
      const zs = insp.layers[l].z;
      const k = hovered >= 0 && hovered < zs.length ? hovered : 0;
      const [f, df] = CURVES[act];
      plotNote.textContent = `${label(act)} f (solid) and f′ (dashed); dots at each neuron’s z. ${unitName(insp, l, k)}: z = ${num(zs[k])}, f(z) = ${num(f(zs[k]))}, f′(z) = ${num(df(zs[k]))}`;
      plot.setAttribute('aria-label', plotNote.textContent);
    }
  }

  // ------------------------------------------------------------------ the diagram
  // The overlay is rebuilt with every frame; notes are numbered in the order they are made (the same for one step
  // of one network), so the note under the pointer keeps its tip, with live numbers, across frames.
  let noteCount = 0;
  let tipNote = -1;      // number of the note whose tip is showing, −1 for none

  function showTip(n, why) {
    explainWith(why);
    tip.textContent = explain.textContent;
    tip.hidden = false;
    const r = n.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    const left = Math.min(Math.max(4, r.left - b.left), b.width - tip.offsetWidth - 4);
    tip.style.transform = `translate(${left.toFixed(0)}px, ${(r.bottom - b.top + 4).toFixed(0)}px)`;
  }

  function note(x, y, text, cls, why) {
    const n = el('div', { class: `step-note ${cls}`, style: `transform:translate(${x.toFixed(1)}px,${y.toFixed(1)}px)` }, text);
    const number = noteCount++;
    n.addEventListener('pointerenter', () => { tipNote = number; showTip(n, why); });
    n.addEventListener('pointerleave', () => { tipNote = -1; tip.hidden = true; });
    if (number === tipNote) queueMicrotask(() => { if (n.isConnected && tipNote === number) showTip(n, why); });
    return n;
  }

  function renderDiagram(insp, step) {
    noteCount = 0;
    tip.hidden = true;
    const layout = layoutFor(latest, box.clientWidth, box.clientHeight, state.get('projector'));
    if (!insp || !step || !layout || layout.columns.length !== insp.layers.length + 1) {
      overlay.replaceChildren();
      return;
    }
    const L = insp.layers.length;
    const { phase, layer: current } = step;
    const items = [];
    const node = layout.node;
    const ring = (l) => layout.columns[l + 1].forEach((p) => items.push(el('div', { class: `step-ring is-${phase}`,
      style: `transform:translate(${(p.x - node / 2 - 4).toFixed(1)}px,${(p.y - node / 2 - 4).toFixed(1)}px);width:${node + 8}px;height:${node + 8}px` })));
    // between tightly packed neurons a line of text no longer fits under a node: write a shorter note beside it
    const dense = layout.pitch - node < 12;
    const below = (l, k, text, cls, why, short = text) => {
      const p = layout.columns[l + 1][k];
      if (dense) items.push(note(p.x + node / 2 + 3, p.y, short, `beside ${cls}`, why));
      else items.push(note(p.x, p.y + node / 2 + 2, text, `below ${cls}`, why));
    };
    const leftStack = (l, k, lines) => {
      const p = layout.columns[l + 1][k];
      const room = Math.floor(layout.pitch / 12);
      if (dense || room < 2) return;   // the panel lists them all
      const shownLines = lines.length > room ? lines.slice(0, room - 1) : lines;
      const stack = el('div', { class: 'step-stack', style: `transform:translate(${(p.x - node / 2 - 6).toFixed(1)}px,${p.y.toFixed(1)}px)` },
        shownLines.map(([text, why]) => note(0, 0, text, 'in-stack', why)),
        lines.length > shownLines.length ? el('div', { class: 'step-note in-stack more' }, `+${lines.length - shownLines.length} more below`) : null);
      items.push(stack);
    };
    if (phase === 'forward') {
      ring(current);
      layout.columns[0].forEach((p, s) => items.push(note(p.x + layout.inputNode / 2 + 4, p.y, `${inputName(s)} = ${fmt(insp.input[s], 3)}`,
        'beside', (i) => `input ${inputName(s)} of the pinned point = ${num(i.input[s])}`)));
      for (let l = 0; l <= current; l++) {
        insp.layers[l].z.forEach((z, k) => below(l, k, `z ${fmt(z, 3)} · a ${fmt(insp.layers[l].a[k], 3)}`, l === current ? 'is-current' : 'is-done',
          (i) => forwardText(i, l, k), `a ${fmt(insp.layers[l].a[k], 2)}`));
      }
    } else if (phase === 'backward' && current === L) {
      ring(L - 1);
      insp.layers[L - 1].a.forEach((a, k) => below(L - 1, k, `a ${fmt(a, 3)} · t ${fmt(insp.target[k], 3)}`, 'is-current',
        (i) => lossText(i, k)));
    } else if (phase === 'backward') {
      ring(current);
      for (let l = L - 1; l >= current; l--) {
        insp.layers[l].delta.forEach((d, k) => below(l, k, `δ ${fmt(d, 3)}`, l === current ? 'is-current' : 'is-done', (i) => deltaText(i, l, k),
          `δ ${fmt(d, 2)}`));
      }
      const from = fromValues(insp, current);
      insp.layers[current].delta.forEach((_, k) => leftStack(current, k,
        from.map((__, s) => [`${unitName(insp, current - 1, s)}: ${fmt(insp.layers[current].grad_w[s][k], 3)}`, (i) => gradText(i, current, s, k)])));
    } else {
      ring(current);
      const layer = insp.layers[current];
      const from = fromValues(insp, current);
      layer.z.forEach((_, k) => leftStack(current, k, [
        ...from.map((__, s) => [`${fmt(layer.w[s][k], 3)} → ${fmt(layer.new_w[s][k], 3)}`, (i) => updateText(i, current, 'w', s, k)]),
        [`b ${fmt(layer.b[k], 3)} → ${fmt(layer.new_b[k], 3)}`, (i) => updateText(i, current, 'b', 0, k)]]));
    }
    overlay.replaceChildren(...items);
  }

  // ------------------------------------------------------------------ everything together
  function render() {
    const insp = inspection();
    const list = insp ? stepsFor(insp.layers.length) : [];
    // unpinning ends the walk; a newly pinned point keeps its place (the step stays while its numbers arrive)
    if (!latest.pinned) cursor = -1;
    else if (list.length && cursor >= list.length) cursor = list.length - 1;
    const step = insp && cursor >= 0 ? list[cursor] : null;
    publishFacts(insp, step);
    // nothing to walk through: touch the page only when that picture changes (this runs with every frame)
    const idle = step ? null : JSON.stringify([latest.isPlane, Boolean(insp), Boolean(overlay.firstChild)]);
    if (idle && idle === idleKey) return;
    idleKey = idle;
    host.hidden = !latest.isPlane;   // the step-through follows a point of the plane (digits have their own pad)
    hint.hidden = Boolean(step);
    body.hidden = !step;
    for (const p of PHASES) {
      buttons[p].disabled = !insp;
      buttons[p].setAttribute('aria-pressed', step && step.phase === p ? 'true' : 'false');
    }
    prev.disabled = !step || cursor === 0;
    next.disabled = !insp || cursor >= list.length - 1;
    setText(counter, step ? `${cursor + 1} / ${list.length}` : '');
    const key = step ? `${step.phase}:${step.layer}:${JSON.stringify(latest.sizes)}` : '';
    if (key !== stepKey) {
      stepKey = key;
      explaining = null;
      hovered = -1;
      tipNote = -1;
    }
    if (insp && step) renderPanel(insp, step);
    explain.textContent = insp && explaining ? explaining(insp) : '';
    renderDiagram(insp, step);
  }

  function publishFacts(insp, step) {
    const L = insp ? insp.layers.length : 0;
    const facts = {
      stepPhase: step ? step.phase : null,
      stepLayer: step ? (step.layer === L ? 'loss' : step.layer + 1) : null,
      inspectedPoint: latest.pinned ? latest.pinned.slice() : null,
    };
    const factsKey = JSON.stringify(facts);
    if (factsKey !== shown) {
      shown = factsKey;
      publish(facts);
    }
  }

  table.addEventListener('pointerover', (event) => {
    const tr = event.target.closest && event.target.closest('tr[data-unit]');
    const k = tr ? Number(tr.dataset.unit) : -1;
    if (k !== hovered) {
      hovered = k;
      const insp = inspection();
      const step = steps()[cursor];
      if (insp && step && step.layer < insp.layers.length) renderPlot(insp, step.phase === 'update' ? null : step.layer);
    }
  });

  return {
    update(flags) {
      if (flags.has('inspection') || flags.has('pinned') || flags.has('layout') || flags.has('network') || flags.has('data')
        || flags.has('config') || flags.has('state')) render();
    },
  };
}
