// The network diagram: hidden and output neurons with their maps, links coloured by sign and thick by size,
// every bias, +/− for layers and neurons, per-layer activation, and typing a new weight or bias by hand.
// Geometry comes from layout.js; the input column on the plane belongs to features.js.

import { SPEC } from '/spec.js';
import { el, setChildren, fmt } from '../shared/dom.js';
import { layoutFor, linkPath } from './layout.js';
import { FEATURE_LABELS } from './feature_maps.js';
import { MapCanvas, lutFor, lutDiverging, unitScale, diverging, classColor, rgb, MID, NEG, POS } from '../shared/colors.js';
import { label } from '../shared/choices.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_NEURONS = 16;         // the diagram's room per layer (the server allows wider layers)
const SHORT = { leaky_relu: 'Leaky' };    // the layer's narrow menu abbreviates this one
const MAX_LAYERS = 10;
const POS_STROKE = rgb(POS);
const NEG_STROKE = rgb(NEG);

export function createNetwork({ state, latest, actions }) {
  const box = document.getElementById('network');
  const layer = document.getElementById('net-layer');
  const svg = document.getElementById('links');
  const stepperHost = document.getElementById('layer-stepper');
  const paramCount = document.getElementById('param-count');
  const tip = el('div', { class: 'tip', role: 'status', hidden: true });
  const editor = el('form', { class: 'editor', hidden: true });
  box.append(tip, editor);

  let key = '';
  let links = [];      // { layer, source, target, index, path, width, opacity, sign }
  let units = [];      // { u, layer, index, map, node, bias, biasIndex, activation }
  let offsets = [];
  let inputs = [];     // input nodes drawn here (data without a plane)
  let hover = null;    // { kind: 'link' | 'bias' | 'unit', item }
  let focused = null;

  // ------------------------------------------------------------ stepper
  const minus = el('button', { type: 'button', class: 'step-btn', id: 'remove-layer', 'aria-label': 'Remove a hidden layer',
    onclick: () => changeLayers(-1) }, '−');
  const plus = el('button', { type: 'button', class: 'step-btn', id: 'add-layer', 'aria-label': 'Add a hidden layer',
    onclick: () => changeLayers(1) }, '+');
  const layerCount = el('span', { class: 'stepper-text', id: 'layer-count' }, '');
  setChildren(stepperHost, minus, plus, layerCount);

  function layerActs(hidden) {
    const acts = state.get('hidden_activations');
    return acts && acts.length === hidden.length ? acts.slice() : null;
  }

  function changeLayers(delta) {
    const hidden = state.get('hidden').slice();
    const acts = layerActs(hidden);
    if (delta > 0 && hidden.length < MAX_LAYERS) {
      hidden.push(hidden.length ? hidden[hidden.length - 1] : 4);
      if (acts) acts.push(acts.length ? acts[acts.length - 1] : state.get('activation'));
    } else if (delta < 0 && hidden.length > 0) {
      hidden.pop();
      if (acts) acts.pop();
    } else return;
    const patch = { hidden };
    if (acts) patch.hidden_activations = acts;
    if (hidden.length && state.get('activation') === 'step') {
      // the perceptron's step output cannot train behind hidden layers: back to the task's usual loss and output
      patch.activation = 'tanh';
      patch.loss = null;
      patch.output_activation = null;
    }
    state.set(patch);
  }

  function changeNeurons(l, delta) {
    const hidden = state.get('hidden').slice();
    const next = hidden[l] + delta;
    if (next < 1 || next > MAX_NEURONS) return;
    hidden[l] = next;
    state.set({ hidden });
  }

  function setLayerActivation(l, name) {
    const hidden = state.get('hidden');
    const acts = layerActs(hidden) || hidden.map(() => state.get('activation'));
    acts[l] = name;
    state.set({ hidden_activations: acts });
  }

  // ------------------------------------------------------------- build
  function build() {
    const width = box.clientWidth;
    const height = box.clientHeight;
    const layout = layoutFor(latest, width, height, state.get('projector'));
    const net = latest.network;
    hideTip();
    closeEditor();
    if (!layout || !net) {
      setChildren(layer);
      svg.replaceChildren();
      links = [];
      units = [];
      return;
    }
    const sizes = net.sizes;
    const acts = net.activations || [];
    offsets = latest.paramOffsets();
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    buildLinks(layout, sizes);
    const nodes = [...buildUnits(layout, sizes, acts), ...buildInputs(layout, sizes)];
    setChildren(layer, layerHeads(layout, sizes, acts), nodes);
    showCounts(net, sizes.length - 2);
    if (focused) {
      const again = units.find((x) => x.u === focused.u);
      focused = again || null;
      if (again) again.node.classList.add('is-focused');
    }
  }

  /** The links, drawn under the nodes; a wide transparent twin catches the pointer. */
  function buildLinks(layout, sizes) {
    const visible = document.createElementNS(SVG, 'g');
    const hits = document.createElementNS(SVG, 'g');
    visible.setAttribute('class', 'link-lines');
    hits.setAttribute('class', 'link-hits');
    links = [];
    // between wide layers (64 pixels, 16 neurons) full-width strokes would hide each other: draw them finer
    const density = sizes.slice(0, -1).map((n, l) => Math.min(1, Math.sqrt(64 / (n * sizes[l + 1]))));
    for (let l = 0; l + 1 < sizes.length; l++) {
      const from = layout.columns[l];
      const to = layout.columns[l + 1];
      const nFrom = l === 0 ? layout.inputNode : layout.node;
      for (let s = 0; s < sizes[l]; s++) {
        for (let t = 0; t < sizes[l + 1]; t++) {
          const d = linkPath(from[s], to[t], nFrom, layout.node);
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('d', d);
          path.setAttribute('class', 'link');
          const hit = document.createElementNS(SVG, 'path');
          hit.setAttribute('d', d);
          hit.setAttribute('class', 'link-hit');
          const item = { layer: l, source: s, target: t, index: offsets[l].w + s * sizes[l + 1] + t, path, hit, width: -1, opacity: -1, sign: 0,
            scale: density[l] };
          hit.dataset.k = String(links.length);
          // one tab stop for all the links (arrow keys move between them), Enter to edit
          hit.setAttribute('tabindex', links.length === 0 ? '0' : '-1');
          hit.setAttribute('role', 'button');
          hit.setAttribute('aria-label', `Weight ${sourceName(item)} to ${targetName(item, sizes)}: Enter to change, arrow keys for the next`);
          links.push(item);
          visible.append(path);
          hits.append(hit);
        }
      }
    }
    svg.replaceChildren(visible, hits);
  }

  /** The neurons after the input, each with its map canvas and bias button; fills `units`, returns their nodes. */
  function buildUnits(layout, sizes, acts) {
    const nodes = [];
    units = [];
    const node = layout.node;
    const classNames = (latest.data && latest.data.class_names) || [];
    let u = 0;
    for (let l = 1; l < sizes.length; l++) {
      const isOutput = l === sizes.length - 1;
      for (let i = 0; i < sizes[l]; i++) {
        const p = layout.columns[l][i];
        const canvas = el('canvas', { class: 'node-map', width: 2, height: 2 });
        const biasSize = Math.max(6, Math.round(node * 0.22));
        const bias = el('button', { type: 'button', class: 'bias', 'aria-label': `Bias of ${unitName(l, i, isOutput)}`,
          style: `width:${biasSize}px;height:${biasSize}px` });
        const div = el('div', { class: `node unit${isOutput ? ' output' : ''}`, dataset: { unit: String(u), layer: String(l - 1), index: String(i) },
          style: `transform:translate(${(p.x - node / 2).toFixed(1)}px,${(p.y - node / 2).toFixed(1)}px);width:${node}px;height:${node}px` },
        canvas, bias);
        if (isOutput && sizes[l] > 1) {
          div.append(el('span', { class: 'class-name', style: `color:${rgb(classColor(i))}` }, classNames[i] ?? `class ${i}`));
        }
        const item = { u, layer: l - 1, index: i, isOutput, node: div, bias, map: new MapCanvas(canvas),
          biasIndex: offsets[l - 1].b + i, activation: acts[l - 1], biasSign: 0, biasLevel: -1 };
        listenToUnit(item);
        units.push(item);
        nodes.push(div);
        u += 1;
      }
    }
    return nodes;
  }

  /** Hovering a neuron or its bias shows its tip; clicking the bias edits it. */
  function listenToUnit(item) {
    const { node: div, bias } = item;
    div.addEventListener('pointerenter', () => enterUnit(item));
    div.addEventListener('pointerleave', () => leaveUnit(item));
    bias.addEventListener('pointerenter', () => { hover = { kind: 'bias', item }; showTip(); });
    bias.addEventListener('pointerleave', () => { if (hover && hover.item === item && hover.kind === 'bias') { hover = { kind: 'unit', item }; showTip(); } });
    bias.addEventListener('click', (event) => { event.stopPropagation(); openEditor('bias', item, event, bias); });
    bias.addEventListener('focus', () => { hover = { kind: 'bias', item }; showTip(); });
    bias.addEventListener('blur', () => { if (hover && hover.item === item) { hover = null; hideTip(); } });
  }

  /** Inputs that are not plane features (CSV columns, digit pixels); fills `inputs`, returns their nodes. */
  function buildInputs(layout, sizes) {
    inputs = [];
    if (!layout.plane) {
      const names = (latest.data && latest.data.columns) || [];
      for (let i = 0; i < sizes[0]; i++) {
        const p = layout.columns[0][i];
        const n = layout.inputNode;
        const div = el('div', { class: 'node input-node', title: names[i] ?? `input ${i + 1}`,
          style: `transform:translate(${(p.x - n / 2).toFixed(1)}px,${(p.y - n / 2).toFixed(1)}px);width:${n}px;height:${n}px` });
        if (n >= 14 && sizes[0] <= 16) div.append(el('span', { class: 'input-label' }, names[i] ?? `x${i + 1}`));
        inputs.push(div);
      }
    }
    return inputs;
  }

  /** The headings above the columns: inputs, each hidden layer with its controls, the output. */
  function layerHeads(layout, sizes, acts) {
    const heads = [];
    const hidden = sizes.length - 2;
    heads.push(el('div', { class: 'layer-head input-head', style: `left:${layout.xs[0].toFixed(1)}px` },
      el('span', { class: 'layer-title' }, layout.plane ? 'Features' : 'Inputs'),
      el('span', { class: 'layer-sub' }, `${sizes[0]} in`)));
    for (let l = 1; l <= hidden; l++) heads.push(hiddenHead(l, layout, sizes, acts));
    const last = sizes.length - 1;
    heads.push(el('div', { class: 'layer-head output-head', style: `left:${layout.xs[last].toFixed(1)}px` },
      el('span', { class: 'layer-title' }, 'Output', matrixButton(last - 1)),
      el('span', { class: 'layer-sub' }, label(acts[last - 1] || ''))));
    return heads;
  }

  /** Hidden layer l's heading (1-based): its matrix button, neuron stepper and activation menu. */
  function hiddenHead(l, layout, sizes, acts) {
    const actSelect = el('select', { class: 'layer-act', dataset: { ctl: 'hidden_activations' }, 'aria-label': `Activation of hidden layer ${l}`,
      onchange: () => setLayerActivation(l - 1, actSelect.value) },
    SPEC.choices.activations.hidden.map((a) => el('option', { value: a }, SHORT[a] || label(a))));
    actSelect.value = acts[l - 1];
    return el('div', { class: 'layer-head', dataset: { layer: String(l - 1) }, style: `left:${layout.xs[l].toFixed(1)}px` },
      el('span', { class: 'layer-title' }, `Layer ${l}`, matrixButton(l - 1)),
      el('div', { class: 'neuron-stepper', dataset: { ctl: 'neurons' } },
        el('button', { type: 'button', class: 'step-btn small remove-neuron', 'aria-label': `One neuron fewer in layer ${l}`,
          onclick: () => changeNeurons(l - 1, -1) }, '−'),
        el('span', { class: 'layer-sub' }, `${sizes[l]}`),
        el('button', { type: 'button', class: 'step-btn small add-neuron', 'aria-label': `One neuron more in layer ${l}`,
          onclick: () => changeNeurons(l - 1, 1) }, '+')),
      actSelect);
  }

  /** The layer stepper's count and limits, and the number of learned parameters. */
  function showCounts(net, hidden) {
    layerCount.textContent = `${hidden} hidden layer${hidden === 1 ? '' : 's'}`;
    minus.disabled = hidden === 0;
    plus.disabled = hidden >= MAX_LAYERS;
    const nParams = net.n_params ?? offsets.reduce((a, o) => a + o.nIn * o.nOut + o.nOut, 0);
    paramCount.textContent = `learned by the network: ${nParams.toLocaleString('en-US')} weights and biases`;
  }

  // ------------------------------------------------------ a layer's weights as numbers (matrix.js)
  function matrixButton(layerIndex) {
    return el('button', { type: 'button', class: 'matrix-btn', dataset: { layer: String(layerIndex), ctl: 'matrix' },
      title: 'Show these weights as a matrix of numbers', 'aria-label': `Weights into layer ${layerIndex + 1} as numbers`,
      onclick: (event) => { event.stopPropagation(); actions.openMatrix(layerIndex); } }, 'W');
  }

  function unitName(l, i, isOutput) {
    return isOutput ? `output neuron ${i + 1}` : `neuron ${i + 1} of layer ${l}`;
  }

  // ----------------------------------------------------------- painting
  function paintLinks() {
    const params = latest.params;
    if (!params) return;
    for (const link of links) {
      const w = params[link.index];
      const a = Math.abs(w);
      const k = link.scale;
      const width = Number.isFinite(a) ? Math.round(Math.min(8, 0.6 + 2.4 * Math.sqrt(a)) * k * 4) / 4 || 0.25 : 8 * k;
      const opacity = Number.isFinite(a) ? Math.round(Math.min(1, 0.3 + 0.7 * Math.min(1, a)) * (0.4 + 0.6 * k) * 10) / 10 : 1;
      const sign = w >= 0 ? 1 : -1;
      if (width !== link.width) { link.path.setAttribute('stroke-width', width); link.width = width; }
      if (opacity !== link.opacity) { link.path.setAttribute('stroke-opacity', opacity); link.opacity = opacity; }
      if (sign !== link.sign) { link.path.setAttribute('stroke', sign > 0 ? POS_STROKE : NEG_STROKE); link.sign = sign; }
    }
  }

  /** Without a plane there are no maps: colour each neuron by its activation for the inspected example. */
  function paintActivations() {
    const layers = latest.inspection && latest.inspection.layers;
    if (latest.isPlane || !Array.isArray(layers)) return;
    const x = latest.inspection.input || [];
    inputs.forEach((node, i) => {
      const v = Number.isFinite(x[i]) ? Math.max(0, Math.min(1, Math.abs(x[i]) / (Math.abs(x[i]) > 1 ? Math.abs(x[i]) : 1))) : 0;
      const g = Math.round(240 - 200 * v);
      node.style.background = `rgb(${g},${g},${g + 4})`;
    });
    for (const item of units) {
      const a = layers[item.layer] && layers[item.layer].a ? layers[item.layer].a[item.index] : null;
      let color = null;
      if (Number.isFinite(a)) {
        if (item.isOutput && item.activation === 'softmax') {
          const c = classColor(item.index);
          const t = Math.max(0, Math.min(1, a));
          color = [MID[0] + (c[0] - MID[0]) * t, MID[1] + (c[1] - MID[1]) * t, MID[2] + (c[2] - MID[2]) * t];
        } else {
          color = diverging(unitScale(item.activation, -1, 1)(a));
        }
      }
      item.node.style.background = color ? rgb(color) : '';
      item.node.title = Number.isFinite(a) ? `activation a = ${fmt(a, 3)} for your example` : '';
    }
  }

  function paintUnits() {
    const block = latest.maps.units;
    const params = latest.params;
    for (const item of units) {
      if (block && block.maps[item.u]) {
        const m = block.maps[item.u];
        let colorOf = null;
        if (item.isOutput && item.activation === 'softmax') {
          const c = classColor(item.index);
          colorOf = (v) => {
            const t = Math.max(0, Math.min(1, v));
            return [MID[0] + (c[0] - MID[0]) * t, MID[1] + (c[1] - MID[1]) * t, MID[2] + (c[2] - MID[2]) * t];
          };
        }
        const lut = colorOf ? lutFor(m, colorOf) : lutDiverging(m, unitScale(item.activation, m.lo, m.hi));
        item.map.paint(m, block.size, lut);
      }
      if (params) {
        const b = params[item.biasIndex];
        const sign = b >= 0 ? 1 : -1;
        const level = Number.isFinite(b) ? Math.round(Math.min(1, Math.abs(b)) * 8) : 8;
        if (sign !== item.biasSign || level !== item.biasLevel) {
          item.bias.style.background = rgb(diverging(sign * (0.15 + 0.85 * (level / 8))));
          item.biasSign = sign;
          item.biasLevel = level;
        }
      }
    }
  }

  // -------------------------------------------------------- hover, edit
  function enterUnit(item) {
    hover = { kind: 'unit', item };
    if (focused) focused.node.classList.remove('is-focused');
    focused = item;
    item.node.classList.add('is-focused');
    actions.focus(item.u);
    showTip();
  }

  function leaveUnit(item) {
    if (hover && hover.item === item) hover = null;
    item.node.classList.remove('is-focused');
    if (focused === item) {
      focused = null;
      actions.focus(null);
    }
    hideTip();
  }

  svg.addEventListener('pointerover', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    if (k === undefined) return;
    const link = links[Number(k)];
    if (!link) return;
    hover = { kind: 'link', item: link };
    link.path.classList.add('is-hover');
    showTip(event);
  });
  svg.addEventListener('pointermove', (event) => { if (hover && hover.kind === 'link') placeTip(event.clientX, event.clientY); });
  svg.addEventListener('pointerout', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    if (k === undefined) return;
    const link = links[Number(k)];
    if (link) link.path.classList.remove('is-hover');
    if (hover && hover.item === link) { hover = null; hideTip(); }
  });
  svg.addEventListener('click', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    if (k === undefined) return;
    const link = links[Number(k)];
    if (link) openEditor('weight', link, event, link.hit);
  });

  // keyboard: arrows walk the links, Home/End jump, Enter or space opens the editor (Escape there comes back)
  const LINK_KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  svg.addEventListener('keydown', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    if (k === undefined || !links.length) return;
    const i = Number(k);
    let next = null;
    if (event.key in LINK_KEYS) next = Math.min(links.length - 1, Math.max(0, i + LINK_KEYS[event.key]));
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = links.length - 1;
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      event.stopPropagation();        // not the page's space = play/pause
      openEditor('weight', links[i], null, links[i].hit);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    event.stopPropagation();
    links[i].hit.setAttribute('tabindex', '-1');
    links[next].hit.setAttribute('tabindex', '0');
    links[next].hit.focus();
  });
  svg.addEventListener('focusin', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    const link = k === undefined ? null : links[Number(k)];
    if (!link) return;
    hover = { kind: 'link', item: link };
    link.path.classList.add('is-hover');
    showTip();
  });
  svg.addEventListener('focusout', (event) => {
    const k = event.target && event.target.dataset && event.target.dataset.k;
    const link = k === undefined ? null : links[Number(k)];
    if (link) link.path.classList.remove('is-hover');
    if (link && hover && hover.item === link) { hover = null; hideTip(); }
  });

  function sourceName(link) {
    if (link.layer === 0) {
      const plane = latest.isPlane;
      const names = plane ? (latest.config && latest.config.features) || [] : (latest.data && latest.data.columns) || [];
      const n = names[link.source];
      return plane ? FEATURE_LABELS[n] || n : n ?? `input ${link.source + 1}`;
    }
    return `L${link.layer}·${link.source + 1}`;
  }

  function targetName(link, sizes = latest.sizes) {
    const last = sizes.length - 2;
    return link.layer === last ? `output ${link.target + 1}` : `L${link.layer + 1}·${link.target + 1}`;
  }

  /** The followed point's numbers for one layer (z, a, δ, gradients), when a point is pinned on the plane. */
  function pinnedLayer(layerIndex) {
    const i = latest.inspection;
    if (!latest.pinned || !latest.isPlane || !i || !Array.isArray(i.layers)) return null;
    return i.layers[layerIndex] || null;
  }

  function tipText() {
    if (!hover || !latest.params) return '';
    const params = latest.params;
    if (hover.kind === 'link') {
      const l = hover.item;
      const p = pinnedLayer(l.layer);
      const grad = p && p.grad_w && p.grad_w[l.source] ? ` · ∂L/∂w = ${fmt(p.grad_w[l.source][l.target], 3)} at the pinned point` : '';
      return `weight ${sourceName(l)} → ${targetName(l)} = ${fmt(params[l.index], 4)}${grad} · click to change`;
    }
    const it = hover.item;
    const name = it.isOutput ? `Output ${it.index + 1}` : `Layer ${it.layer + 1}, neuron ${it.index + 1}`;
    const p = pinnedLayer(it.layer);
    if (hover.kind === 'bias') {
      const grad = p && p.grad_b ? ` · ∂L/∂b = ${fmt(p.grad_b[it.index], 3)} at the pinned point` : '';
      return `bias of ${name.toLowerCase()} = ${fmt(params[it.biasIndex], 4)}${grad} · click to change`;
    }
    const numbers = p ? ` · at the pinned point z = ${fmt(p.z[it.index], 3)}, a = ${fmt(p.a[it.index], 3)}, δ = ${fmt(p.delta[it.index], 3)}` : '';
    return `${name} · ${label(it.activation)} · bias ${fmt(params[it.biasIndex], 3)}${numbers}`;
  }

  function showTip(event) {
    const text = tipText();
    if (!text) { hideTip(); return; }
    tip.textContent = text;
    tip.hidden = false;
    if (event && event.clientX !== undefined) placeTip(event.clientX, event.clientY);
    else if (hover) {
      const r = (hover.kind === 'link' ? hover.item.hit : hover.kind === 'bias' ? hover.item.bias : hover.item.node).getBoundingClientRect();
      placeTip(r.left + r.width / 2, r.top + r.height / 2 + 4);
    }
  }

  function placeTip(x, y) {
    const b = box.getBoundingClientRect();
    const left = Math.min(Math.max(4, x - b.left + 12), b.width - tip.offsetWidth - 4);
    const top = Math.min(y - b.top + 14, b.height - tip.offsetHeight - 4);
    tip.style.transform = `translate(${left.toFixed(0)}px, ${top.toFixed(0)}px)`;
  }

  function hideTip() {
    tip.hidden = true;
  }

  /** Open the value editor next to the pointer, or next to `anchor` when opened from the keyboard. */
  function openEditor(kind, item, event, anchor) {
    const params = latest.params;
    if (!params) return;
    const current = kind === 'weight' ? params[item.index] : params[item.biasIndex];
    const input = el('input', { type: 'number', step: 'any', id: 'edit-value', value: Number(current.toFixed(4)),
      'aria-label': kind === 'weight' ? 'New weight' : 'New bias', required: true });
    const what = kind === 'weight' ? `Weight ${sourceName(item)} → ${targetName(item)}` : `Bias of ${item.isOutput ? `output ${item.index + 1}` : `layer ${item.layer + 1}, neuron ${item.index + 1}`}`;
    setChildren(editor, el('label', { for: 'edit-value', class: 'editor-title' }, what), input,
      el('button', { type: 'submit', class: 'primary small' }, 'Set'));
    editor.onsubmit = (e) => {
      e.preventDefault();
      const value = Number(input.value);
      const most = SPEC.limits.weight[1];
      if (!Number.isFinite(value) || Math.abs(value) > most) {
        input.setCustomValidity(`A finite number within ±${most.toLocaleString('en-US')}`);
        input.reportValidity();
        return;
      }
      if (kind === 'weight') actions.send({ type: 'edit_weight', layer: item.layer, source: item.source, target: item.target, value });
      else actions.send({ type: 'edit_bias', layer: item.layer, unit: item.index, value });
      closeEditor();
      if (anchor) anchor.focus();
    };
    editor.onkeydown = (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      closeEditor();
      if (anchor) anchor.focus();
    };
    editor.hidden = false;
    const b = box.getBoundingClientRect();
    let at = event && event.detail > 0 ? { x: event.clientX, y: event.clientY } : null;
    if (!at && anchor) {
      const r = anchor.getBoundingClientRect();
      at = { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }
    const left = Math.min(Math.max(4, at.x - b.left - 40), b.width - 230);
    const top = Math.min(at.y - b.top + 10, b.height - 80);
    editor.style.transform = `translate(${left.toFixed(0)}px, ${top.toFixed(0)}px)`;
    hideTip();
    input.focus();
    input.select();
  }

  function closeEditor() {
    editor.hidden = true;
    editor.replaceChildren();
  }

  document.addEventListener('pointerdown', (event) => {
    if (!editor.hidden && !editor.contains(event.target)) closeEditor();
  });

  return {
    update(flags) {
      if (flags.has('inspection')) {
        paintActivations();
        if (hover && !tip.hidden) tip.textContent = tipText();
      }
      if (flags.has('network') || flags.has('layout') || flags.has('data')) {
        const k = [box.clientWidth, box.clientHeight, state.get('projector'), JSON.stringify(latest.network), latest.isPlane,
          JSON.stringify(latest.config && latest.config.features), JSON.stringify(latest.data && latest.data.class_names),
          JSON.stringify(latest.data && latest.data.columns)].join('|');
        if (k !== key) {
          key = k;
          build();
          paintLinks();
          paintUnits();
        }
      }
      if (flags.has('frame')) {
        // non-finite weights arrive as zeros: say so instead of drawing a calm network
        box.classList.toggle('is-diverged', Boolean(latest.frame && latest.frame.nonfinite_params));
        paintLinks();
        paintUnits();
        paintActivations();
        if (hover && !tip.hidden) {
          tip.textContent = tipText();
        }
      }
    },
  };
}
