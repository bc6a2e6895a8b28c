// The output view: the decision map (confidence shading; K colours for multi-class; a diverging scale for
// regression), training and test points, an optional discretised view, axes and a legend. While a neuron is
// hovered in the diagram, its map is shown here enlarged. The map canvas has one pixel per grid cell.

import { el, setChildren, setText, fmt } from '../shared/dom.js';
import { SPEC } from '/spec.js';
import { MapCanvas, lutFor, lutDiverging, diverging, divergingStepped, unitScale, paintClasses, classColor, rgb, pack, mapValue, NEG, POS, MID } from '../shared/colors.js';
import { FEATURE_LABELS, FORMULAS, featureMap } from './feature_maps.js';

const EXTENT = SPEC.plane.extent;
const FEATURE_MAP_SIZE = 96;   // an input feature enlarged: drawn here, at this resolution
const TICKS = [-EXTENT, -EXTENT / 2, 0, EXTENT / 2, EXTENT];

function targetScale(data) {
  if (!data || !data.train) return 1;
  let big = 0;
  for (const p of data.train) big = Math.max(big, Math.abs(p[2]));
  for (const p of data.test || []) big = Math.max(big, Math.abs(p[2]));
  return big > 0 ? big : 1;
}

export function createHeatmap({ state, latest }) {
  const host = document.getElementById('heatmap');
  const title = document.getElementById('map-title');
  const mapCanvas = el('canvas', { class: 'map-canvas', id: 'output-map', width: 2, height: 2, role: 'img',
    'aria-label': 'What the network answers at each point of the plane' });
  const pointsCanvas = el('canvas', { class: 'points-canvas', id: 'points-canvas', 'aria-hidden': 'true' });
  const drawLayer = el('div', { class: 'draw-layer', id: 'draw-layer' });
  const empty = el('div', { class: 'map-empty', hidden: true });
  const stack = el('div', { class: 'map-stack' }, mapCanvas, pointsCanvas, drawLayer, empty);
  const xTicks = el('div', { class: 'ticks ticks-x', 'aria-hidden': 'true' },
    TICKS.map((t) => el('span', { style: `left:${((t + EXTENT) / (2 * EXTENT)) * 100}%` }, String(t).replace('-', '−'))));
  const yTicks = el('div', { class: 'ticks ticks-y', 'aria-hidden': 'true' },
    TICKS.map((t) => el('span', { style: `top:${((EXTENT - t) / (2 * EXTENT)) * 100}%` }, String(t).replace('-', '−'))));
  const frame = el('div', { class: 'map-frame' }, yTicks, stack, xTicks,
    el('span', { class: 'axis-name axis-x' }, 'x₁'), el('span', { class: 'axis-name axis-y' }, 'x₂'));

  const showTest = el('input', { type: 'checkbox', id: 'show-test', onchange: () => state.set({ show_test: showTest.checked }) });
  const discretize = el('input', { type: 'checkbox', id: 'discretize', onchange: () => state.set({ discretize: discretize.checked }) });
  // the map's resolution: the output grid is evaluated on G×G points of the plane (more is finer and slower)
  const gridSelect = el('select', { id: 'ctl-grid_size', name: 'grid_size', 'aria-label': 'Map resolution',
    onchange: () => state.set({ grid_size: Number(gridSelect.value) }) },
  SPEC.presets.grid_size.map((g) => el('option', { value: String(g) }, `${g}×${g}`)));
  const options = el('div', { class: 'map-options' },
    el('label', { class: 'check', dataset: { ctl: 'show_test' } }, showTest, ' Show test data'),
    el('label', { class: 'check', dataset: { ctl: 'discretize' } }, discretize, ' Discretise output'),
    el('label', { class: 'check map-resolution', dataset: { ctl: 'grid_size' }, title: 'Points per side at which the map is computed' },
      `${SPEC.labels.settings.grid_size} `, gridSelect));
  const legend = el('div', { class: 'legend', id: 'legend' });
  const readout = el('span', { class: 'map-readout', id: 'map-readout', 'aria-live': 'off' }, '');
  setChildren(host, frame, legend, options);
  title.parentElement.append(readout);     // beside the view's title: no room taken when nothing is hovered

  const map = new MapCanvas(mapCanvas);
  const pctx = pointsCanvas.getContext('2d');
  let pointsKey = '';
  let dataVersion = 0;
  let featureShown = null;   // the input feature painted on the map (painted once: it does not change)
  let legendKey = '';

  function unitActivation(u) {
    const sizes = latest.sizes;
    const acts = (latest.network && latest.network.activations) || [];
    if (!sizes) return 'tanh';
    let left = u;
    for (let l = 1; l < sizes.length; l++) {
      if (left < sizes[l]) return { activation: acts[l - 1], layer: l, index: left, output: l === sizes.length - 1 };
      left -= sizes[l];
    }
    return { activation: 'tanh', layer: 0, index: 0, output: false };
  }

  function task() {
    return (latest.data && latest.data.task) || (latest.config && latest.config.task) || state.get('task');
  }

  function outputActivation() {
    const acts = (latest.network && latest.network.activations) || [];
    return acts[acts.length - 1] || 'sigmoid';
  }

  function paintFeature(name) {
    const size = FEATURE_MAP_SIZE;
    if (featureShown !== name) {
      const { values, big } = featureMap(name, size);
      map.paintWith(size, (i) => { const c = diverging(values[i] / big); return pack(c[0], c[1], c[2]); });
      featureShown = name;
    }
    setText(title, `Input ${FEATURE_LABELS[name] || name}`);
    if (!stack.classList.contains('is-focus')) stack.classList.add('is-focus');
  }

  function paintMap() {
    if (latest.focusFeature && latest.isPlane) {
      paintFeature(latest.focusFeature);
      return true;
    }
    featureShown = null;
    const focus = latest.focusUnit !== null && latest.maps.focus && latest.maps.focus.maps[0];
    if (focus) {
      const info = unitActivation(latest.focusUnit);
      const m = latest.maps.focus.maps[0];
      let colorOf;
      if (info.output && info.activation === 'softmax') {
        const c = classColor(info.index);
        colorOf = (v) => { const t = Math.max(0, Math.min(1, v)); return [MID[0] + (c[0] - MID[0]) * t, MID[1] + (c[1] - MID[1]) * t, MID[2] + (c[2] - MID[2]) * t]; };
      } else {
        const toT = unitScale(info.activation, m.lo, m.hi);
        colorOf = (v) => diverging(toT(v));
      }
      map.paint(m, latest.maps.focus.size, lutFor(m, colorOf));
      setText(title, info.output ? `Output neuron ${info.index + 1}` : `Layer ${info.layer}, neuron ${info.index + 1}`);
      if (!stack.classList.contains('is-focus')) stack.classList.add('is-focus');
      return true;
    }
    // touch the DOM only on a change: even an unchanged write costs the page a layout on every frame
    if (stack.classList.contains('is-focus')) stack.classList.remove('is-focus');
    setText(title, 'Output');
    const block = latest.maps.output;
    if (!block || !block.maps.length) return false;
    const discrete = state.get('discretize');
    const t = task();
    if (t === 'multiclass' || block.maps.length > 1) {
      paintClasses(map, block, discrete);
      return true;
    }
    const m = block.maps[0];
    let lut;
    if (t === 'regression') {
      const scale = targetScale(latest.data);
      lut = discrete ? lutFor(m, (v) => divergingStepped(v / scale, 4)) : lutDiverging(m, (v) => v / scale);
    } else {
      const act = outputActivation();
      const toT = act === 'sigmoid' || act === 'step' ? (v) => 2 * v - 1 : (v) => Math.max(-1, Math.min(1, v));
      lut = discrete ? lutFor(m, (v) => diverging(toT(v) >= 0 ? 0.82 : -0.82)) : lutDiverging(m, toT, 0.92);
    }
    map.paint(m, block.size, lut);
    return true;
  }

  function pointColor(p, t, scale) {
    if (t === 'regression') return rgb(diverging(p[2] / scale));
    return rgb(classColor(p[2] | 0));
  }

  function paintPoints(force) {
    const w = stack.clientWidth;
    const dpr = window.devicePixelRatio || 1;
    const withTest = state.get('show_test') || state.get('dataset') === 'points';
    const key = `${w}|${dpr}|${withTest}|${dataVersion}|${latest.pinned}`;
    if (!force && key === pointsKey) return;
    pointsKey = key;
    const px = Math.max(1, Math.round(w * dpr));
    if (pointsCanvas.width !== px) {
      pointsCanvas.width = px;
      pointsCanvas.height = px;
    }
    pctx.setTransform(1, 0, 0, 1, 0, 0);
    pctx.clearRect(0, 0, px, px);
    drawPoints(pctx, px, Math.max(2.2, Math.min(4.2, w / 110)) * dpr, dpr, latest.pinned);
  }

  /** The data points on a square of px×px device pixels: radius r, lines `line` wide, and the point followed
   * through the network (pinned, or null) as a ring with a cross. */
  function drawPoints(pctx, px, r, line, pinned) {
    const data = latest.data;
    if (!data || !data.is_plane) return;
    const withTest = state.get('show_test') || state.get('dataset') === 'points';
    const t = data.task;
    const scale = targetScale(data);
    const toX = (v) => ((v + EXTENT) / (2 * EXTENT)) * px;
    const toY = (v) => ((EXTENT - v) / (2 * EXTENT)) * px;
    const dot = (p) => {
      pctx.beginPath();
      pctx.arc(toX(p[0]), toY(p[1]), r, 0, 2 * Math.PI);
      pctx.fillStyle = pointColor(p, t, scale);
      pctx.fill();
      pctx.stroke();
    };
    pctx.lineWidth = Math.max(1, line);
    pctx.strokeStyle = 'rgba(255,255,255,0.95)';
    (data.train || []).forEach(dot);
    if (pinned) {
      // the point followed through the network: a ring with a cross
      const [x, y] = [toX(pinned[0]), toY(pinned[1])];
      pctx.lineWidth = 2 * line;
      pctx.strokeStyle = '#1b2430';
      pctx.beginPath();
      pctx.arc(x, y, 3 * r, 0, 2 * Math.PI);
      pctx.moveTo(x - 4.5 * r, y); pctx.lineTo(x - 1.5 * r, y);
      pctx.moveTo(x + 1.5 * r, y); pctx.lineTo(x + 4.5 * r, y);
      pctx.moveTo(x, y - 4.5 * r); pctx.lineTo(x, y - 1.5 * r);
      pctx.moveTo(x, y + 1.5 * r); pctx.lineTo(x, y + 4.5 * r);
      pctx.stroke();
    }
    if (withTest) {
      pctx.strokeStyle = '#1d2630';
      pctx.lineWidth = 1.3 * line;
      (data.test || []).forEach(dot);
    }
  }

  function showLegend() {
    const data = latest.data;
    const t = task();
    const names = (data && data.class_names) || [];
    const key = `${t}|${names.join('\u0001')}|${data && data.is_plane}|${targetScale(data)}`;
    if (key === legendKey) return;
    legendKey = key;
    if (!data || !data.is_plane) {
      setChildren(legend);
      return;
    }
    if (t === 'regression') {
      const s = targetScale(data);
      setChildren(legend, el('span', { class: 'legend-end' }, fmt(-s, 2)),
        el('span', { class: 'legend-bar', style: `background:linear-gradient(90deg, ${rgb(NEG)}, ${rgb(MID)}, ${rgb(POS)})` }),
        el('span', { class: 'legend-end' }, fmt(s, 2)));
    } else if (t === 'binary') {
      setChildren(legend, el('span', { class: 'legend-end' }, names[0] ?? 'class 0'),
        el('span', { class: 'legend-bar', style: `background:linear-gradient(90deg, ${rgb(NEG)}, ${rgb(MID)}, ${rgb(POS)})` }),
        el('span', { class: 'legend-end' }, names[1] ?? 'class 1'));
    } else {
      const k = data.n_classes || names.length;
      setChildren(legend, Array.from({ length: k }, (_, j) => el('span', { class: 'legend-class' },
        el('span', { class: 'swatch', style: `background:${rgb(classColor(j))}` }), names[j] ?? `class ${j}`)));
    }
  }

  function showEmpty() {
    const data = latest.data;
    const plane = !data || data.is_plane !== false;
    const digits = Boolean(latest.config && latest.config.dataset === 'digits');
    empty.hidden = plane;
    frame.hidden = digits;          // the digit pad takes the map's place
    options.hidden = !plane;
    title.hidden = digits;
    frame.classList.toggle('is-flat', !plane);
    if (!plane) {
      const n = (data.columns || []).length;
      empty.textContent = data.columns && n === 64
        ? 'Each example is an 8×8 image (64 inputs), so there is no plane to colour. Watch the loss, the accuracy and the confusion matrix.'
        : `This data has ${n} input columns, so there is no plane to colour. Watch the loss and the metrics.`;
    }
  }

  // ------------------------------------------------------------ reading a value under the pointer
  let pointer = null;
  stack.addEventListener('pointermove', (event) => {
    const box = stack.getBoundingClientRect();
    pointer = [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
    showReadout();
  });
  stack.addEventListener('pointerleave', () => {
    pointer = null;
    showReadout();
  });
  let onPick = null;
  stack.addEventListener('click', (event) => {
    if (state.get('dataset') === 'points' || !onPick || !latest.isPlane) return;   // drawing has its own clicks
    const box = stack.getBoundingClientRect();
    onPick(-EXTENT + ((event.clientX - box.left) / box.width) * 2 * EXTENT,
      EXTENT - ((event.clientY - box.top) / box.height) * 2 * EXTENT);
  });

  function valueAt(block, k, u, v) {
    const m = block.maps[k];
    const g = block.size;
    const c = Math.min(g - 1, Math.max(0, Math.floor(u * g)));
    const r = Math.min(g - 1, Math.max(0, Math.floor(v * g)));
    return mapValue(m, r * g + c);
  }

  function showReadout() {
    const feature = latest.focusFeature && latest.isPlane ? latest.focusFeature : null;
    const focus = !feature && latest.focusUnit !== null && latest.maps.focus;
    const block = focus ? latest.maps.focus : latest.maps.output;
    if (!pointer || (!feature && (!block || !block.maps.length))) {
      readout.textContent = '';
      return;
    }
    const [u, v] = pointer;
    const [x1, x2] = [-EXTENT + u * 2 * EXTENT, EXTENT - v * 2 * EXTENT];
    const where = `x₁ ${fmt(x1, 2)}, x₂ ${fmt(x2, 2)}`;
    if (feature) {
      readout.textContent = `${where} → ${FEATURE_LABELS[feature] || feature} = ${fmt(FORMULAS[feature](x1, x2), 3)}`;
      return;
    }
    const names = (latest.data && latest.data.class_names) || [];
    if (focus) {
      const info = unitActivation(latest.focusUnit);
      readout.textContent = `${where} → a = ${fmt(valueAt(block, 0, u, v), 3)} (${info.activation})`;
    } else if (block.maps.length > 1) {
      const p = block.maps.map((_, k) => valueAt(block, k, u, v));
      const best = p.indexOf(Math.max(...p));
      readout.textContent = `${where} → ${names[best] ?? `class ${best}`} (${(p[best] * 100).toFixed(0)} %)`;
    } else if (task() === 'regression') {
      readout.textContent = `${where} → ŷ = ${fmt(valueAt(block, 0, u, v), 3)}`;
    } else {
      const value = valueAt(block, 0, u, v);
      const act = outputActivation();
      const text = act === 'sigmoid' ? `p(${names[1] ?? 'class 1'}) = ${fmt(value, 3)}` : `output ${fmt(value, 3)}`;
      readout.textContent = `${where} → ${text}`;
    }
  }

  /** The map with its points as one picture for the PNG export: the map `size`×`size` pixels on white, with the
   * page's ticks and axis names around it on the plane; the point followed through the network is left out. */
  function picture(size) {
    const plane = latest.isPlane;
    const font = Math.round(size / 40);
    const [left, top, right, bottom] = plane ? [Math.round(font * 3.4), font, font, Math.round(font * 3.4)] : [0, 0, 0, 0];
    const out = el('canvas', { width: left + size + right, height: top + size + bottom });
    const ctx = out.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(mapCanvas, left, top, size, size);
    const points = el('canvas', { width: size, height: size });
    drawPoints(points.getContext('2d'), size, size / 160, size / 360, null);
    ctx.drawImage(points, left, top);
    if (!plane) return out;
    ctx.strokeStyle = '#5b6672';
    ctx.fillStyle = '#3a4656';
    ctx.lineWidth = 1;
    ctx.strokeRect(left - 0.5, top - 0.5, size + 1, size + 1);
    ctx.font = `${font}px system-ui, sans-serif`;
    const at = (t) => ((t + EXTENT) / (2 * EXTENT)) * size;
    ctx.beginPath();
    for (const t of TICKS) {
      const x = left + at(t);
      const y = top + size - at(t);
      ctx.moveTo(x, top + size);
      ctx.lineTo(x, top + size + font / 3);
      ctx.moveTo(left, y);
      ctx.lineTo(left - font / 3, y);
    }
    ctx.stroke();
    const name = (t) => String(t).replace('-', '−');
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of TICKS) ctx.fillText(name(t), Math.min(Math.max(left + at(t), left + font), left + size - font / 2), top + size + font / 2);
    ctx.font = `italic ${font}px system-ui, sans-serif`;
    ctx.fillText('x₁', left + size / 2, top + size + font * 1.9);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.font = `${font}px system-ui, sans-serif`;
    for (const t of TICKS) ctx.fillText(name(t), left - font / 2, Math.min(Math.max(top + size - at(t), top + font / 2), top + size - font / 2));
    ctx.font = `italic ${font}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillText('x₂', font / 3, top + size / 2);
    return out;
  }

  return {
    drawSurface: drawLayer,
    picture,
    /** Call fn(x1, x2) when the person clicks a point of the map (outside drawing mode). */
    onPick(fn) { onPick = fn; },
    update(flags) {
      if (pointer && (flags.has('frame') || flags.has('focus'))) showReadout();
      if (flags.has('data') || flags.has('welcome')) {
        dataVersion += 1;
        showEmpty();
        showLegend();
      }
      if (flags.has('config')) {
        showLegend();
        showEmpty();
      }
      if (flags.has('frame') || flags.has('focus') || flags.has('state')) paintMap();
      if (flags.has('data') || flags.has('state') || flags.has('layout') || flags.has('pinned') || flags.has('inspection')) paintPoints(false);
      if (flags.has('state')) {
        showTest.checked = state.get('show_test');
        discretize.checked = state.get('discretize');
        const g = String(state.get('grid_size'));
        if (![...gridSelect.options].some((o) => o.value === g)) gridSelect.append(el('option', { value: g }, `${g}×${g}`));
        gridSelect.value = g;
        showTest.disabled = state.get('dataset') === 'points';
      }
    },
  };
}
