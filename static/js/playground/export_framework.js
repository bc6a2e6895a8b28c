// What the PyTorch and Keras scripts share (export_torch.js, export_keras.js fill in the framework's parts): the
// docstring, the data with its input features and targets, the trained weights, the numbers the page shows and the
// command line. The engine's conventions the scripts must follow are written here once, each with where it lives.
//
// A script's data come from the server's GET /api/data: the rows the engine trains and tests on, each row's raw inputs
// before input features (plane: x1, x2; CSV: the scaled columns; digits: the 64 pixels) at full precision with its
// label, split as the engine splits them. So the exported network's outputs are the engine's on every point.

import { SPEC } from '/spec.js';
import { label } from '../shared/choices.js';
import { featureBody, pyFloat, pyList, pyStrings, weightsCode, wrap } from './export_python.js';

/** Leaky ReLU's slope for z < 0 (engine/activations.py LEAKY_SLOPE). */
export const LEAKY_SLOPE = SPEC.leaky_slope;

/** Binary (loss, output) pairs whose targets are −1/+1, not 0/1 (engine/losses.py SIGNED_TARGETS). */
const SIGNED_TARGETS = SPEC.signed_targets.map(([loss, output]) => `${loss}/${output}`);

/** The losses computed from the output layer's weighted sum z rather than from its activation a, as the engine does. */
const FROM_Z = ['bce', 'cce', 'kl', 'perceptron'];

/** Each loss in words, per point (engine/losses.py); a is the output, z its weighted sum, t the target. */
export const LOSS_TEXT = {
  mse: 'squared error ½·Σ(a − t)² over the outputs',
  huber: 'Huber: ½·r² where |r| ≤ δ, else δ·(|r| − ½·δ), r = a − t',
  bce: 'binary cross-entropy −t·log a − (1 − t)·log(1 − a), a = sigmoid(z)',
  hinge: 'hinge max(0, 1 − t·a), targets −1/+1',
  cce: 'categorical cross-entropy −Σ t·log a, a = softmax(z)',
  kl: 'Kullback–Leibler divergence Σ t·log(t / a), a = softmax(z)',
  perceptron: 'perceptron criterion (step(z) − t)·z: 0 for a point classified right, else |z|',
};

/** Each optimizer's update of a weight w from its gradient g (engine/optimizers.py). */
export const OPTIMIZER_RULES = {
  sgd: 'w ← w − η·g',
  momentum: 'v ← μ·v − η·g;  w ← w + v',
  adagrad: 's ← s + g²;  w ← w − η·g / (√s + ε)',
  rmsprop: 's ← ρ·s + (1 − ρ)·g²;  w ← w − η·g / (√s + ε)',
  adam: 'm ← β₁·m + (1 − β₁)·g;  s ← β₂·s + (1 − β₂)·g²;  w ← w − η·m̂ / (√ŝ + ε),  m̂ = m / (1 − β₁ᵗ),  ŝ = s / (1 − β₂ᵗ)',
};

/** The comment above a script's optimizer: the engine's rule and how the framework's optimizer relates to it. */
export function optimizerComment(optimizer, note) {
  return `${wrap(`${label(optimizer)} as on the page: ${OPTIMIZER_RULES[optimizer]}.`, '# ')}\n${wrap(note, '# ')}`;
}

/** The optimizer state the engine keeps per parameter (m, s: engine/optimizers.py MOMENTS), laid out as the
 * parameters. */
export const moments = (optimizer) => SPEC.optimizers[optimizer].moments;
const MOMENT_TEXT = {
  momentum: 'M holds the velocity v', adagrad: 'S holds s, the sum of g²', rmsprop: 'S holds s, the running average of g²',
  adam: 'M and S hold m and s, the running averages of g and g²',
};

/**
 * Why the page cannot write a framework script ('torch' or 'keras') for this data and settings, or null when it can.
 * The scripts carry the data (fetched from the server when exporting), so they need some of it in both parts.
 */
export function frameworkProblem(data, config, framework) {
  if (!data) return 'waits for the data set';
  if (!data.n_train || !data.n_test) return 'needs at least one training and one test point';
  if (framework === 'torch' && config && config.optimizer === 'momentum' && !(config.learning_rate > 0)) {
    return 'PyTorch keeps momentum\'s velocity divided by the learning rate, which cannot hold the page\'s velocity at rate 0';
  }
  return null;
}

/**
 * The optimizer state as the page left it (spec.state: m, s, t of the saved state), so that training goes on where it
 * stopped: STEPS and the moments M, S the optimizer keeps; nothing for plain gradient descent.
 */
