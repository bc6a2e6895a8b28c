// The one state object: every setting the person can choose, with a property table that says
// how each setting is written to the URL and whether it goes to the server in a `configure` message.
//
// Settings with scope "engine" are engine.Config fields (names exactly as docs/protocol.md lists them);
// "grid" travels inside `configure` too; "speed" has its own message; "page" settings only change the view.
// The server's settings take their defaults and bounds from its SPEC (/spec.js); only the page's own are set here.

import { SPEC } from '/spec.js';
import { label, ACTIVATIONS, datasetsFor, losses } from './choices.js';

const num = { parse: (s) => (s === '' ? NaN : Number(s)), show: (v) => String(v) };
const int = { parse: (s) => (/^-?\d+$/.test(s) ? Number(s) : NaN), show: (v) => String(v) };
const str = { parse: (s) => s, show: (v) => v };
const bool = { parse: (s) => ({ 1: true, true: true, 0: false, false: false }[s] ?? null), show: (v) => (v ? '1' : '0') };
const words = { parse: (s) => (s === '' ? [] : s.split(',')), show: (v) => v.join(',') };
const ints = {
  parse: (s) => (s === '' ? [] : s.split(',').map((x) => (/^\d+$/.test(x) ? Number(x) : NaN))),
  show: (v) => v.join(','),
};

// An optimizer race's lanes: "sgd*0.03,adam*0.01*batch_size_25*beta1_0.8" — per lane the optimizer, its learning
// rate, then any other setting a lane may set as name_value (names and values from engine.Config).
const LANE_EXTRAS = SPEC.race.lane_settings.filter((key) => key !== 'optimizer' && key !== 'learning_rate');
const [FEWEST_LANES, MOST_LANES] = SPEC.race.lanes;
const lanes = {
  parse: (s) => s.split(',').map((text) => {
    const [optimizer, rate, ...extras] = text.split('*');
    const lane = { optimizer, learning_rate: /^[0-9.e+-]+$/i.test(rate || '') ? Number(rate) : NaN };
    for (const extra of extras) {
      const at = extra.lastIndexOf('_');
      const name = extra.slice(0, at);
      if (at > 0 && LANE_EXTRAS.includes(name)) lane[name] = Number(extra.slice(at + 1));
    }
    return lane;
  }),
  show: (v) => v.map((lane) => [lane.optimizer, lane.learning_rate,
    ...LANE_EXTRAS.filter((k) => lane[k] !== undefined && lane[k] !== null).map((k) => `${k}_${lane[k]}`)].join('*')).join(','),
};

