// Wiring only: the state object, the socket and the views. State changes become messages; messages update
// `latest`; one animation-frame loop asks every view to redraw what changed.
// On a class page (an element with data-socket="class", docs/classroom.md) the socket is the class's view, opened
// with the credential the class module provides (classroom/view_query.js); the page then adopts the server's
// configuration and never sends its own, and a read-only view (welcome.view) greys the controls out.

import { SPEC } from '/spec.js';
import { State, propScope } from '../shared/state.js';
import { openSocket } from '../shared/socket.js';
import { Latest } from './latest.js';
import { createControls } from './controls.js';
import { createDatasets } from './datasets.js';
import { createFeatures } from './features.js';
import { createNetwork } from './network.js';
import { createHeatmap } from './heatmap.js';
import { createChart } from './chart.js';
import { createMetrics } from './metrics.js';
import { createStatus } from '../shared/status.js';
import { createExport } from './export.js';
import { createDigits } from './digits.js';
import { createInspector } from './inspector.js';
import { createWarp } from './warp.js';
import { createDigitViews } from './digit_views.js';
import { createCsvReport } from './csv_report.js';
import { createMatrix } from './matrix.js';
import { createStepThrough } from './step_through.js';
import { createFacts } from './facts.js';
import { createOverfit } from './overfit.js';
import { createLinearDemo } from './linear_demo.js';
import { createFit } from './fit.js';
import { pageUrl } from '../shared/join.js';
import { createShare } from '../shared/share.js';
import { viewQuery } from '../classroom/view_query.js';

const state = new State();
state.readUrl(location.search);
const latest = new Latest();
const flags = new Set(['state', 'layout']);
const stats = { framesReceived: 0, framesRendered: 0, messages: 0, renderMs: 0, renderMsMax: 0, viewMs: {}, animationFrames: 0 };
let socket = null;
let firstWelcome = true;
let opened = null;           // the socket's last 'open': { reconnected, resuming } (socket.js)
let waiters = [];           // promises waiting for the next config (or an error)
let pendingKeys = new Set();
let sendTimer = null;
let speedChangedAt = -Infinity;
let focusTimer = null;
let focusSent = null;
const CLASS = document.querySelector('[data-socket="class"]') !== null;
let readOnlySaid = false;    // a read-only view's refusal is said once, not for every refused command

function redraw(flag) {
  flags.add(flag);
}

// ------------------------------------------------------------------ actions the views may ask for
const actions = {
  send(message) {
    return socket ? socket.send(message) : false;
  },
  control(action) {
    actions.send({ type: 'control', action });
    if (action === 'play' || action === 'pause') {
      latest.runState = action === 'play' ? 'playing' : 'paused';
      latest.runStateAt = performance.now();
    }
  },
  focus(unit) {
    latest.focusUnit = unit;
    redraw('focus');
    // sweeping the pointer over many neurons must not flood the server: send the newest at most every 60 ms
    if (!focusTimer) {
      actions.send({ type: 'focus', unit });
      focusSent = unit;
      focusTimer = setTimeout(() => {
        focusTimer = null;
        if (latest.focusUnit !== focusSent) actions.focus(latest.focusUnit);
      }, 60);
    }
  },
  /** The input feature whose map the output view enlarges (the page draws it: it needs no network). */
  focusFeature(name) {
    if (latest.focusFeature === name) return;
    latest.focusFeature = name;
    redraw('focus');
  },
  token: () => (socket ? socket.token() : null),
  redraw: (flag) => redraw(flag),
  reconnectNow: () => socket && socket.reconnectNow(),
  notify: (message, kind) => status.notify(message, kind),
  /** Send settings now and resolve when the server has accepted them (reject on a refusal). */
  configureNow(settings) {
    state.set(settings, 'local');
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
      if (!actions.send({ type: 'configure', settings })) reject(new Error('not connected to the server'));
    });
  },
};

// ------------------------------------------------------------------ views
const status = createStatus({ state, latest, actions });
status.linkProblems(state.urlProblems);
const heatmap = createHeatmap({ state, latest, actions });
const datasets = createDatasets({ state, latest, actions });
datasets.useDrawSurface(heatmap.drawSurface);
actions.mapPicture = (size) => heatmap.picture(size);
const inspector = createInspector({ state, latest, actions });
const matrix = createMatrix({ state, latest, actions });
actions.openMatrix = (layer) => matrix.open(layer);
heatmap.onPick((x1, x2) => inspector.pick(x1, x2));
const digits = createDigits({ state, latest, actions });
actions.showDigit = (pixels) => digits.load(pixels);
const views = {
  controls: createControls({ state, latest, actions }),
  features: createFeatures({ state, latest, actions }),
  network: createNetwork({ state, latest, actions }),
  heatmap,
  chart: createChart({ state, latest, actions }),
  metrics: createMetrics({ state, latest, actions }),
  status,
  export: createExport({ state, latest, actions }),
  digits,
  digitViews: createDigitViews({ state, latest, actions }),
  warp: createWarp({ state, latest, actions }),
  csvReport: createCsvReport({ state, latest, actions }),
  inspector,
  matrix,
  stepthrough: createStepThrough({ state, latest, actions }),
  linearDemo: createLinearDemo({ state, latest, actions }),
  datasets,
  overfit: createOverfit({ state, latest, actions }),
  facts: createFacts({ state, latest, actions }),
  fit: createFit({ actions }),
};