export function momentsCode(spec) {
  const names = moments(spec.config.optimizer);
  if (!names.length) return '';
  const arrays = names.map((n) => `${n.toUpperCase()} = np.array(${pyList(spec.state[n])})`);
  return `# The optimizer's state after the page's STEPS updates, so that training goes on where it stopped:
# ${MOMENT_TEXT[spec.config.optimizer]}, laid out as PARAMS.
STEPS = ${spec.state.t}
${arrays.join('\n')}
`;
}

/** Facts about the exported network that both scripts decide on. */
export function describe(spec) {
  const c = spec.config;
  const signed = c.task === 'binary' && SIGNED_TARGETS.includes(`${c.loss}/${c.output_activation}`);
  return {
    signed, fromZ: FROM_Z.includes(c.loss), outputs: spec.sizes[spec.sizes.length - 1],
    threshold: signed ? '0.0' : '0.5',
    hidden: spec.activations.slice(0, -1), output: spec.activations[spec.activations.length - 1],
  };
}

/** One line per row of `part` ({inputs, labels} of GET /api/data): its inputs, then its label. */
function rows(part, task) {
  const label = task === 'regression' ? pyFloat : String;
  return part.inputs.map((x, i) => `    [${[...x.map(pyFloat), label(part.labels[i])].join(', ')}],`).join('\n');
}

/** The comment above the data, the docstring and body of features(): the engine's inputs from a row's raw inputs. */
function inputsCode(data, features, task) {
  const label = task === 'regression' ? 'target value' : 'class';
  if (data.is_plane) {
    return [`# One row per point: x1, x2 (the plane runs from −${SPEC.plane.extent} to ${SPEC.plane.extent}) and the ${label}.`,
      'The network\'s inputs, the features chosen on the page, from plane points (N, 2).',
      featureBody(features, 'points').join('\n')];
  }
  return [`# One row per point: its inputs, one per name in COLUMNS, as the network takes them${data.scaling ? ' (the file\'s columns scaled as on the page)' : ''}, then the ${label}.`,
    'The network\'s inputs: the columns as they are (input features apply to plane data only).',
    '    return points'];
}

function targetsCode(spec, facts) {
  const task = spec.config.task;
  if (task === 'multiclass') return ['"""One-hot: 1 for the point\'s class, 0 for the others."""', `return np.eye(${facts.outputs})[labels.astype(int)]`];
  if (task === 'regression') return ['"""The value the output should take."""', 'return labels.reshape(-1, 1)'];
  if (facts.signed) return ['"""−1 for class 0, +1 for class 1: this loss and output use targets ±1, as the page does."""', 'return (2 * labels - 1).reshape(-1, 1)'];
  return ['"""The class, 0 or 1."""', 'return labels.reshape(-1, 1)'];
}

function fitCode(task, threshold) {
  if (task === 'regression') {
    return `def fit_numbers(outputs, labels):
    """RMSE = √mean((y − t)²) and R² = 1 − Σ(y − t)² / Σ(t − mean t)², as the page shows them."""
    residual = outputs[:, 0] - labels
    return {"rmse": float(np.sqrt(np.mean(residual ** 2))),
            "r2": float(1 - np.sum(residual ** 2) / np.sum((labels - labels.mean()) ** 2))}`;
  }
  const pick = task === 'multiclass' ? 'outputs.argmax(axis=1)  # the class with the highest probability'
    : `outputs[:, 0] >= ${threshold}  # class 1 where the output is at least ${threshold}`;
  return `def fit_numbers(outputs, labels):
    """Accuracy: the share of points whose class the network picks, as the page shows it."""
    picked = ${pick}
    return {"accuracy": float(np.mean(picked == labels))}`;
}

function printCode(task) {
  const fit = task === 'regression'
    ? `RMSE: train {train['rmse']:.4f}  test {test['rmse']:.4f}   R²: train {train['r2']:.4f}  test {test['r2']:.4f}`
    : `accuracy: train {train['accuracy']:.1%}  test {test['accuracy']:.1%}`;
  return `    train, test = row["train"], row["test"]
    print(f"epoch {epoch:5d}   loss: train {train['loss']:.4f}  test {test['loss']:.4f}   "
          f"${fit}")`;
}

/** The script's docstring: what it holds and how to run it. */
function docstringCode(spec, name) {
  return `"""A network trained in nnplayground, rebuilt in ${name} (exported ${spec.time} after ${spec.epoch} epochs).

The script holds the engine's data (its training and test rows with their labels, at full precision),
builds the same network (layers ${spec.sizes.join(' → ')}), loads the trained weights and prints the numbers the page
shows for them; then it trains further with the same loss, optimizer, regularisation, dropout and batch size.

  python ${spec.fileName}                   trains ${spec.defaultEpochs} more epochs
  python ${spec.fileName} --epochs 0        only the numbers of the network as exported
  python ${spec.fileName} --json run.json   also writes the outputs on every point before training,
      each epoch's numbers and the weights after training (W: one row per input unit, as on the page) to run.json
"""`;
}

