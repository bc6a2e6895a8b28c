// Export ▸ Keras script: the network as a Keras 3 Sequential with the trained weights, the engine's loss, optimizer,
// regularisation, dropout and batch size, and the engine's data. It runs on Keras's PyTorch backend (chosen unless
// KERAS_BACKEND says otherwise) and uses keras.ops only. export_framework.js has what it shares with PyTorch.

import { label as optimizerLabel } from '../shared/choices.js';
import { pyFloat, pyString, wrap } from './export_python.js';
import {
  LEAKY_SLOPE, LOSS_TEXT, describe, frameworkScript, moments, momentsCode, optimizerComment,
} from './export_framework.js';

const LEAKY = `layers.LeakyReLU(negative_slope=${pyFloat(LEAKY_SLOPE)})`;

const STEP_FUNCTION = `def step(z):
    """The perceptron's step: 1 where z ≥ 0, else 0. Its slope is 0 everywhere; the perceptron criterion reads z."""
    return ops.cast(z >= 0, z.dtype)


`;

/** The loss: [Python source defining LOSS, a note on the framework]. */
function lossCode(c) {
  const custom = (name, args, body) => `def ${name}(${args}):
    """The ${LOSS_TEXT[c.loss]}, per point."""
    return ${body}


LOSS = ${name}`;
  switch (c.loss) {
    case 'bce': return ['LOSS = keras.losses.BinaryCrossentropy(from_logits=True)', 'Computed from z, as the page does: exact also where a is close to 0 or 1.'];
    case 'cce': return ['LOSS = keras.losses.CategoricalCrossentropy(from_logits=True)', 'Computed from z, as the page does.'];
    case 'kl': return [custom('kl_divergence', 't, z', 'ops.sum(t * (ops.log(ops.where(t > 0, t, 1.0)) - ops.log_softmax(z, axis=-1)), axis=-1)'),
      'keras.losses.KLDivergence clips t and a to [1e-7, 1], which adds a little for every class a point is not in, so it is written out, from z (0·log 0 counts as 0).'];
    case 'huber': return [`LOSS = keras.losses.Huber(delta=${pyFloat(c.huber_delta)})`, 'keras.losses.Huber is the same.'];
    case 'hinge': return ['LOSS = keras.losses.Hinge()', 'keras.losses.Hinge is the same (the targets are already −1/+1).'];
    case 'perceptron': return [custom('perceptron_criterion', 't, z', 'ops.sum((step(z) - t) * z, axis=-1)'),
      'Its slope (step(z) − t) is the perceptron rule: the comparison in step passes no gradient.'];
    default: return [custom('squared_error', 't, a', '0.5 * ops.sum(ops.square(a - t), axis=-1)'),
      'keras.losses.MeanSquaredError averages (a − t)² over the outputs without the ½: its gradient would be 2/K times the page\'s (K outputs), so it is written out.'];
  }
}

/**
 * An optimizer written out with keras.ops, for the rules Keras's own optimizers compute differently:
 * settings (names of the constructor's arguments after learning_rate), slots (per-variable state), update (lines).
 */
function customOptimizer(name, settings, slots, update) {
  const label = optimizerLabel(name).replace(/\W/g, '');    // a Python class name
  const self = settings.map((s) => `self.${s}`).join(', ');
  return `class Page${label}(keras.optimizers.Optimizer):
    """${label} as the page computes it (the rule above), written out with keras.ops."""

    def __init__(self, learning_rate, ${settings.join(', ')}):
        super().__init__(learning_rate=learning_rate, name="page_${name}")
        ${self} = ${settings.join(', ')}

    def build(self, variables):
        super().build(variables)
${slots.map((s) => `        self.${s} = [self.add_variable_from_reference(v, "${s}") for v in variables]`).join('\n')}

    def update_step(self, g, w, learning_rate):
        i = self._get_variable_index(w)  # w's place among the trained variables, as Keras's own optimizers find it
        ${slots.join(', ')} = ${slots.map((s) => `self.${s}[i]`).join(', ')}
${update.map((line) => `        ${line}`).join('\n')}
        self.assign_sub(w, learning_rate * ${name === 'adam' ? 'm_hat / (ops.sqrt(s_hat)' : 'g / (ops.sqrt(s)'} + self.epsilon))


`;
}

