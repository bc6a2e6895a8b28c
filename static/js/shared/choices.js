// Reading the server's `welcome.choices` and `welcome.limits`, with people-friendly names for the options.
// The server is the authority on what is allowed; the fallbacks here only cover the moment before welcome.

export const LABELS = {
  binary: 'Binary classification', multiclass: 'Multi-class classification', regression: 'Regression',
  linear: 'Linear', step: 'Step', sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'ReLU', leaky_relu: 'Leaky ReLU',
  softmax: 'Softmax',
  mse: 'Squared error (MSE)', huber: 'Huber', bce: 'Binary cross-entropy', hinge: 'Hinge',
  cce: 'Categorical cross-entropy', kl: 'Kullback–Leibler', perceptron: 'Perceptron rule',
  sgd: 'Gradient descent', momentum: 'Momentum', adagrad: 'Adagrad', rmsprop: 'RMSprop', adam: 'Adam',
  none: 'None', l1: 'L1', l2: 'L2',
  circle: 'Circle', xor: 'XOR', gauss: 'Gaussian', spiral: 'Spiral', moons: 'Moons', spiral3: 'Spiral 3',
  blobs: 'Blobs', plane: 'Plane', bumps: 'Bumps', digits: 'Digits', points: 'Drawn', csv: 'CSV file',
};

export function label(name) {
  return LABELS[name] || String(name);
}

const FALLBACK_DATASETS = {
  circle: 'binary', xor: 'binary', gauss: 'binary', spiral: 'binary', moons: 'binary',
  spiral3: 'multiclass', blobs: 'multiclass', digits: 'multiclass', plane: 'regression', bumps: 'regression',
};
const FALLBACK_LOSSES = {
  binary: { bce: ['sigmoid'], mse: ['tanh', 'sigmoid', 'linear'], hinge: ['linear'], perceptron: ['step'] },
  multiclass: { cce: ['softmax'], kl: ['softmax'], mse: ['softmax'] },
  regression: { mse: ['linear', 'tanh', 'sigmoid', 'relu', 'leaky_relu'], huber: ['linear', 'tanh', 'sigmoid', 'relu', 'leaky_relu'] },
};
const FALLBACK = {
  tasks: ['binary', 'multiclass', 'regression'],
  activations: ['linear', 'step', 'sigmoid', 'tanh', 'relu', 'leaky_relu'],
  optimizers: ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'],
  features: ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'],
};

function asNames(value) {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : v && (v.name || v.id))).filter(Boolean);
  if (value && typeof value === 'object') return Object.keys(value);
  return null;
}

export class Choices {
  constructor(welcome) {
    this.raw = (welcome && welcome.choices) || {};
    this.limitsRaw = (welcome && welcome.limits) || {};
  }

  list(name) {
    const raw = this.raw[name];
    if (name === 'activations' && raw && !Array.isArray(raw) && typeof raw === 'object' && Array.isArray(raw.hidden)) {
      // { hidden: [...], perceptron: ['step'], output: [...] }: the hidden ones, then the perceptron's step
      const out = raw.hidden.slice();
      for (const a of raw.perceptron || []) if (!out.includes(a)) out.push(a);
      return out;
    }
    return asNames(raw) || FALLBACK[name] || [];
  }

  /** data set name → task */
  datasets() {
    const raw = this.raw.datasets;
    if (raw && !Array.isArray(raw) && typeof raw === 'object') {
      const out = {};
      for (const [name, info] of Object.entries(raw)) {
        out[name] = typeof info === 'string' ? info : (info && info.task) || FALLBACK_DATASETS[name] || 'binary';
      }
      return out;
    }
    if (Array.isArray(raw)) {
      const out = {};
      for (const item of raw) {
        if (typeof item === 'string') out[item] = FALLBACK_DATASETS[item] || 'binary';
        else if (item && item.name) out[item.name] = item.task || FALLBACK_DATASETS[item.name] || 'binary';
      }
      return out;
    }
    return { ...FALLBACK_DATASETS };
  }

  datasetsFor(task) {
    return Object.entries(this.datasets()).filter(([, t]) => t === task).map(([name]) => name);
  }

  /** loss name → allowed output activations (first = default), for one task */
  losses(task) {
    const raw = this.raw.losses && this.raw.losses[task];
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const out = {};
      for (const [loss, outs] of Object.entries(raw)) {
        out[loss] = Array.isArray(outs) ? outs : (outs && (outs.outputs || outs.output_activations)) || [];
      }
      return out;
    }
    if (Array.isArray(raw)) {
      const out = {};
      for (const item of raw) {
        if (typeof item === 'string') out[item] = (FALLBACK_LOSSES[task] || {})[item] || [];
        else if (item && item.name) out[item.name] = item.outputs || item.output_activations || [];
      }
      return out;
    }
    return FALLBACK_LOSSES[task] || {};
  }

  defaultLoss(task) {
    const given = this.raw.default_loss && this.raw.default_loss[task];
    const names = Object.keys(this.losses(task));
    if (given && names.includes(given)) return given;
    const preferred = { binary: 'bce', multiclass: 'cce', regression: 'mse' }[task];
    return names.includes(preferred) ? preferred : names[0];
  }

  /** [low, high] allowed for a setting, or the fallback. */
  range(key, fallback) {
    const raw = this.limitsRaw[key];
    if (Array.isArray(raw) && raw.length === 2) return raw;
    if (raw && typeof raw === 'object') {
      const lo = raw.min ?? raw.low ?? raw.lo;
      const hi = raw.max ?? raw.high ?? raw.hi;
      if (Number.isFinite(lo) && Number.isFinite(hi)) return [lo, hi];
    }
    return fallback;
  }
}