/** The data section: column and class names, the TRAIN and TEST rows, features() and targets(). */
function dataCode(spec, facts) {
  const c = spec.config;
  const [targetDoc, targetReturn] = targetsCode(spec, facts);
  const [dataComment, inputsDoc, inputsBody] = inputsCode(spec.data, c.features, c.task);
  const names = [`COLUMNS = ${pyStrings(spec.data.columns)}  # the network's raw inputs, before input features`,
    ...(spec.data.class_names.length ? [`CLASS_NAMES = ${pyStrings(spec.data.class_names)}  # output k is class k`] : [])];
  return `# ---------------------------------------------------------------------------------------------------------- data
${names.join('\n')}
${dataComment}
TRAIN = np.array([
${rows(spec.data.train, c.task)}
])
TEST = np.array([
${rows(spec.data.test, c.task)}
])


def features(points):
    """${inputsDoc}"""
${inputsBody}


def targets(labels):
    ${targetDoc}
    ${targetReturn}`;
}

function reportCode(task) {
  return `def report(epoch):
    """Print the page's numbers for the network as it is now, without dropout; return them."""
    row = {"epoch": epoch}
    for part, x, t, labels in (("train", X_TRAIN, T_TRAIN, TRAIN[:, -1]), ("test", X_TEST, T_TEST, TEST[:, -1])):
        outputs, loss = evaluate(x, t)
        row[part] = {"loss": loss, **fit_numbers(outputs, labels)}
${printCode(task)}
    return row`;
}

/** main(): the command line, the numbers before training (and the page's loss when known), then more training. */
function mainCode(spec, name) {
  const checked = spec.pageLoss
    ? `    print(f"the page's loss for these weights: train {PAGE_LOSS['train']:.4f}  test {PAGE_LOSS['test']:.4f}")\n` : '';
  return `def main():
    parser = argparse.ArgumentParser(description="The nnplayground network in ${name}: its numbers, then more "
                                     "training.")
    parser.add_argument("--epochs", type=int, default=${spec.defaultEpochs}, help="how many more epochs to train (0: none)")
    parser.add_argument("--json", metavar="FILE", help="write the outputs on every point before training, each "
                        "epoch's numbers and the weights after training to FILE")
    args = parser.parse_args()
    outputs = {"train": evaluate(X_TRAIN, T_TRAIN)[0].tolist(), "test": evaluate(X_TEST, T_TEST)[0].tolist()}
${checked}    epochs = [report(EPOCH)]
    for epoch in range(EPOCH + 1, EPOCH + 1 + args.epochs):
        train_one_epoch()
        epochs.append(report(epoch))
    if args.json:
        weights = [{"W": W.tolist(), "b": b.tolist()} for W, b in layer_weights()]
        with open(args.json, "w") as f:
            json.dump({"outputs": outputs, "epochs": epochs, "weights": weights}, f)`;
}

/**
 * The whole script. `parts` holds the framework's own text: name, imports, setup (after the imports),
 * tensors (after the data: X_/T_ arrays as the framework takes them), model (the network, its loaded weights and
 * layer_weights()), training (loss, regularisation, optimizer, train_one_epoch(), evaluate()).
 */
export function frameworkScript(spec, parts) {
  const c = spec.config;
  const facts = describe(spec);
  const pageLoss = spec.pageLoss
    ? `\nPAGE_LOSS = {"train": ${pyFloat(spec.pageLoss.train)}, "test": ${pyFloat(spec.pageLoss.test)}}  # the engine's, for these weights` : '';
  return `${docstringCode(spec, parts.name)}
${parts.imports}

${parts.setup}

${dataCode(spec, facts)}


${parts.tensors}


# ------------------------------------------------------------------------------------------------------- network
${weightsCode(spec.sizes, spec.params)}


${parts.model}


# ------------------------------------------------------------------------------------------------------ training
EPOCH = ${spec.epoch}  # epochs trained on the page
BATCH_SIZE = ${c.batch_size}  # points per gradient step; the last batch of an epoch may be smaller
LEARNING_RATE = ${pyFloat(c.learning_rate)}${pageLoss}


${parts.training}


# ------------------------------------------------------------------------------------------------------- numbers
${fitCode(c.task, facts.threshold)}


${reportCode(c.task)}


${mainCode(spec, parts.name)}


if __name__ == "__main__":
    main()
`;
}
