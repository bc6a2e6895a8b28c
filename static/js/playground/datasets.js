// The data column: a thumbnail of every data set, the data settings (train/test ratio, noise, size, classes,
// seed), drawing points by hand on the output map, and loading a CSV file.

import { SPEC } from '/spec.js';
import { el, setChildren, fmt, count } from '../shared/dom.js';
import { datasetsFor, label, losses } from '../shared/choices.js';
import { MID, classColor, diverging, rgb } from '../shared/colors.js';

const THUMB = 44;
const EXTENT = SPEC.plane.extent;
const POINTS_KEY = (task) => `nnp.points.${task}`;
const { limits } = SPEC;
const MAX_POINTS = limits.points;
const CAPTIONS = SPEC.labels.settings;

// ------------------------------------------------------------------ previews
// Tiny stand-ins for each generator, only to draw a recognisable thumbnail before the server has sent data.

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function gaussian(r) {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

const PREVIEWS = {
  circle(r) {
    const out = [];
    for (let i = 0; i < 120; i++) {
      const inner = i % 2 === 1;
      const rad = inner ? 2 * Math.sqrt(r()) : 3 + 2 * r();
      const a = 2 * Math.PI * r();
      out.push([rad * Math.cos(a), rad * Math.sin(a), inner ? 1 : 0]);
    }
    return out;
  },
  xor(r) {
    const out = [];
    for (let i = 0; i < 120; i++) {
      const x = (0.3 + 4.7 * r()) * (r() < 0.5 ? -1 : 1);
      const y = (0.3 + 4.7 * r()) * (r() < 0.5 ? -1 : 1);
      out.push([x, y, x * y > 0 ? 1 : 0]);
    }
    return out;
  },
  gauss(r) { return blobs(r, 2, 1.0); },
  blobs(r) { return blobs(r, 3, 0.6); },
  spiral(r) { return arms(r, 2); },
  spiral3(r) { return arms(r, 3); },
  moons(r) {
    const out = [];
    for (let i = 0; i < 120; i++) {
      const t = Math.PI * r();
      const lower = i % 2 === 1;
      const ux = lower ? 1 - Math.cos(t) : Math.cos(t);
      const uy = lower ? 0.5 - Math.sin(t) : Math.sin(t);
      out.push([3 * (ux - 0.5), 3 * (uy - 0.25), lower ? 1 : 0]);
    }
    return out;
  },
};

function blobs(r, k, spread) {
  const out = [];
  for (let i = 0; i < 120; i++) {
    const c = i % k;
    const a = (2 * Math.PI * c) / k + Math.PI / 4;
    out.push([4 * Math.cos(a) + spread * gaussian(r), 4 * Math.sin(a) + spread * gaussian(r), c]);
  }
  return out;
}

function arms(r, k) {
  const out = [];
  for (let i = 0; i < 150; i++) {
    const c = i % k;
    const t = r();
    const a = 3.5 * Math.PI * t + (2 * Math.PI * c) / k;
    out.push([5 * t * Math.cos(a), 5 * t * Math.sin(a), c]);
  }
  return out;
}

const FIELDS = {
  plane: (x, y) => (2 * x + y) / 18,
  bumps: (x, y) => {
    let v = 0;
    for (const [cx, cy, h] of [[-2.5, 2.5, 1], [2.5, 2.5, -1], [-2.5, -2.5, -1], [2.5, -2.5, 1]]) {
      v += h * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 1.5 * 1.5));
    }
    return v;
  },
};

// A hand-made 8×8 "3" for the digits thumbnail.
const DIGIT = [
  '..####..', '.#....#.', '......#.', '...###..', '......#.', '......#.', '.#....#.', '..####..',
];

