// The optimizer race page: the state object (shared settings, lanes, target loss — read from and written to the
// URL, so a playground link's data set and network carry over), the race socket, and the views. Setting changes
// become a `race` message; race messages update `latest`; one animation-frame loop redraws what changed.
//
// Progress facts published (static/js/shared/progress.js): raceWinner (the winning lane's label, or null while nobody has
// reached the target), raceOver (true when no lane trains any more), raceTargetLoss, raceLanes (how many lanes).

import { SPEC } from '/spec.js';
import { State } from '../shared/state.js';
import { openSocket } from '../shared/socket.js';
import { publish } from '../shared/progress.js';
import { createStatus } from '../shared/status.js';
import { createRaceSetup } from './setup.js';
import { createRaceRunbar } from './runbar.js';
import { createRaceChart } from './chart.js';
import { createRaceLanes } from './lanes.js';
import { createRaceWinner } from './winner.js';
import { laneLabel, laneSettings, laneSummary, setExtras } from './names.js';
import { pageUrl } from '../shared/join.js';
import { createShare } from '../shared/share.js';

const HISTORY_CAP = 4000;       // rows kept per lane (thinned by half beyond)

const state = new State();
state.readUrl(location.search);
if (!state.fromUrl.has('speed')) state.set({ speed: SPEC.race.speed }, 'url');
const latest = {
  welcome: null, race: null, data: null, frame: null, maps: [], history: [], runState: 'paused', runStateAt: 0,
  connection: 'connecting', raceSent: null,
};
const flags = new Set(['state', 'layout']);
let socket = null;
let sendTimer = null;
let firstWelcome = true;
let opened = null;           // the socket's last 'open': { reconnected, resuming } (socket.js)
let checkResumed = false;     // a reload resumed the race: keep it unless the URL asks for another one

function redraw(flag) {
  flags.add(flag);
}

const actions = {
  send: (message) => (socket ? socket.send(message) : false),
  control(action) {
    actions.send({ type: 'race_control', action });
    if (action === 'play' || action === 'pause') {
      latest.runState = action === 'play' ? 'playing' : 'paused';
      latest.runStateAt = performance.now();
      redraw('status');
    }
  },
  reconnectNow: () => socket && socket.reconnectNow(),
  notify: (message, kind) => status.notify(message, kind),
  redraw,
  /** The label of lane k as the page shows it everywhere. */
  label(k) {
    const lane = state.get('lanes')[k];
    return lane ? laneLabel(lane, k, setExtras(lane)) : null;
  },
  /** Lane k's settings in words, without its letter (beside the letter badge). */
  summary(k) {
    const lane = state.get('lanes')[k];
    return lane ? laneSummary(lane, setExtras(lane)) : '';
  },
};

const status = createStatus({ state, latest, actions });
status.linkProblems(state.urlProblems);
const views = {
  status,
  setup: createRaceSetup({ state, latest, actions }),
  runbar: createRaceRunbar({ state, latest, actions }),
  chart: createRaceChart({ state, latest, actions }),
  lanes: createRaceLanes({ state, latest, actions }),
  winner: createRaceWinner({ state, latest, actions }),
};

