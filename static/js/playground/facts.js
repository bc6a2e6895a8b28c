// The playground's numbers as plain facts for lesson checks (progress.js), published whenever a frame, the
// accepted config or a followed point changes. Facts published here:
//   epoch, iteration, examplesSeen, batchesPerEpoch   counters of the run
//   runState ('playing'|'paused'|'diverged'), diverged (bool)
//   trainLoss, testLoss, gap (testLoss − trainLoss), bestTestLoss (lowest test loss of this run's history)
//   trainAccuracy, testAccuracy (classification); rmse, r2, trainRmse, trainR2 (regression; rmse and r2 on test data)
//   settings (the engine config the server accepted, snake_case as in the URL), and from it: task, dataset, nPoints,
//   noise, nClasses, features, hidden (array of widths), activation, hiddenActivations (one per hidden layer),
//   outputActivation, loss, optimizer, learningRate, batchSize, regularization, regRate, dropout, seed
//   outputBias (the first output neuron's bias), pinnedPoint ([x1, x2] followed through the network, or null),
//   pointLoss (the loss of that point, or null), focusedUnit (the neuron whose map is enlarged: its index among the
//   neurons after the input layer, hidden layers first; null when none)
// Missing numbers are null, never NaN.

import { publish } from '../shared/progress.js';

const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function counterFacts(frame) {
  const c = frame.counters || {};
  const m = frame.metrics || {};
  const train = m.train || {};
  const test = m.test || {};
  const trainLoss = finite(train.loss);
  const testLoss = finite(test.loss);
  return {
    epoch: c.epoch ?? 0,
    iteration: c.iteration ?? 0,
    examplesSeen: c.examples_seen ?? 0,
    batchesPerEpoch: c.batches_per_epoch ?? null,
    runState: frame.state,
    diverged: frame.state === 'diverged' || Boolean(frame.divergence),
    trainLoss,
    testLoss,
    gap: trainLoss !== null && testLoss !== null ? testLoss - trainLoss : null,
    trainAccuracy: finite(train.accuracy),
    testAccuracy: finite(test.accuracy),
    rmse: finite(test.rmse),
    r2: finite(test.r2),
    trainRmse: finite(train.rmse),
    trainR2: finite(train.r2),
  };
}

function settingFacts(config, network) {
  const hidden = config.hidden.slice();
  const layerActs = network && Array.isArray(network.activations) ? network.activations : null;
  return {
    settings: { ...config },
    task: config.task,
    dataset: config.dataset,
    nPoints: config.n_points,
    noise: config.noise,
    nClasses: config.n_classes,
    features: config.features.slice(),
    hidden,
    activation: config.activation,
    hiddenActivations: layerActs ? layerActs.slice(0, hidden.length) : (config.hidden_activations || hidden.map(() => config.activation)),
    outputActivation: config.output_activation,
    loss: config.loss,
    optimizer: config.optimizer,
    learningRate: config.learning_rate,
    batchSize: config.batch_size,
    regularization: config.regularization,
    regRate: config.reg_rate,
    dropout: config.dropout,
    seed: config.seed,
  };
}

/** The lowest finite test loss in the run's history rows [{ test_loss }], or null. */
function lowest(rows) {
  let best = null;
  for (const row of rows) {
    const v = finite(row.test_loss);
    if (v !== null && (best === null || v < best)) best = v;
  }
  return best;
}

/** b of the first output neuron, read from the flat parameter vector (layout in latest.paramOffsets). */
function outputBias(latest) {
  const offsets = latest.paramOffsets();
  if (!latest.params || !offsets.length) return null;
  return finite(latest.params[offsets[offsets.length - 1].b]);
}

export function createFacts({ latest }) {
  let best = null;
  let bestRows = 0;
  return {
    update(flags) {
      const update = {};
      if ((flags.has('config') || flags.has('network')) && latest.config) Object.assign(update, settingFacts(latest.config, latest.network));
      if (flags.has('history') || flags.has('config')) {
        best = lowest(latest.history);
        bestRows = latest.history.length;
        update.bestTestLoss = best;
      }
      if (flags.has('frame') && latest.frame) {
        Object.assign(update, counterFacts(latest.frame));
        // rows only grow between history resets: look at the new ones
        if (latest.history.length < bestRows) best = lowest(latest.history);
        else {
          const fresh = lowest(latest.history.slice(bestRows));
          if (fresh !== null && (best === null || fresh < best)) best = fresh;
        }
        bestRows = latest.history.length;
        update.bestTestLoss = best;
        update.outputBias = outputBias(latest);
      }
      if (flags.has('frame') || flags.has('inspection') || flags.has('focus')) {
        update.pinnedPoint = latest.pinned ? latest.pinned.slice() : null;
        const inspection = latest.inspection;
        update.pointLoss = latest.pinned && inspection ? finite(inspection.loss) : null;
        update.focusedUnit = Number.isInteger(latest.focusUnit) ? latest.focusUnit : null;
      }
      if (Object.keys(update).length) publish(update);
    },
  };
}