function paintThumb(canvas, name, task, data) {
  const ctx = canvas.getContext('2d');
  const n = canvas.width;
  ctx.fillStyle = rgb(MID);
  ctx.fillRect(0, 0, n, n);
  const toPx = (v) => ((v + EXTENT) / (2 * EXTENT)) * n;
  if (name === 'digits') {
    const cell = n / 8;
    ctx.fillStyle = '#2b3440';
    DIGIT.forEach((row, i) => [...row].forEach((ch, j) => { if (ch === '#') ctx.fillRect(j * cell, i * cell, cell, cell); }));
    return;
  }
  let points = null;
  if (data && data.is_plane && data.train && data.train.length) points = data.train.concat(data.test || []);
  if (task === 'regression') {
    const img = ctx.createImageData(n, n);
    const field = FIELDS[name];
    let scale = 1;
    if (points) scale = Math.max(1e-9, ...points.map((p) => Math.abs(p[2])));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = -EXTENT + ((j + 0.5) / n) * 2 * EXTENT;
        const y = EXTENT - ((i + 0.5) / n) * 2 * EXTENT;
        const c = field ? diverging(field(x, y)) : MID;
        const at = 4 * (i * n + j);
        img.data[at] = c[0]; img.data[at + 1] = c[1]; img.data[at + 2] = c[2]; img.data[at + 3] = field ? 150 : 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    if (points) {
      for (const p of points.slice(0, 300)) {
        ctx.fillStyle = rgb(diverging(p[2] / scale));
        ctx.fillRect(toPx(p[0]) - 1, n - toPx(p[1]) - 1, 2.4, 2.4);
      }
    }
    return;
  }
  if (!points) {
    const make = PREVIEWS[name];
    if (!make) return;
    points = make(rng(7));
  }
  for (const p of points.slice(0, 400)) {
    ctx.fillStyle = rgb(classColor(p[2] | 0));
    ctx.beginPath();
    ctx.arc(toPx(p[0]), n - toPx(p[1]), 1.3, 0, 2 * Math.PI);
    ctx.fill();
  }
}

// ------------------------------------------------------------------ the view