// ------------------------------------------------------------------ state → URL, messages, page
function writeUrl() {
  if (CLASS) return;           // a class page's address is its credential (key, member), not a configuration
  const url = pageUrl(state.toUrl());
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
if (!CLASS) createShare(() => `${location.origin}${pageUrl(state.toUrl())}`);

// the controls hidden by the URL (hide=…): a constructed style sheet, since the Content-Security-Policy refuses
// <style> elements written by scripts
const hideSheet = new CSSStyleSheet();
document.adoptedStyleSheets = [...document.adoptedStyleSheets, hideSheet];

function applyPageSettings() {
  document.body.classList.toggle('projector', state.get('projector'));
  const button = document.getElementById('projector-toggle');
  if (button) button.setAttribute('aria-pressed', state.get('projector') ? 'true' : 'false');
  // names come from the URL: keep only safe identifiers before putting them into a selector
  const names = state.get('hide').filter((n) => /^[a-z0-9_-]+$/i.test(n));
  hideSheet.replaceSync(names.map((n) => `[data-ctl="${n}"]{display:none !important}`).join('\n'));
  // without the data choice, the data column stays only for what else it shows (digit images, a CSV report)
  document.body.classList.toggle('hide-data', names.includes('data'));
}

function flushSettings() {
  sendTimer = null;
  const keys = [...pendingKeys];
  pendingKeys = new Set();
  const settings = state.engineSettings(keys.filter((k) => propScope(k) === 'engine'));
  // the hidden widths and their activations travel together so their lengths agree
  if ('hidden' in settings || 'hidden_activations' in settings) {
    settings.hidden = state.get('hidden');
    const acts = state.get('hidden_activations');
    settings.hidden_activations = acts && acts.length === settings.hidden.length ? acts : null;
  }
  if (keys.includes('grid_size')) settings.grid_size = state.get('grid_size');
  if (Object.keys(settings).length) actions.send({ type: 'configure', settings });
}

/** The settings the person changed that flushSettings has not sent yet (widths and their activations go together). */
function unsentKeys() {
  const keys = new Set(pendingKeys);
  if (keys.has('hidden') || keys.has('hidden_activations')) keys.add('hidden').add('hidden_activations');
  return keys;
}

state.subscribe((keys, origin) => {
  redraw('state');
  if (keys.includes('projector') || keys.includes('hide')) {
    applyPageSettings();
    redraw('layout');
  }
  writeUrl();
  if (origin !== 'user') return;
  if (keys.includes('speed')) {
    speedChangedAt = performance.now();
    actions.send({ type: 'speed', epochs_per_frame: state.get('speed') });
  }
  for (const key of keys) {
    const scope = propScope(key);
    if (scope === 'engine' || scope === 'grid') pendingKeys.add(key);
  }
  if (pendingKeys.size && !sendTimer) sendTimer = setTimeout(flushSettings, 40);
});

document.getElementById('projector-toggle').addEventListener('click', () => state.set({ projector: !state.get('projector') }));

// ------------------------------------------------------------------ server → latest
/** A class's view (welcome.view: mode, read_only): the body says it (class `read-only`, data-view) and the
 *  controls a read-only view must not change are inert. */
function applyView(view) {
  const readOnly = Boolean(view && view.read_only);
  document.body.classList.toggle('read-only', readOnly);
  document.body.dataset.view = view ? view.mode : '';
  for (const id of ['hyper', 'runbar', 'data-panel', 'layer-stepper']) {
    const node = document.getElementById(id);
    if (node) node.inert = readOnly;
  }
  readOnlySaid = false;
}

function startSession(welcome) {
  if (CLASS) {
    // a class session is configured by the class: adopt what the server sends, send nothing of the page's own
    firstWelcome = false;
    applyView(welcome.view);
    return;
  }
  // a new session (or the first one of this page): hand it the page's configuration
  const resumed = Boolean(welcome.resumed);
  if (!resumed || firstWelcome) {
    const settings = state.engineSettings();
    if (settings.dataset === 'csv' && !resumed) {
      settings.dataset = SPEC.default_datasets[settings.task];
      status.notify('The server started a new session: load the CSV file again.', 'info');
    }
    if (settings.dataset === 'points') delete settings.dataset;
    settings.grid_size = state.get('grid_size');
    // speed first, so the config reply to the configure below already carries it
    actions.send({ type: 'speed', epochs_per_frame: state.get('speed') });
    actions.send({ type: 'configure', settings });
    latest.expected = settings;
    if (!resumed) datasets.sessionStarted();
    else if (state.get('dataset') === 'points' && latest.config && latest.config.dataset !== 'points') datasets.sessionStarted();
  }
  firstWelcome = false;
}

/** True when the server's config has every engine setting the page asked for. */
function matches(config, settings) {
  if (!config) return false;
  return Object.entries(settings).every(([key, value]) => value === null || !(key in config)
    || JSON.stringify(config[key]) === JSON.stringify(value));
}

function onMessage(msg) {
  stats.messages += 1;
  switch (msg.type) {
    case 'welcome':
      latest.welcome = msg;
      latest.config = null;
      redraw('welcome');
      status.session(msg, opened);
      startSession(msg);
      break;
    case 'config': {
      latest.config = msg.config || latest.config;
      if (msg.network) latest.network = msg.network;
      const extra = {};
      if (Number.isInteger(msg.grid_size)) extra.grid_size = msg.grid_size;
      if (Number.isInteger(msg.speed)) extra.speed = msg.speed;
      if (latest.config) state.adoptConfig(latest.config, extra, unsentKeys());
      if (msg.change && msg.change !== 'live' && msg.change !== 'unchanged') latest.history = [];
      if (latest.expected && matches(latest.config, latest.expected)) latest.expected = null;
      for (const w of waiters) w.resolve(msg);
      waiters = [];
      redraw('config');
      redraw('network');
      break;
    }
    case 'data':
      latest.data = msg;
      // panels about the plane (why non-linear, warped space) leave with it: digits, a many-column CSV
      document.body.classList.toggle('not-plane', msg.is_plane === false);
      redraw('data');
      break;
    case 'history':
      latest.history = Array.isArray(msg.rows) ? msg.rows.slice() : [];
      redraw('history');
      break;
    case 'status':
      if (msg.state) {
        latest.runState = msg.state;
        latest.runStateAt = performance.now();
      }
      redraw('status');
      break;
    case 'inspection':
      latest.inspection = msg;
      redraw('inspection');
      break;
    case 'warp':
    case 'mistakes':
      latest[msg.type] = msg;
      redraw(msg.type);
      break;
    case 'error':
      latest.expected = null;
      if (msg.code !== 'read_only') status.notify(msg.message || 'The server refused that.');
      else if (!readOnlySaid) status.notify(msg.message || 'This network is read-only here.', 'info');
      if (msg.code === 'read_only') readOnlySaid = true;
      for (const w of waiters) w.reject(new Error(msg.message || 'refused'));
      waiters = [];
      // show the settings the server actually has
      if (latest.config && ['invalid_config', 'invalid_message', 'read_only'].includes(msg.code)) state.adoptConfig(latest.config, {}, unsentKeys());
      break;
    default:
      break;
  }
}

function onFrame(frame, decoded) {
  stats.framesReceived += 1;
  latest.setFrame(frame, decoded);
  // a frame's run state wins unless the person pressed play/pause a moment ago
  if (!latest.runStateAt || performance.now() - latest.runStateAt > 600) latest.runState = frame.state;
  // the frame says which speed the session runs at; take it unless the person just changed it
  if (Number.isInteger(frame.speed) && performance.now() - speedChangedAt > 1500) state.set({ speed: frame.speed }, 'server');
  redraw('frame');
  if (decoded.blocks.inputs) redraw('inputs');
}

function onConnection(name, info) {
  latest.connection = name;
  if (name === 'open') opened = info;
  if (name === 'closed') {
    // nothing trains while the server cannot be reached: the play button shows it
    latest.runState = 'paused';
    latest.runStateAt = 0;
    redraw('status');
  }
  if (info && info.final) {
    // a class view that will not come back (removed, the class ended): the class module says why; no countdown
    status.connection('connecting', { attempt: 0 });
    window.dispatchEvent(new CustomEvent('nnp:class-closed', { detail: info }));
    return;
  }
  status.connection(name, info);
}

// ------------------------------------------------------------------ the render loop
function render() {
  stats.animationFrames += 1;
  if (flags.size) {
    const started = performance.now();
    const current = new Set(flags);
    flags.clear();
    for (const [name, view] of Object.entries(views)) {
      const t0 = performance.now();
      try {
        view.update(current);
        stats.viewMs[name] = (stats.viewMs[name] || 0) + performance.now() - t0;
      } catch (err) {
        // one view failing must not stop the others; report it once per kind
        console.warn('view update failed', err); // eslint-disable-line no-console
      }
    }
    if (current.has('frame')) {
      stats.framesRendered += 1;
      const ms = performance.now() - started;
      stats.renderMs += ms;
      stats.renderMsMax = Math.max(stats.renderMsMax, ms);
    }
  }
  requestAnimationFrame(render);
}

new ResizeObserver(() => redraw('layout')).observe(document.getElementById('network'));
window.addEventListener('resize', () => redraw('layout'));

applyPageSettings();
writeUrl();
if (CLASS) {
  viewQuery.then((query) => { socket = openSocket({ onMessage, onFrame, onConnection }, 'session', { path: '/ws/class/view', query }); });
} else {
  socket = openSocket({ onMessage, onFrame, onConnection });
}
requestAnimationFrame(render);

// read-only handles for tests and the browser benchmark
window.nnp = { state, latest, stats };
