// Export ▸ PyTorch script: the network as an nn.Sequential with the trained weights, the engine's loss, optimizer,
// regularisation, dropout and batch size, and the engine's data (export_framework.js has what Keras shares).

import { pyFloat, wrap } from './export_python.js';
import { LEAKY_SLOPE, LOSS_TEXT, describe, frameworkScript, moments, momentsCode, optimizerComment } from './export_framework.js';

const MODULES = {
  sigmoid: 'nn.Sigmoid()', tanh: 'nn.Tanh()', relu: 'nn.ReLU()', leaky_relu: `nn.LeakyReLU(${pyFloat(LEAKY_SLOPE)})`,
  softmax: 'nn.Softmax(dim=1)', step: 'Step()',
};

const STEP_CLASS = `class Step(nn.Module):
    """The perceptron's step: 1 where z ≥ 0, else 0. Its slope is 0 everywhere; the perceptron criterion reads z."""

    def forward(self, z):
        return (z >= 0).to(z.dtype)


`;

/** The data loss of a batch: [the formula's body, a note on the framework]. */
function lossCode(c) {
  switch (c.loss) {
    case 'bce': return ['return nn.functional.binary_cross_entropy_with_logits(logits(x), t)', 'Computed from z, as the page does: exact also where a is close to 0 or 1.'];
    case 'cce': return ['return nn.functional.cross_entropy(logits(x), t)', 'cross_entropy takes z and applies the softmax itself.'];
    case 'kl': return ['return nn.functional.kl_div(nn.functional.log_softmax(logits(x), dim=1), t, reduction="batchmean")', 'kl_div takes log a and counts 0·log 0 as 0.'];
    case 'huber': return [`return nn.functional.huber_loss(model(x), t, delta=${pyFloat(c.huber_delta)})`, 'One output, so huber_loss\'s mean is the mean over the points.'];
    case 'hinge': return ['return torch.relu(1 - t * model(x)).mean()', 'Its slope is −t where t·a < 1, else 0, as on the page.'];
    case 'perceptron': return ['z = logits(x)\n    return (((z >= 0).to(z.dtype) - t) * z).mean()', 'Its slope (step(z) − t) is the perceptron rule: the comparison passes no gradient.'];
    default: return ['return 0.5 * ((model(x) - t) ** 2).sum(dim=1).mean()', 'nn.MSELoss averages (a − t)² over the outputs without the ½: its gradient would be 2/K times the page\'s (K outputs), so the formula is written out.'];
  }
}

function optimizerCode(c) {
  const lr = 'lr=LEARNING_RATE';
  const step = '"step": torch.tensor(float(STEPS))';
  switch (c.optimizer) {
    case 'momentum': return [`torch.optim.SGD(model.parameters(), ${lr}, momentum=${pyFloat(c.momentum)})`,
      'torch.optim.SGD keeps b ← μ·b + g and steps w ← w − η·b: with a constant η that is the same (v = −η·b).',
      '{"momentum_buffer": torch.tensor(-m / LEARNING_RATE)}  # b = −v/η, v the page\'s velocity'];
    case 'adagrad': return [`torch.optim.Adagrad(model.parameters(), ${lr}, eps=${pyFloat(c.epsilon)})`,
      'torch.optim.Adagrad computes the same (η not decayed: its default).', `{${step}, "sum": torch.tensor(s)}`];
    case 'rmsprop': return [`torch.optim.RMSprop(model.parameters(), ${lr}, alpha=${pyFloat(c.rho)}, eps=${pyFloat(c.epsilon)})`,
      'torch.optim.RMSprop computes the same; it calls ρ alpha.', `{${step}, "square_avg": torch.tensor(s)}`];
    case 'adam': return [`torch.optim.Adam(model.parameters(), ${lr}, betas=(${pyFloat(c.beta1)}, ${pyFloat(c.beta2)}), eps=${pyFloat(c.epsilon)})`,
      'torch.optim.Adam computes the same.', `{${step}, "exp_avg": torch.tensor(m), "exp_avg_sq": torch.tensor(s)}`];
    default: return [`torch.optim.SGD(model.parameters(), ${lr})`, 'torch.optim.SGD computes the same.', ''];
  }
}

/** Loading the page's optimizer state into torch's, parameter by parameter (`state`: a dict from m and/or s). */
function stateCode(spec, state) {
  const names = moments(spec.config.optimizer);
  if (!names.length) return '';
  const [weights, biases] = ['W.T', 'b'].map((part) => names.map((n) => `${n}_${part}`).join(', '));
  return `

${momentsCode(spec)}

def torch_state(${names.join(', ')}):
    """The optimizer's state of one parameter, from the page's ${names.join(' and ')} of it."""
    return ${state}


for layer, ${names.map((n) => `(${n}_W, ${n}_b)`).join(', ')} in zip(linear_layers, ${names.map((n) => `layers_of(${n.toUpperCase()})`).join(', ')}):
    optimizer.state[layer.weight] = torch_state(${weights})  # transposed, as nn.Linear keeps W
    optimizer.state[layer.bias] = torch_state(${biases})`;
}