// key, codec, scope and default: a server setting's default is the server's (SPEC.defaults: engine.Config, the map
// resolution and the speed; a race's from SPEC.race), a page setting's is here. `always` keys are written to the URL
// even at their default value, so a shared link names the data set and seed explicitly.
export const PROPS = [
  { key: 'task', codec: str, scope: 'engine', always: true },
  { key: 'dataset', codec: str, scope: 'engine', always: true },
  { key: 'n_points', codec: int, scope: 'engine' },
  { key: 'noise', codec: num, scope: 'engine' },
  { key: 'n_classes', codec: int, scope: 'engine' },
  { key: 'train_ratio', codec: num, scope: 'engine' },
  { key: 'features', codec: words, scope: 'engine' },
  { key: 'hidden', codec: ints, scope: 'engine' },
  { key: 'activation', codec: str, scope: 'engine' },
  { key: 'hidden_activations', codec: words, scope: 'engine' },
  { key: 'output_activation', codec: str, scope: 'engine' },
  { key: 'loss', codec: str, scope: 'engine' },
  { key: 'init', codec: str, scope: 'engine' },
  { key: 'optimizer', codec: str, scope: 'engine' },
  { key: 'learning_rate', codec: num, scope: 'engine' },
  { key: 'momentum', codec: num, scope: 'engine' },
  { key: 'beta1', codec: num, scope: 'engine' },
  { key: 'beta2', codec: num, scope: 'engine' },
  { key: 'rho', codec: num, scope: 'engine' },
  { key: 'epsilon', codec: num, scope: 'engine' },
  { key: 'batch_size', codec: int, scope: 'engine' },
  { key: 'regularization', codec: str, scope: 'engine' },
  { key: 'reg_rate', codec: num, scope: 'engine' },
  { key: 'dropout', codec: num, scope: 'engine' },
  { key: 'huber_delta', codec: num, scope: 'engine' },
  { key: 'learn_bias', codec: bool, scope: 'engine' },
  { key: 'seed', codec: int, scope: 'engine', always: true },
  { key: 'grid_size', codec: int, scope: 'grid' },
  { key: 'speed', codec: int, scope: 'speed' },
  { key: 'show_test', codec: bool, def: false, scope: 'page' },
  { key: 'discretize', codec: bool, def: false, scope: 'page' },
  { key: 'log_scale', codec: bool, def: false, scope: 'page' },
  { key: 'smoothing', codec: num, def: 0, scope: 'page' },
  { key: 'projector', codec: bool, def: false, scope: 'page' },
  { key: 'warp', codec: bool, def: false, scope: 'page' },
  { key: 'hide', codec: words, def: [], scope: 'page' },
  { key: 'lesson', codec: str, def: '', scope: 'page' },   // the guided lesson shown beside the page (lessons/panel.js)
  { key: 'lab', codec: str, def: '', scope: 'page' },      // 'overfit': the overfitting lab's buttons (overfit.js)
  // the optimizer race (/race): its lanes, the training loss that wins, and how long it may last
  { key: 'lanes', codec: lanes, def: SPEC.race.default_lanes, scope: 'race' },
  { key: 'target_loss', codec: num, def: SPEC.race.target_loss, scope: 'race' },
  { key: 'max_epochs', codec: int, def: SPEC.race.max_epochs, scope: 'race' },
].map((p) => ('def' in p ? p : { ...p, def: SPEC.defaults[p.key] }));

const BY_KEY = new Map(PROPS.map((p) => [p.key, p]));
export const ENGINE_KEYS = PROPS.filter((p) => p.scope === 'engine').map((p) => p.key);

function copy(v) {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? { ...x } : x));
  return v;
}

function same(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
  }
  return a === b;
}

// what a malformed URL value should have looked like, per codec (for the message that says it was not used)
const EXPECTED = new Map([[num, 'a number'], [int, 'a whole number'], [str, 'a name (letters, digits and _)'],
  [bool, '1 or 0'], [words, 'a list of names like x1,x2'], [ints, 'a list of whole numbers above 0 like 4,2'],
  [lanes, `a list of ${FEWEST_LANES} to ${MOST_LANES} lanes like sgd*0.03,adam*0.01`]]);

function valid(prop, value) {
  if (value === null) return prop.def === null;
  if (prop.codec === bool) return typeof value === 'boolean';
  if (prop.codec === num || prop.codec === int) return Number.isFinite(value);
  if (prop.codec === ints) return value.every((x) => Number.isInteger(x) && x > 0);
  if (prop.codec === words) return value.every((x) => /^[a-z0-9_-]+$/i.test(x));
  if (prop.codec === lanes) {
    return value.length >= FEWEST_LANES && value.length <= MOST_LANES && value.every((lane) => /^[a-z]+$/.test(lane.optimizer)
      && Object.entries(lane).every(([k, x]) => k === 'optimizer' || Number.isFinite(x)));
  }
  if (prop.codec === str) return /^[a-z0-9_]+$/i.test(value);
  return true;
}

export class State {
  constructor() {
    this.values = {};
    for (const p of PROPS) this.values[p.key] = copy(p.def);
    this.listeners = new Set();
    // settings the URL named explicitly (sent to the server even if a resumed session differs)
    this.fromUrl = new Set();
    // what the URL asked for that could not be used, in words ("noise 'abc' is not a number; using 0")
    this.urlProblems = [];
  }

  get(key) {
    return this.values[key];
  }

  /** Every setting as a plain object (a copy). */
  snapshot() {
    const out = {};
    for (const p of PROPS) out[p.key] = copy(this.values[p.key]);
    return out;
  }