/** [the class written out (or ''), the constructor call, a note, the optimizer's state variables per moment]. */
function optimizerCode(c) {
  const lr = 'learning_rate=LEARNING_RATE';
  const eps = `epsilon=${pyFloat(c.epsilon)}`;
  const own = { m: 'OPTIMIZER.m', s: 'OPTIMIZER.s' };
  switch (c.optimizer) {
    case 'momentum': return ['', `keras.optimizers.SGD(${lr}, momentum=${pyFloat(c.momentum)})`,
      'keras.optimizers.SGD with momentum computes the same.', { m: 'OPTIMIZER.momentums' }];
    case 'adagrad': return [customOptimizer('adagrad', ['epsilon'], ['s'], ['self.assign(s, s + g * g)']),
      `PageAdagrad(${lr}, ${eps})`, 'keras.optimizers.Adagrad starts s at 0.1 and divides by √(s + ε): PageAdagrad keeps to the rule.', own];
    case 'rmsprop': return [customOptimizer('rmsprop', ['rho', 'epsilon'], ['s'], ['self.assign(s, self.rho * s + (1 - self.rho) * g * g)']),
      `PageRMSprop(${lr}, rho=${pyFloat(c.rho)}, ${eps})`, 'keras.optimizers.RMSprop divides by √(s + ε): PageRMSprop keeps to the rule.', own];
    case 'adam': return [customOptimizer('adam', ['beta_1', 'beta_2', 'epsilon'], ['m', 's'], [
      't = ops.cast(self.iterations + 1, w.dtype)  # this step\'s number, from 1',
      'self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)',
      'self.assign(s, self.beta_2 * s + (1 - self.beta_2) * g * g)',
      'm_hat = m / (1 - self.beta_1 ** t)',
      's_hat = s / (1 - self.beta_2 ** t)']),
      `PageAdam(${lr}, beta_1=${pyFloat(c.beta1)}, beta_2=${pyFloat(c.beta2)}, ${eps})`,
      'keras.optimizers.Adam adds ε to √s before the bias correction (ε·√(1 − β₂ᵗ) in the page\'s terms), which moves small steps: PageAdam keeps to the rule.', own];
    default: return ['', `keras.optimizers.SGD(${lr})`, 'keras.optimizers.SGD computes the same.', {}];
  }
}

/** Building the optimizer for the trained variables and loading the page's state into it. */
function stateCode(spec, slots) {
  const names = moments(spec.config.optimizer);
  if (!names.length) return '';
  const [variables, values] = spec.config.learn_bias ? ['(layer.kernel, layer.bias)', '(W, b)'] : ['(layer.kernel,)', '(W,)'];
  return `
${momentsCode(spec)}trained_variables = [v for layer in dense_layers for v in ${variables}]
OPTIMIZER.build(trained_variables)  # its state: ${names.join(' and ')} for each trained variable, in this order
OPTIMIZER.iterations.assign(STEPS)
for state, flat in [${names.map((n) => `(${slots[n]}, ${n.toUpperCase()})`).join(', ')}]:
    values = [v for W, b in layers_of(flat) for v in ${values}]  # the page's, in the order of trained_variables
    for variable, value in zip(state, values):
        variable.assign(value)
`;
}

function regularizerCode(c) {
  if (c.regularization === 'none' || !(c.reg_rate > 0)) return { def: '', arg: '' };
  const rate = pyFloat(c.reg_rate);
  const def = c.regularization === 'l1'
    ? `# λ·Σ|W| over the weights (not the biases), as on the page.\nREGULARIZER = keras.regularizers.L1(${rate})`
    : `# ½·λ·ΣW² over the weights (not the biases), as on the page: Keras's L2(l2) is l2·ΣW², so l2 = λ/2.\nREGULARIZER = keras.regularizers.L2(${rate} / 2)`;
  return { def: `# Added to each batch's mean loss, so its slope joins the batch's mean gradient.\n${def}\n`, arg: ', kernel_regularizer=REGULARIZER' };
}

function activationLayers(act, hidden) {
  if (act === 'linear') return [];
  if (act === 'leaky_relu') return [LEAKY];
  if (act === 'step') return ['layers.Activation(step)'];
  return hidden ? [] : [`layers.Activation(${pyString(act)})`];
}