// ------------------------------------------------------------------ state → URL and messages
function writeUrl() {
  const url = pageUrl(state.toUrl());
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
createShare(() => `${location.origin}${pageUrl(state.toUrl())}`);

/** The `race` message for the page's settings (drawn points and CSV files cannot race: a generated set stands in). */
function raceMessage() {
  const settings = state.engineSettings();
  if (settings.dataset === 'points' || settings.dataset === 'csv') settings.dataset = SPEC.default_datasets[settings.task];
  settings.grid_size = Math.min(state.get('grid_size'), SPEC.race.max_grid_size);
  return { type: 'race', settings, lanes: state.get('lanes'), target_loss: state.get('target_loss'), max_epochs: state.get('max_epochs') };
}

function sendRace() {
  sendTimer = null;
  const message = raceMessage();
  latest.raceSent = message;
  actions.send(message);
}

state.subscribe((keys, origin) => {
  redraw('state');
  if (keys.includes('projector')) {
    document.body.classList.toggle('projector', state.get('projector'));
    document.getElementById('projector-toggle').setAttribute('aria-pressed', state.get('projector') ? 'true' : 'false');
    redraw('layout');
  }
  writeUrl();
  if (origin !== 'user') return;
  if (keys.includes('speed')) actions.send({ type: 'speed', epochs_per_frame: state.get('speed') });
  const page = new Set(['speed', 'projector', 'log_scale', 'show_test', 'discretize', 'smoothing', 'hide']);
  if (keys.some((k) => !page.has(k))) {
    clearTimeout(sendTimer);
    sendTimer = setTimeout(sendRace, 250);
  }
});

document.getElementById('projector-toggle').addEventListener('click', () => state.set({ projector: !state.get('projector') }));

// ------------------------------------------------------------------ server → latest
/** The lanes as the page asks for them: optimizer, rate, and only the settings that change something. */
function askedLanes(race) {
  return race.lanes.map((lane) => {
    const asked = { optimizer: lane.optimizer, learning_rate: lane.learning_rate };
    for (const key of laneSettings(lane.optimizer)) {
      if (lane[key] !== race.config[key]) asked[key] = lane[key];
    }
    return asked;
  });
}

/** True when the server's race is the one the `race` message `asked` describes. */
function sameRace(race, asked) {
  const settingsMatch = Object.entries(asked.settings).every(([key, value]) => key === 'grid_size' || value === null
    || !(key in race.config) || JSON.stringify(race.config[key]) === JSON.stringify(value));
  // the server's lanes carry every optimizer setting; each setting the page asked for must have its value
  const lanesMatch = race.lanes.length === asked.lanes.length
    && asked.lanes.every((lane, k) => Object.entries(lane).every(([key, value]) => race.lanes[k][key] === value));
  return settingsMatch && lanesMatch && race.target_loss === asked.target_loss && race.max_epochs === asked.max_epochs;
}

function addRows(rows) {
  for (const row of rows) {
    if (!row || !Number.isInteger(row.lane) || row.lane < 0 || row.lane >= SPEC.race.lanes[1]) continue;
    const lane = latest.history[row.lane] || (latest.history[row.lane] = []);
    while (lane.length && lane[lane.length - 1].epoch >= row.epoch) lane.pop();
    lane.push(row);
    if (lane.length > HISTORY_CAP) latest.history[row.lane] = lane.filter((_, i) => i % 2 === 0 || i === lane.length - 1);
  }
}

function onMessage(msg) {
  switch (msg.type) {
    case 'welcome':
      latest.welcome = msg;
      status.session(msg, opened);
      if (!msg.resumed) {
        actions.send({ type: 'speed', epochs_per_frame: state.get('speed') });
        sendRace();
      }
      checkResumed = msg.resumed && firstWelcome;
      firstWelcome = false;
      redraw('welcome');
      break;
    case 'race':
      if (checkResumed && !sameRace(msg, raceMessage())) {
        checkResumed = false;
        sendRace();
        break;
      }
      checkResumed = false;
      // the server answers in order: a race that is not the one the page sent last is older news
      if (latest.raceSent && !sameRace(msg, latest.raceSent)) break;
      latest.race = msg;
      latest.raceSent = null;
      latest.frame = null;            // the last frame showed the previous race; this race's own frame follows
      state.adoptConfig(msg.config, { lanes: askedLanes(msg), target_loss: msg.target_loss, max_epochs: msg.max_epochs });
      redraw('race');
      break;
    case 'data':
      latest.data = msg;
      redraw('data');
      break;
    case 'race_history':
      latest.history = [];
      addRows(msg.rows || []);
      redraw('history');
      break;
    case 'status':
      latest.runState = msg.state;
      latest.runStateAt = performance.now();
      latest.statusMessage = msg.message;
      redraw('status');
      break;
    case 'error':
      latest.raceSent = null;
      status.notify(msg.message || 'The server refused that.');
      if (latest.race) state.adoptConfig(latest.race.config, { lanes: askedLanes(latest.race), target_loss: latest.race.target_loss, max_epochs: latest.race.max_epochs });
      redraw('state');
      break;
    default:
      break;
  }
}

function onFrame(frame, decoded) {
  latest.frame = frame;
  latest.maps = decoded.lanes;
  if (Array.isArray(frame.history)) addRows(frame.history);
  if (performance.now() - latest.runStateAt > 600) latest.runState = frame.state;
  redraw('frame');
}

function onConnection(name, info) {
  latest.connection = name;
  if (name === 'open') opened = info;
  if (name === 'closed') latest.runState = 'paused';     // nothing races while the server cannot be reached
  status.connection(name, info);
  redraw('status');
}

// ------------------------------------------------------------------ facts and the render loop
function publishFacts() {
  const frame = latest.frame;
  const winner = frame && Number.isInteger(frame.winner) ? actions.label(frame.winner) : null;
  publish({ raceWinner: winner, raceOver: Boolean(frame && frame.over), raceTargetLoss: state.get('target_loss'),
    raceLanes: state.get('lanes').length });
}

function render() {
  if (flags.size) {
    const current = new Set(flags);
    flags.clear();
    for (const view of Object.values(views)) {
      try {
        view.update(current);
      } catch (err) {
        console.warn('view update failed', err); // eslint-disable-line no-console
      }
    }
    if (current.has('frame') || current.has('race')) publishFacts();
  }
  requestAnimationFrame(render);
}

window.addEventListener('resize', () => redraw('layout'));
document.body.classList.toggle('projector', state.get('projector'));
writeUrl();
socket = openSocket({ onMessage, onFrame, onConnection }, 'race');
requestAnimationFrame(render);

// read-only handles for tests
window.nnp = { state, latest };