export function createDatasets({ state, latest, actions }) {
  const host = document.getElementById('datasets');
  let thumbs = new Map();

  // problem type
  const taskSelect = el('select', { id: 'ctl-task', name: 'task', onchange: () => state.set(taskSwitch(taskSelect.value)) },
    SPEC.choices.tasks.map((t) => el('option', { value: t }, label(t))));
  const taskWrap = el('label', { class: 'ctl', dataset: { ctl: 'task' } }, el('span', { class: 'ctl-caption' }, 'Problem type'), taskSelect);

  // thumbnails
  const grid = el('div', { class: 'thumbs', role: 'radiogroup', 'aria-label': 'Data set' });

  // data settings
  const percent = (key) => limits[key].map((v) => Math.round(v * 100));
  const ratio = slider('train_ratio', ...percent('train_ratio'), 10, (v) => `${v} %`, (v) => v / 100, (v) => Math.round(v * 100));
  const noise = slider('noise', ...percent('noise'), 5, (v) => `${v} %`, (v) => v / 100, (v) => Math.round(v * 100));
  // points come in steps of 50 (the page's choice), up to the server's most
  const size = slider('n_points', 50, limits.n_points[1], 50, (v) => String(v), (v) => v, (v) => v);
  const classes = slider('n_classes', ...limits.n_classes, 1, (v) => String(v), (v) => v, (v) => v);
  const [seedLow, seedHigh] = limits.seed;
  const seedInput = el('input', { type: 'number', id: 'ctl-seed', min: seedLow, max: seedHigh, step: 1, inputmode: 'numeric',
    onchange: () => {
      const v = Number(seedInput.value);
      if (Number.isInteger(v) && v >= seedLow && v <= seedHigh) state.set({ seed: v });
      else seedInput.value = state.get('seed');
    } });
  const regen = el('button', { type: 'button', class: 'secondary', id: 'regenerate', title: 'New data from a new seed',
    onclick: () => actions.control('regenerate') }, 'New data');
  const seedRow = el('div', { class: 'ctl-row', dataset: { ctl: 'seed' } },
    el('label', { class: 'ctl ctl-inline', for: 'ctl-seed' }, el('span', { class: 'ctl-caption' }, CAPTIONS.seed), seedInput), regen);

  // drawing
  const drawTools = el('div', { class: 'draw-tools', id: 'draw-tools', hidden: true, dataset: { ctl: 'draw' } });
  let drawClass = 0;
  let drawValue = 0.5;
  let erasing = false;
  let points = [];
  let drag = null;
  let sendTimer = null;
  let edited = false;

  // CSV
  const fileInput = el('input', { type: 'file', accept: '.csv,text/csv,text/plain', id: 'csv-file', class: 'visually-hidden',
    'aria-label': 'Upload a CSV file',
    onchange: () => { if (fileInput.files[0]) openCsv(fileInput.files[0]); fileInput.value = ''; } });
  const csvButton = el('label', { class: 'secondary button', for: 'csv-file', dataset: { ctl: 'csv' } }, 'Upload CSV');
  const drawButton = el('button', { type: 'button', class: 'secondary', id: 'draw-button', dataset: { ctl: 'draw' },
    onclick: () => startDrawing() }, 'Draw points');
  const dialog = el('dialog', { class: 'csv-dialog', id: 'csv-dialog', 'aria-labelledby': 'csv-title' });

  setChildren(host,
    taskWrap,
    grid,
    el('div', { class: 'data-actions' }, drawButton, csvButton, fileInput),
    drawTools,
    el('div', { class: 'data-settings' }, ratio.wrap, noise.wrap, size.wrap, classes.wrap, seedRow));
  document.body.append(dialog);
  buildThumbs();

  function slider(key, min, max, step, show, fromSlider, toSlider) {
    const value = el('output', { class: 'ctl-value', for: `ctl-${key}` });
    const input = el('input', { type: 'range', id: `ctl-${key}`, min, max, step,
      oninput: () => { value.textContent = show(Number(input.value)); },
      onchange: () => state.set({ [key]: fromSlider(Number(input.value)) }) });
    const wrap = el('label', { class: 'ctl ctl-slider', dataset: { ctl: key } },
      el('span', { class: 'ctl-caption' }, CAPTIONS[key], ' ', value), input);
    return {
      wrap,
      set(v) {
        if (document.activeElement === input && input.matches(':active')) return;
        input.value = String(toSlider(v));
        value.textContent = show(Number(input.value));
      },
    };
  }

  function buildThumbs() {
    const all = SPEC.choices.datasets;
    const names = SPEC.choices.tasks.flatMap(datasetsFor);
    thumbs = new Map();
    const items = [];
    for (const name of names) {
      const canvas = el('canvas', { width: THUMB, height: THUMB, 'aria-hidden': 'true' });
      const button = el('button', { type: 'button', class: 'thumb', role: 'radio', 'aria-checked': 'false',
        dataset: { dataset: name, task: all[name] }, title: `${label(name)} — ${label(all[name]).toLowerCase()}`,
        onclick: () => chooseDataset(name, all[name]) },
      canvas, el('span', { class: 'thumb-name' }, label(name)));
      paintThumb(canvas, name, all[name], null);
      thumbs.set(name, { button, canvas, task: all[name] });
      items.push(button);
    }
    setChildren(grid, items);
  }

  /** Settings that switch to another task: its usual data set, loss and output activation. */
  function taskSwitch(task, dataset = null) {
    const lossName = SPEC.choices.default_loss[task];
    const outs = losses(task)[lossName] || [];
    const patch = { task, dataset: dataset || SPEC.default_datasets[task], loss: lossName,
      output_activation: outs[0] || null };
    if (state.get('activation') === 'step') patch.activation = 'tanh';   // the perceptron's step is binary-only
    return patch;
  }

  function chooseDataset(name, task) {
    if (task === state.get('task')) state.set({ dataset: name });
    else state.set(taskSwitch(task, name));
  }

  function markSelected() {
    const current = state.get('dataset');
    for (const [name, t] of thumbs) {
      const on = name === current;
      t.button.classList.toggle('is-selected', on);
      t.button.setAttribute('aria-checked', on ? 'true' : 'false');
    }
    drawButton.classList.toggle('is-selected', current === 'points');
  }

  function syncSettings() {
    const s = state.values;
    taskSelect.value = s.task;
    ratio.set(s.train_ratio);
    noise.set(s.noise);
    size.set(s.n_points);
    classes.set(s.n_classes);
    if (document.activeElement !== seedInput) seedInput.value = String(s.seed);
    const generated = !['points', 'csv', 'digits'].includes(s.dataset);
    noise.wrap.hidden = !generated;
    size.wrap.hidden = !generated;
    classes.wrap.hidden = !(generated && s.task === 'multiclass');
    seedRow.hidden = !generated;
  }

  // ------------------------------------------------------------ drawing
  function storedPoints(task) {
    try {
      const raw = JSON.parse(localStorage.getItem(POINTS_KEY(task)) || 'null');
      if (Array.isArray(raw)) return raw.filter((p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite)).slice(0, MAX_POINTS);
    } catch (err) { /* a damaged entry is ignored */ }
    return null;
  }

  function savePoints() {
    try {
      localStorage.setItem(POINTS_KEY(state.get('task')), JSON.stringify(points));
    } catch (err) { /* storage full or disabled: the points still live in the session */ }
  }

  function startDrawing() {
    const task = state.get('task');
    const saved = storedPoints(task);
    if (saved && saved.length) points = saved;
    else if (latest.data && latest.data.is_plane) points = (latest.data.train || []).concat(latest.data.test || []).map((p) => p.slice(0, 3));
    else points = [];
    state.set({ dataset: 'points' }, 'local');
    sendPoints(true);
    showDrawTools();
  }

  function roundPoint(p) {
    const clamp = (v) => Math.max(-EXTENT, Math.min(EXTENT, v));
    return [Math.round(clamp(p[0]) * 1000) / 1000, Math.round(clamp(p[1]) * 1000) / 1000,
      state.get('task') === 'regression' ? Math.round(p[2] * 1000) / 1000 : p[2] | 0];
  }

  function sendPoints(now = false) {
    edited = true;
    clearTimeout(sendTimer);
    const go = () => {
      sendTimer = null;
      points = points.map(roundPoint);
      actions.send({ type: 'set_points', points });
      savePoints();
    };
    if (now) go();
    else sendTimer = setTimeout(go, 60);
  }

  function showDrawTools() {
    const drawing = state.get('dataset') === 'points';
    drawTools.hidden = !drawing;
    document.body.classList.toggle('is-drawing', drawing);
    if (!drawing) return;
    const task = state.get('task');
    const k = task === 'binary' ? 2 : (latest.data && latest.data.n_classes) || state.get('n_classes');
    const chips = [];
    if (task === 'regression') {
      const value = el('output', { class: 'ctl-value' }, fmt(drawValue, 2));
      const swatch = el('span', { class: 'swatch', style: `background:${rgb(diverging(drawValue))}` });
      const input = el('input', { type: 'range', min: -1, max: 1, step: 0.05, value: drawValue, 'aria-label': 'Target value of new points',
        oninput: () => {
          drawValue = Number(input.value);
          value.textContent = fmt(drawValue, 2);
          swatch.style.background = rgb(diverging(drawValue));
        } });
      chips.push(el('label', { class: 'ctl ctl-slider' }, el('span', { class: 'ctl-caption' }, 'Target ', swatch, ' ', value), input));
    } else {
      for (let c = 0; c < k; c++) {
        const names = (latest.data && latest.data.class_names) || [];
        const chip = el('button', { type: 'button', class: `class-chip${c === drawClass && !erasing ? ' is-selected' : ''}`,
          'aria-pressed': c === drawClass && !erasing ? 'true' : 'false', dataset: { cls: String(c) },
          onclick: () => { drawClass = c; erasing = false; showDrawTools(); } },
        el('span', { class: 'swatch', style: `background:${rgb(classColor(c))}` }), names[c] || `Class ${c}`);
        chips.push(chip);
      }
    }
    const eraseBtn = el('button', { type: 'button', class: `class-chip${erasing ? ' is-selected' : ''}`, id: 'erase',
      'aria-pressed': erasing ? 'true' : 'false', onclick: () => { erasing = !erasing; showDrawTools(); } }, 'Erase');
    const clearBtn = el('button', { type: 'button', class: 'link-btn', id: 'clear-points',
      onclick: () => { points = []; sendPoints(true); } }, 'Clear all');
    setChildren(drawTools,
      el('p', { class: 'hint' }, 'Click the map to add a point, drag a point to move it, right-click or Erase to remove.'),
      el('div', { class: 'chips' }, chips, eraseBtn),
      el('div', { class: 'draw-foot' }, el('span', { class: 'hint', id: 'point-count' }, `${points.length} points`), clearBtn));
  }

  function planeFromEvent(event, layer) {
    const box = layer.getBoundingClientRect();
    return [-EXTENT + ((event.clientX - box.left) / box.width) * 2 * EXTENT,
      EXTENT - ((event.clientY - box.top) / box.height) * 2 * EXTENT, box.width / (2 * EXTENT)];
  }

  function nearest(x, y, pxPerUnit, radiusPx) {
    let best = -1;
    let bestD = (radiusPx / pxPerUnit) ** 2;
    points.forEach((p, i) => {
      const d = (p[0] - x) ** 2 + (p[1] - y) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    });
    return best;
  }

  /** Listen for drawing on `layer`: a transparent surface over the output map, handed over by main.js. */
  function attachDrawLayer(layer) {
    layer.addEventListener('contextmenu', (event) => { if (state.get('dataset') === 'points') event.preventDefault(); });
    layer.addEventListener('pointerdown', (event) => {
      if (state.get('dataset') !== 'points') return;
      event.preventDefault();
      const [x, y, scale] = planeFromEvent(event, layer);
      const hit = nearest(x, y, scale, 9);
      if (erasing || event.button === 2 || event.shiftKey) {
        if (hit >= 0) points.splice(hit, 1);
        sendPoints(true);
        showCount();
        return;
      }
      if (hit >= 0) {
        drag = { index: hit, moved: false };
        layer.setPointerCapture(event.pointerId);
        return;
      }
      if (points.length >= MAX_POINTS) {
        actions.notify(`At most ${MAX_POINTS} points can be drawn.`);
        return;
      }
      const value = state.get('task') === 'regression' ? drawValue : drawClass;
      points.push(roundPoint([x, y, value]));
      sendPoints(true);
      showCount();
    });
    layer.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const [x, y] = planeFromEvent(event, layer);
      const p = points[drag.index];
      points[drag.index] = roundPoint([x, y, p[2]]);
      drag.moved = true;
      sendPoints(false);
    });
    const end = () => {
      if (!drag) return;
      if (drag.moved) sendPoints(true);
      drag = null;
    };
    layer.addEventListener('pointerup', end);
    layer.addEventListener('pointercancel', end);
  }

  function showCount() {
    const node = document.getElementById('point-count');
    if (node) node.textContent = `${points.length} points`;
  }

  // ---------------------------------------------------------------- CSV
  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST', body, headers: { 'Content-Type': 'text/csv', 'X-Session-Token': actions.token() || '' },
    });
    let payload = null;
    const text = await response.text();
    try { payload = JSON.parse(text); } catch (err) { payload = { message: text }; }
    return { ok: response.ok, status: response.status, payload };
  }

  function errorText(payload, fallback) {
    if (!payload) return fallback;
    if (typeof payload.message === 'string' && payload.message) return payload.message;
    if (typeof payload.detail === 'string') return payload.detail;
    if (payload.error && typeof payload.error.message === 'string') return payload.error.message;
    return fallback;
  }

  function parseLocally(text) {
    const lines = text.replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l.trim());
    const cells = lines.map((l) => l.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
    const columns = cells[0] || [];
    const rows = cells.slice(1);
    const numeric = columns.map((_, j) => rows.every((r) => r[j] !== undefined && r[j] !== '' && Number.isFinite(Number(r[j]))));
    return { columns, rows: rows.slice(0, 20), numeric, n_rows: rows.length };
  }

  function guessTask(preview, labelIndex) {
    const values = preview.rows.map((r) => r[labelIndex]);
    const unique = new Set(values);
    if (preview.numeric[labelIndex] && unique.size > 10) return 'regression';
    if (preview.numeric[labelIndex] && values.some((v) => !Number.isInteger(Number(v)))) return 'regression';
    return unique.size === 2 ? 'binary' : 'multiclass';
  }

  /** The rows the server will leave out for these choices, from the preview: "Rows left out: 4 (b), 7 (…)". */
  function leftOutText(columns, notNumbers, empty, malformed, featureIdx, labelIndex, task) {
    const why = new Map();
    for (const m of malformed) why.set(m.row, 'wrong number of cells');
    for (const row of empty[labelIndex] || []) if (!why.has(row)) why.set(row, `no ${columns[labelIndex]}`);
    const checked = task === 'regression' ? featureIdx.concat([labelIndex]) : featureIdx;
    for (const j of checked) {
      for (const row of notNumbers[j] || []) if (!why.has(row)) why.set(row, `${columns[j]} is not a number`);
    }
    if (!why.size) return ['Every row can be used.'];
    const rows = [...why.keys()].sort((a, b) => a - b);
    const listed = rows.slice(0, 8).map((r) => `row ${r} (${why.get(r)})`).join(', ');
    return [`${rows.length} row${rows.length === 1 ? '' : 's'} will be left out: ${listed}${rows.length > 8 ? ', …' : ''}.`];
  }

  async function openCsv(file) {
    if (file.size > limits.csv_bytes) {
      showCsvDialog(file.name, null, null, `The file is ${Math.round(file.size / 1000)} kB; the limit is ${count(limits.csv_bytes / 1000)} kB.`);
      return;
    }
    const text = await file.text();
    let preview = null;
    let problem = null;
    try {
      const answer = await post('/api/csv/preview', text);
      if (answer.ok) preview = answer.payload && (answer.payload.preview || answer.payload);
      else if (answer.status === 404 || answer.status === 405) preview = parseLocally(text);
      else problem = errorText(answer.payload, `The server refused the file (HTTP ${answer.status}).`);
    } catch (err) {
      problem = 'The server could not be reached; try again in a moment.';
    }
    if (preview && (!Array.isArray(preview.columns) || !preview.columns.length)) {
      problem = 'The file has no header row with column names.';
      preview = null;
    }
    showCsvDialog(file.name, text, preview, problem);
  }

  function showCsvDialog(name, text, preview, problem) {
    const errorBox = el('p', { class: 'csv-error', role: 'alert', id: 'csv-error', hidden: !problem }, problem || '');
    const close = () => dialog.close();
    if (!preview) {
      setChildren(dialog, el('form', { method: 'dialog', class: 'csv-form' },
        el('h3', { id: 'csv-title' }, 'Load a CSV file'), el('p', { class: 'csv-file' }, name), errorBox,
        el('div', { class: 'dialog-actions' }, el('button', { type: 'button', class: 'secondary', onclick: close }, 'Close'))));
      if (!dialog.open) dialog.showModal();
      return;
    }
    const columns = preview.columns.map(String);
    const numeric = Array.isArray(preview.numeric) ? preview.numeric : columns.map(() => true);
    const labelSelect = el('select', { id: 'csv-label' }, columns.map((c, j) => el('option', { value: String(j) }, c)));
    labelSelect.value = String(columns.length - 1);
    const taskSelect = el('select', { id: 'csv-task' }, SPEC.choices.tasks.map((t) => el('option', { value: t }, label(t))));
    const featureBox = el('div', { class: 'csv-features', id: 'csv-features' });
    const leftOut = el('p', { class: 'csv-left-out', id: 'csv-left-out', 'aria-live': 'polite' });
    const notNumbers = Array.isArray(preview.not_numbers) ? preview.not_numbers : columns.map(() => []);
    const malformed = Array.isArray(preview.malformed) ? preview.malformed : [];
    const empty = Array.isArray(preview.empty) ? preview.empty : columns.map(() => []);
    const refreshLeftOut = () => setChildren(leftOut, leftOutText(columns, notNumbers, empty, malformed,
      [...featureBox.querySelectorAll('input:checked')].map((b) => columns.indexOf(b.value)),
      Number(labelSelect.value), taskSelect.value));
    const refreshFeatures = () => {
      const labelIndex = Number(labelSelect.value);
      taskSelect.value = guessTask(preview, labelIndex);
      setChildren(featureBox, columns.map((c, j) => {
        if (j === labelIndex) return null;
        const bad = notNumbers[j] || [];
        const box = el('input', { type: 'checkbox', value: c, checked: numeric[j], disabled: !numeric[j],
          onchange: refreshLeftOut });
        const note = numeric[j] && bad.length ? el('span', { class: 'csv-bad-count' },
          ` (${bad.length}${bad.length >= 20 ? '+' : ''} ${bad.length === 1 ? 'cell is not a number' : 'cells are not numbers'})`)
          : null;
        return el('label', { class: `check${numeric[j] ? '' : ' is-off'}`, title: numeric[j] ? '' : 'Mostly not numbers' },
          box, ' ', c, note);
      }));
      refreshLeftOut();
    };
    taskSelect.addEventListener('change', refreshLeftOut);
    labelSelect.addEventListener('change', refreshFeatures);
    refreshFeatures();
    const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)));
    const body = (preview.rows || []).slice(0, 6).map((row) => el('tr', {}, columns.map((_, j) => el('td', {}, String(row[j] ?? '')))));
    const load = el('button', { type: 'submit', class: 'primary', id: 'csv-load' }, 'Load');
    const form = el('form', { class: 'csv-form', method: 'dialog', onsubmit: async (event) => {
      event.preventDefault();
      errorBox.hidden = true;
      const labelName = columns[Number(labelSelect.value)];
      const features = [...featureBox.querySelectorAll('input:checked')].map((b) => b.value);
      if (!features.length) {
        errorBox.textContent = 'Choose at least one feature column.';
        errorBox.hidden = false;
        return;
      }
      load.disabled = true;
      try {
        const task = taskSelect.value;
        if (task !== state.get('task')) {
          await actions.configureNow(taskSwitch(task));
        }
        const query = `label=${encodeURIComponent(labelName)}&features=${features.map(encodeURIComponent).join(',')}`;
        const answer = await post(`/api/csv?${query}`, text);
        if (!answer.ok) {
          errorBox.textContent = errorText(answer.payload, `The server refused the file (HTTP ${answer.status}).`);
          errorBox.hidden = false;
        } else {
          dialog.close();
        }
      } catch (err) {
        errorBox.textContent = err && err.message ? err.message : 'The file could not be loaded.';
        errorBox.hidden = false;
      } finally {
        load.disabled = false;
      }
    } },
    el('h3', { id: 'csv-title' }, 'Load a CSV file'),
    el('p', { class: 'csv-file' }, `${name} · ${preview.n_rows ?? (preview.rows || []).length} rows · ${columns.length} columns`),
    el('div', { class: 'csv-table-wrap' }, el('table', { class: 'csv-table' }, el('thead', {}, head), el('tbody', {}, body))),
    el('div', { class: 'csv-pickers' },
      el('label', { class: 'ctl' }, el('span', { class: 'ctl-caption' }, 'Label column (what to predict)'), labelSelect),
      el('label', { class: 'ctl' }, el('span', { class: 'ctl-caption' }, 'Problem type'), taskSelect)),
    el('fieldset', { class: 'csv-feature-set' }, el('legend', {}, 'Input columns'), featureBox),
    leftOut,
    errorBox,
    el('div', { class: 'dialog-actions' }, el('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'), load));
    setChildren(dialog, form);
    if (!dialog.open) dialog.showModal();
  }

  return {
    useDrawSurface: attachDrawLayer,
    update(flags) {
      if (flags.has('data') && latest.data) {
        const t = thumbs.get(state.get('dataset'));
        if (t) paintThumb(t.canvas, state.get('dataset'), t.task, latest.data);
        if (state.get('dataset') === 'points' && latest.data.is_plane) {
          const all = (latest.data.train || []).concat(latest.data.test || []);
          // until the person edits here, the server's points are the truth (a resumed session);
          // after that the local list is, since replies to earlier edits may still be on their way
          if (!edited) points = all.map((p) => p.slice(0, 3));
          showCount();
        }
      }
      if (flags.has('welcome') || flags.has('config') || flags.has('state')) {
        markSelected();
        syncSettings();
        const drawing = state.get('dataset') === 'points';
        if (drawing !== !drawTools.hidden || flags.has('config')) showDrawTools();
      }
    },
    /** A new session on the server (not resumed): hand it the drawn points again. */
    sessionStarted() {
      if (state.get('dataset') !== 'points') return;
      points = storedPoints(state.get('task')) || [];
      sendPoints(true);
    },
  };
}