  /**
   * Change settings. `origin` says who changed them: 'user' (a control: the change is sent to the server),
   * 'server' (the server's accepted config: nothing is sent back) or 'url'.
   * Listeners receive (changedKeys, origin).
   */
  set(patch, origin = 'user') {
    const changed = [];
    for (const [key, value] of Object.entries(patch)) {
      const prop = BY_KEY.get(key);
      if (!prop) continue;
      if (!same(this.values[key], value)) {
        this.values[key] = copy(value);
        changed.push(key);
      }
    }
    if (changed.length) for (const fn of this.listeners) fn(changed, origin, patch);
    return changed;
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Read settings from a query string, then check them against the server's choices and limits (SPEC): a malformed
   * value, or one the server would refuse, keeps the default (a data set: the task's) and is listed in
   * `urlProblems` in words, naming the setting and what is allowed. Parameters that are not settings (join=…) are
   * left to whom they belong.
   */
  readUrl(search) {
    const params = new URLSearchParams(search);
    const patch = {};
    for (const p of PROPS) {
      if (!params.has(p.key)) continue;
      const raw = params.get(p.key);
      const value = raw === 'auto' && p.def === null ? null : p.codec.parse(raw);
      if (valid(p, value)) {
        patch[p.key] = value;
        this.fromUrl.add(p.key);
      } else {
        this.urlProblems.push(`${p.key} '${raw.slice(0, 40)}' is not ${EXPECTED.get(p.codec)}; using ${shown(p.key, p.def)}`);
      }
    }
    this.set(patch, 'url');
    this.checkUrl();
  }

  /** readUrl's second half: each setting the URL named that the server would refuse goes back to its default. */
  checkUrl() {
    const problems = [];
    const patch = {};
    const v = (key) => (key in patch ? patch[key] : this.values[key]);
    const refuse = (key, text, replacement = BY_KEY.get(key).def) => {
      patch[key] = copy(replacement);
      problems.push(`${key} ${text}; using ${shown(key, replacement)}`);
    };
    const quote = (value) => `'${String(value).slice(0, 40)}'`;
    const among = (key, names, what) => {
      const value = v(key);
      if (value !== null && !names.includes(value)) refuse(key, `${quote(value)} is not one of the ${what} (${names.join(', ')})`);
    };
    const within = (key, [low, high]) => {
      const value = v(key);
      if (value < low || value > high) refuse(key, `${value} is outside ${low} to ${high}`);
    };
    const urlNamed = (key) => this.fromUrl.has(key);
    const { choices, limits } = SPEC;
    if (urlNamed('task')) among('task', choices.tasks, 'tasks');
    if (urlNamed('dataset')) {
      const task = v('task');
      const value = v('dataset');
      const fallback = SPEC.default_datasets[task];
      if (value === 'points' || value === 'csv') {
        // the page's own data (drawn points, a CSV file): main.js hands it to the session
      } else if (!(value in choices.datasets)) {
        refuse('dataset', `${quote(value)} is not one of the ${task} data sets (${datasetsFor(task).join(', ')})`, fallback);
      }
      else if (choices.datasets[value] !== task) refuse('dataset', `${quote(value)} is a ${choices.datasets[value]} data set, and the task is ${task}`, fallback);
    }
    const hidden = choices.activations.hidden;
    if (urlNamed('activation')) among('activation', ACTIVATIONS, 'activations');
    if (urlNamed('hidden_activations') && v('hidden_activations')) {
      const bad = v('hidden_activations').find((a) => !hidden.includes(a));
      if (bad !== undefined) refuse('hidden_activations', `has ${quote(bad)}, which is not one of the activations (${hidden.join(', ')})`);
    }
    if (urlNamed('output_activation')) among('output_activation', choices.activations.output, 'output activations');
    if (urlNamed('loss')) among('loss', Object.keys(losses(v('task'))), `losses of the ${v('task')} task`);
    if (urlNamed('optimizer')) among('optimizer', choices.optimizers, 'optimizers');
    if (urlNamed('init')) among('init', choices.inits, 'initialisations');
    if (urlNamed('regularization')) among('regularization', choices.regularizations, 'regularisations');
    if (urlNamed('features')) {
      const names = Object.keys(choices.features);
      const bad = v('features').find((f) => !names.includes(f));
      if (bad !== undefined) refuse('features', `has ${quote(bad)}, which is not one of the features (${names.join(', ')})`);
    }
    for (const key of ['learning_rate', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon', 'reg_rate', 'dropout', 'huber_delta',
      'noise', 'train_ratio', 'n_points', 'n_classes', 'batch_size', 'seed', 'grid_size', 'target_loss']) {
      if (urlNamed(key)) within(key, limits[key]);
    }
    if (urlNamed('speed')) within('speed', limits.epochs_per_frame);
    if (urlNamed('max_epochs')) within('max_epochs', limits.race_epochs);
    if (urlNamed('hidden')) {
      const [, most] = limits.hidden_layers;
      const [narrow, wide] = limits.width;
      const widths = v('hidden');
      if (widths.length > most) refuse('hidden', `has ${widths.length} layers; at most ${most} are allowed`);
      else if (widths.some((w) => w < narrow || w > wide)) refuse('hidden', `'${widths.join(',')}' has a layer width outside ${narrow} to ${wide}`);
    }
    if (urlNamed('lanes')) {
      const [rateLow, rateHigh] = limits.learning_rate;
      const value = v('lanes');
      const bad = value.find((lane) => !choices.optimizers.includes(lane.optimizer));
      if (value.length < FEWEST_LANES || value.length > MOST_LANES) refuse('lanes', `has ${value.length} lanes; a race has ${FEWEST_LANES} to ${MOST_LANES}`);
      else if (bad) refuse('lanes', `has the optimizer ${quote(bad.optimizer)}, which is not one of ${choices.optimizers.join(', ')}`);
      else if (value.some((lane) => lane.learning_rate < rateLow || lane.learning_rate > rateHigh)) {
        refuse('lanes', `has a learning rate outside ${rateLow} to ${rateHigh}`);
      }
    }
    this.urlProblems.push(...problems);
    this.set(patch, 'url');
  }

  /** The query string that reproduces the current configuration. */
  toUrl() {
    const params = new URLSearchParams();
    for (const p of PROPS) {
      const value = this.values[p.key];
      if (value === null || value === undefined) continue;
      if (!p.always && same(value, p.def)) continue;
      params.set(p.key, p.codec.show(value));
    }
    return params.toString().replace(/%2C/g, ',');
  }

  /**
   * The engine settings for a `configure` message (all of them, or only `keys`). A null loss, output activation
   * or per-layer activation list means "the default for this task / layer count" and is sent as null, so the
   * server resolves it afresh instead of keeping a value that no longer fits.
   */
  engineSettings(keys = null) {
    const out = {};
    for (const key of keys || ENGINE_KEYS) {
      const prop = BY_KEY.get(key);
      if (!prop || prop.scope !== 'engine') continue;
      const value = this.values[key];
      if (value === undefined || (value === null && prop.def !== null)) continue;
      out[key] = copy(value);
    }
    return out;
  }

  /** Take the server's accepted engine config as the truth. */
  /**
   * Take the server's settings, except `keep`: keys the person changed that are not sent yet (a reply to an
   * earlier message must not undo a change that is on its way).
   */
  adoptConfig(config, extra = {}, keep = new Set()) {
    const patch = {};
    for (const key of ENGINE_KEYS) {
      if (key in config && !keep.has(key)) patch[key] = Array.isArray(config[key]) ? config[key].slice() : config[key];
    }
    for (const [key, value] of Object.entries(extra)) if (!keep.has(key)) patch[key] = value;
    return this.set(patch, 'server');
  }

  isHidden(name) {
    return this.values.hide.includes(name);
  }
}

/** A setting's value as a person reads it in a message: data sets and choices by their label, the rest as in a link. */
function shown(key, value) {
  if (value === null) return 'the automatic choice';
  const prop = BY_KEY.get(key);
  if (prop.codec === str) return value === '' ? 'none' : label(value);
  return prop.codec.show(value) || 'none';
}

export function propScope(key) {
  const p = BY_KEY.get(key);
  return p ? p.scope : null;
}