function modelCode(spec, facts) {
  const c = spec.config;
  const s = spec.sizes;
  const reg = regularizerCode(c);
  const lines = [`    keras.Input(shape=(${s[0]},)),`];
  for (let l = 0; l + 1 < s.length; l++) {
    const last = l + 2 === s.length;
    const act = last ? facts.output : facts.hidden[l];
    const inDense = !last && ['sigmoid', 'tanh', 'relu'].includes(act) ? `, activation=${pyString(act)}` : '';
    const parts = [`layers.Dense(${s[l + 1]}${inDense}${reg.arg})`, ...activationLayers(act, !last)];
    if (!last && c.dropout > 0) parts.push(`layers.Dropout(${pyFloat(c.dropout)})`);
    lines.push(`    ${parts.join(', ')},`);
  }
  const split = facts.fromZ
    ? `# The same layers (and weights) without the output's ${facts.output}: they give z, which the loss takes.
logits = keras.Sequential([keras.Input(shape=(${s[0]},)), *model.layers[:-1]])\n` : '';
  const frozen = c.learn_bias ? '' : `for layer in dense_layers:
    layer.bias.trainable = False  # the biases are frozen on the page ("learn biases" off)
`;
  return `${facts.output === 'step' ? STEP_FUNCTION : ''}${reg.def}model = keras.Sequential([
${lines.join('\n')}
])
${split}dense_layers = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
for layer, (W, b) in zip(dense_layers, layers_of(PARAMS)):
    layer.set_weights([W, b])  # a Dense layer keeps W as (inputs, units), as the page does
${frozen}

def layer_weights():
    """(W (inputs, units), b) of each layer as NumPy arrays, W as on the page."""
    return [layer.get_weights() for layer in dense_layers]`;
}

function trainingCode(spec, facts) {
  const c = spec.config;
  const [loss, lossNote] = lossCode(c);
  const [optimizerClass, optimizer, optimizerNote, slots] = optimizerCode(c);
  const trained = facts.fromZ ? 'logits' : 'model';
  return `${wrap(`The ${LOSS_TEXT[c.loss]}; Keras takes its mean over the points. ${lossNote}`, '# ')}
${loss}

${optimizerComment(c.optimizer, optimizerNote)}
${optimizerClass}OPTIMIZER = ${optimizer}
${stateCode(spec, slots)}${trained}.compile(optimizer=OPTIMIZER, loss=LOSS)


def train_one_epoch():
    """One pass over the training points in shuffled batches of BATCH_SIZE, dropout on."""
    ${trained}.fit(X_TRAIN, T_TRAIN, batch_size=BATCH_SIZE, epochs=1, verbose=0)


def evaluate(x, t):
    """(outputs (N, K) as a NumPy array, mean loss) without dropout, as the page computes them."""
    outputs = model(x, training=False)
    ${facts.fromZ ? 'z = logits(x, training=False)\n    ' : ''}return ops.convert_to_numpy(outputs), float(ops.mean(LOSS(ops.convert_to_tensor(t), ${facts.fromZ ? 'z' : 'outputs'})))`;
}

/** The Keras script's text for `spec` (see frameworkScript). */
export function kerasScript(spec) {
  const facts = describe(spec);
  return frameworkScript(spec, {
    name: 'Keras',
    imports: `import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 on PyTorch (the script uses keras.ops only)

import keras  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402
from keras import layers, ops  # noqa: E402`,
    setup: `keras.utils.set_random_seed(${spec.config.seed})  # the page's seed: each run shuffles and drops out alike
keras.config.set_floatx("float64")  # weights and activations in float64, as on the page
# (On PyTorch, Keras 3 still multiplies matrices in float32, following JAX's default, so the outputs agree with the
# page's to about 7 digits, not 15.)`,
    tensors: `X_TRAIN, T_TRAIN = features(TRAIN[:, :-1]), targets(TRAIN[:, -1])
X_TEST, T_TEST = features(TEST[:, :-1]), targets(TEST[:, -1])`,
    model: modelCode(spec, facts),
    training: trainingCode(spec, facts),
  });
}