function modelCode(spec, facts) {
  const c = spec.config;
  const s = spec.sizes;
  const lines = [];
  for (let l = 0; l + 1 < s.length; l++) {
    const last = l + 2 === s.length;
    const act = last ? facts.output : facts.hidden[l];
    const parts = [`nn.Linear(${s[l]}, ${s[l + 1]})`];
    if (MODULES[act]) parts.push(MODULES[act]);
    if (!last && c.dropout > 0) parts.push(`nn.Dropout(${pyFloat(c.dropout)})`);
    lines.push(`    ${parts.join(', ')},`);
  }
  const split = facts.fromZ
    ? `logits = model[:-1]  # the same layers without the output's ${facts.output}: they give z, the loss's input\n` : '';
  const frozen = c.learn_bias ? '' : `for layer in linear_layers:
    layer.bias.requires_grad_(False)  # the biases are frozen on the page ("learn biases" off)
`;
  return `${facts.output === 'step' ? STEP_CLASS : ''}model = nn.Sequential(  # ${facts.hidden.length ? 'hidden layers: Linear, activation' : 'no hidden layer'}${c.dropout > 0 ? ', dropout' : ''}
${lines.join('\n')}
)
${split}linear_layers = [layer for layer in model if isinstance(layer, nn.Linear)]
with torch.no_grad():
    for layer, (W, b) in zip(linear_layers, layers_of(PARAMS)):
        layer.weight.copy_(torch.from_numpy(W.T))  # nn.Linear keeps W transposed, as (units, inputs)
        layer.bias.copy_(torch.from_numpy(b))
${frozen}

def layer_weights():
    """(W (inputs, units), b) of each layer as NumPy arrays, W as on the page."""
    return [(layer.weight.detach().numpy().T, layer.bias.detach().numpy()) for layer in linear_layers]`;
}

function penaltyCode(c) {
  if (c.regularization === 'none' || !(c.reg_rate > 0)) return { def: '', term: '' };
  const l1 = c.regularization === 'l1';
  const rate = pyFloat(c.reg_rate);
  const def = `


def penalty():
    """${l1 ? 'L1' : 'L2'} regularisation as on the page: ${l1 ? 'λ·Σ|W|' : '½·λ·ΣW²'} over the weights (not the biases), λ = ${rate}.
    Added once per batch, so its slope ${l1 ? 'λ·sign(W)' : 'λ·W'} joins the batch's mean gradient."""
    return sum(${l1 ? `${rate} * layer.weight.abs().sum()` : `0.5 * ${rate} * (layer.weight ** 2).sum()`} for layer in linear_layers)`;
  return { def, term: ' + penalty()' };
}

function trainingCode(spec) {
  const c = spec.config;
  const [body, note] = lossCode(c);
  const [optimizer, optimizerNote, state] = optimizerCode(c);
  const penalty = penaltyCode(c);
  return `def data_loss(x, t):
${wrap(`"""The ${LOSS_TEXT[c.loss]}, mean over the points. ${note}"""`, '    ')}
    ${body}${penalty.def}


${optimizerComment(c.optimizer, optimizerNote)}
optimizer = ${optimizer}${stateCode(spec, state)}


def train_one_epoch():
    """One pass over the training points in shuffled batches of BATCH_SIZE, dropout on."""
    model.train()
    for batch in torch.randperm(len(X_TRAIN)).split(BATCH_SIZE):
        optimizer.zero_grad()
        loss = data_loss(X_TRAIN[batch], T_TRAIN[batch])${penalty.term}
        loss.backward()
        optimizer.step()


def evaluate(x, t):
    """(outputs (N, K) as a NumPy array, mean loss) without dropout, as the page computes them."""
    model.eval()
    with torch.no_grad():
        return model(x).numpy(), data_loss(x, t).item()`;
}

/** The PyTorch script's text for `spec` (see frameworkScript). */
export function torchScript(spec) {
  const facts = describe(spec);
  return frameworkScript(spec, {
    name: 'PyTorch',
    imports: 'import argparse\nimport json\n\nimport numpy as np\nimport torch\nfrom torch import nn',
    setup: `torch.set_default_dtype(torch.float64)  # the page computes in float64
torch.manual_seed(${spec.config.seed})  # the page's seed: each run shuffles and drops out alike`,
    tensors: `X_TRAIN, T_TRAIN = torch.from_numpy(features(TRAIN[:, :-1])), torch.from_numpy(targets(TRAIN[:, -1]))
X_TEST, T_TEST = torch.from_numpy(features(TEST[:, :-1])), torch.from_numpy(targets(TEST[:, -1]))`,
    model: modelCode(spec, facts),
    training: trainingCode(spec),
  });
}
