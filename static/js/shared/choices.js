// What the server offers and what the page calls it, read from the server's SPEC (/spec.js, built by
// server/protocol.py: the same choices and limits its welcome message repeats), so from the page's first moment.

import { SPEC } from '/spec.js';

const NAMES = Object.assign({}, ...['tasks', 'datasets', 'activations', 'losses', 'optimizers', 'regularizations', 'inits']
  .map((kind) => SPEC.labels[kind]));

/** A name as people read it: 'adam' → 'Adam', 'spiral3' → 'Spiral 3' (a name the server does not label, as it is). */
export function label(name) {
  return NAMES[name] || String(name);
}

/** The activations a layer may be given: the hidden ones, then the perceptron's step. */
export const ACTIVATIONS = [...SPEC.choices.activations.hidden, ...SPEC.choices.activations.perceptron];

/** The generated data sets of `task`, in the server's order. */
export function datasetsFor(task) {
  return Object.keys(SPEC.choices.datasets).filter((name) => SPEC.choices.datasets[name] === task);
}

/** loss name → the output activations it allows (the first is its default), for one task. */
export function losses(task) {
  return SPEC.choices.losses[task] || {};
}

/** The settings the update rule of `optimizer` reads beyond the learning rate, in the engine's order. */
export function optimizerSettings(optimizer) {
  return Object.keys(SPEC.optimizers[optimizer].settings).filter((key) => key !== 'learning_rate');
}

/** A speed as the menus say it: the epochs trained between two pictures (0: as fast as possible). */
export function speedLabel(epochs) {
  return epochs === 0 ? 'As fast as possible' : `${epochs} epoch${epochs === 1 ? '' : 's'} / frame`;
}
