// The guided lessons, as data. Each lesson is a prepared configuration of one page, a short text, the controls it
// shows (every other playground control is hidden) and one or two tasks with a success check.
//
// A lesson: { id, group, title, summary, page, config (URL settings), show (control names kept visible),
//             text (paragraphs), tasks }
// A task:   { id, text, done (the "well done, because…" line), allowed (config keys the learner may change),
//             check(facts, run, memo) → true when the task is done }
// `facts` are the page's published facts (static/js/shared/progress.js; the playground's are listed in facts.js),
// `run.epochs` counts the epochs trained while this lesson was open, `memo` is the task's own scratch object.
// On the playground a check only runs while every lesson setting not named in `allowed` is unchanged, so
// loading another configuration never passes a task.

/** Every playground control a lesson can hide (the data-ctl names in templates/index.html and static/js). */
export const PLAYGROUND_CONTROLS = [
  'export', 'hyper', 'data', 'hidden', 'features', 'chart', 'inspector', 'digit-pad', 'confusion', 'metrics',
  'log_scale', 'smoothing', 'task', 'seed', 'draw', 'csv', 'n_points', 'noise', 'train_ratio', 'n_classes',
  'show_test', 'discretize', 'hidden_activations', 'neurons', 'matrix', 'speed', 'learning_rate', 'activation',
  'output_activation', 'loss', 'optimizer', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon', 'huber_delta',
  'batch_size', 'regularization', 'reg_rate', 'dropout', 'overfit_lab', 'stepthrough', 'linear-demo',
  'warp', 'digit-views', 'csv-report', 'init', 'learn_bias', 'grid_size', 'share',
];

/** Playground parts every lesson keeps: the name, the run bar and the projector switch. */
export const ALWAYS_SHOWN = ['brand', 'runbar', 'projector'];

// Controls inside the hyperparameter bar and the data column: showing one of them shows its container too.
const CONTAINERS = {
  hyper: ['learning_rate', 'activation', 'output_activation', 'loss', 'optimizer', 'momentum', 'beta1', 'beta2',
    'rho', 'epsilon', 'huber_delta', 'batch_size', 'regularization', 'reg_rate', 'dropout', 'init', 'learn_bias'],
  data: ['task', 'seed', 'draw', 'csv', 'n_points', 'noise', 'train_ratio', 'n_classes'],
};

const BASICS = ['chart', 'metrics', 'speed', 'log_scale', 'smoothing'];
// The forward and the backward pass are read on one point, followed through the step-through panel.
const FOLLOW = [...BASICS, 'inspector', 'stepthrough'];
const all = (list, test) => Array.isArray(list) && list.length > 0 && list.every(test);

/** A check: a point is followed and the step-through panel has walked `phase` to layer `layer(facts)`. */
const walked = (phase, layer) => (f) => Array.isArray(f.inspectedPoint) && f.stepPhase === phase && f.stepLayer === layer(f);

/** True (and `memo` started again with `fresh`) when the point followed is not the one `memo` has seen. */
function newPoint(f, memo, fresh) {
  const key = JSON.stringify(f.pinnedPoint);
  if (memo.point === key) return false;
  Object.assign(memo, { point: key, ...fresh });
  return true;
}

export const LESSONS = [
  {
    id: 'neuron',
    group: 'Neuron and bias',
    title: 'One neuron draws a line',
    summary: 'A weighted sum plus a bias, through an activation: what a single neuron computes.',
    page: '/',
    // seed 244: the fresh weights put the line through both clouds (about half right, loss near 0.8), so training
    // is seen turning it; on two far-apart clouds most seeds start all right or all wrong (seed 11: 0 %, loss 3.8)
    config: { task: 'binary', dataset: 'gauss', noise: 0.2, hidden: [], features: ['x1', 'x2'], learning_rate: 0.03, seed: 244 },
    show: [...BASICS],
    text: [
      'A neuron holds one number. It multiplies each input by a weight, adds everything up, adds its bias, and '
      + 'passes the result through its activation: z = w₁·x₁ + w₂·x₂ + b, then a = f(z).',
      'This network has no hidden layer: the output neuron is the whole network. On the map, the places where z = 0 '
      + 'form a straight line. The weights turn that line; the bias slides it.',
    ],
    tasks: [
      {
        id: 'train',
        text: 'Press play. Train until this single neuron gets at least 95 % of the test points right.',
        done: 'Well done: one neuron is enough here, because a straight line can split these two clouds.',
        allowed: [],
        check: (f, run) => f.hidden.length === 0 && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
      {
        id: 'bias',
        text: 'Pause. Click the small bias dot under the output neuron and type a bias at least 2 bigger or '
          + 'smaller than it is now. Watch the line slide without turning.',
        done: 'Well done: the bias moved the line without turning it, because b only shifts where w·x + b crosses zero.',
        allowed: [],
        check: (f, run, memo) => {
          if (f.outputBias === null || f.outputBias === undefined) return false;
          // the reference is the bias the last training step left; training itself never jumps by 2
          if (memo.iteration !== f.iteration) {
            memo.iteration = f.iteration;
            memo.bias = f.outputBias;
            return false;
          }
          return Math.abs(f.outputBias - memo.bias) >= 2;
        },
      },
    ],
  },
  {
    id: 'layers',
    group: 'Layers',
    title: 'Hidden layers: lines become shapes',
    summary: 'Why a network with no hidden layer cannot cut a circle out of the plane, and one with a hidden layer can.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [], features: ['x1', 'x2'], learning_rate: 0.03, seed: 12 },
    show: [...BASICS, 'hidden', 'neurons'],
    text: [
      'Networks are built in layers. The input layer has one neuron per input (here x₁ and x₂), the output layer '
      + 'gives the answer, and the hidden layers in between do the work you do not see directly.',
      'Each hidden neuron draws its own line on the plane. The next layer combines those lines, so together they '
      + 'can fence off a shape, like the blue circle in the middle.',
    ],
    tasks: [
      {
        id: 'no-hidden',
        text: 'Press play with no hidden layer. Let it train for at least 30 epochs and watch the test accuracy stay low.',
        done: 'Right: without a hidden layer the network can only draw one straight line, and no straight line cuts out a circle.',
        allowed: [],
        check: (f, run) => f.hidden.length === 0 && run.epochs >= 30 && f.testAccuracy !== null && f.testAccuracy < 0.7,
      },
      {
        id: 'add-layer',
        text: 'Add a hidden layer with the + button above the diagram, give it 3 or more neurons, and train until '
          + 'the test accuracy reaches 95 %.',
        done: 'Well done: the hidden neurons each drew a line, and the output neuron joined them into a closed shape.',
        allowed: ['hidden', 'hidden_activations'],
        check: (f, run) => f.hidden.length >= 1 && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'features',
    group: 'Input features',
    title: 'Features: help the network by hand',
    summary: 'Feed the network x₁² and x₂² instead of x₁ and x₂, and one neuron can draw a circle.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [], features: ['x1', 'x2'], learning_rate: 0.03, seed: 25 },
    show: [...BASICS, 'features'],
    text: [
      'The inputs do not have to be the raw coordinates. You can also give the network made-up inputs, called '
      + 'features, such as x₁², x₂², x₁·x₂ or sin x₁. Each small picture on the left shows one feature over the plane.',
      'A single neuron can only draw a straight line through its inputs. But a circle is a straight line in the '
      + 'right inputs: x₁² + x₂² = r² is just a weighted sum of x₁² and x₂².',
    ],
    tasks: [
      {
        id: 'circle',
        text: 'Without adding any hidden layer, click features on the left to switch them on or off until the test '
          + 'accuracy reaches 95 %.',
        done: 'Well done: with squared inputs, the neuron’s straight line became a circle on the map.',
        allowed: ['features'],
        check: (f, run) => f.hidden.length === 0 && f.features.includes('x1sq') && f.features.includes('x2sq')
          && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
      {
        id: 'only-two',
        text: 'Now use only two features, x₁² and x₂², and reach 95 % again.',
        done: 'Well done: x₁ and x₂ were not needed at all; the right features did all the work that a hidden layer would.',
        allowed: ['features'],
        check: (f, run) => f.hidden.length === 0 && f.features.length === 2 && f.features.includes('x1sq')
          && f.features.includes('x2sq') && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'nonlinear',
    group: 'Activations and non-linearity',
    title: 'Why activation functions matter',
    summary: 'With linear activations any number of layers is still one straight line; a bend changes everything.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [4, 4], activation: 'linear', features: ['x1', 'x2'], learning_rate: 0.03, seed: 13 },
    show: [...BASICS, 'activation', 'hidden_activations'],
    text: [
      'After the weighted sum, each neuron applies its activation function f. The linear one does nothing: f(z) = z. '
      + 'Tanh, sigmoid and ReLU bend: they squash or cut off part of the line.',
      'Here is a surprise: a linear layer after a linear layer is still just one linear map. So with linear '
      + 'activations, two hidden layers can do no more than no hidden layer at all. The little plot next to the '
      + 'control shows the chosen function (solid) and its slope (dashed).',
    ],
    tasks: [
      {
        id: 'linear',
        text: 'Press play with the linear activation and train for at least 30 epochs. Look at the map and the accuracy.',
        done: 'Right: the map is split by one straight line and the accuracy is stuck, because stacked linear layers collapse into one.',
        allowed: [],
        check: (f, run) => all(f.hiddenActivations, (a) => a === 'linear') && run.epochs >= 30
          && f.testAccuracy !== null && f.testAccuracy < 0.7,
      },
      {
        id: 'bend',
        text: 'Now switch the activation to tanh, sigmoid or ReLU and train until the test accuracy reaches 95 %.',
        done: 'Well done: the bend in the activation lets the layers combine straight lines into a curve around the circle.',
        allowed: ['activation', 'hidden_activations'],
        check: (f, run) => all(f.hiddenActivations, (a) => a !== 'linear') && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'hidden_neurons',
    group: 'What hidden neurons learn',
    title: 'What hidden neurons learn',
    summary: 'Each hidden neuron answers a simple question about the plane; the output combines the answers.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [4], activation: 'tanh', features: ['x1', 'x2'], learning_rate: 0.03, seed: 26 },
    show: [...BASICS],
    text: [
      'Every neuron in the diagram has a small picture: its own output for every point of the plane. Blue means '
      + 'a high value, orange a low one.',
      'A first-layer neuron can only split the plane along a line, so its picture is two halves. The output '
      + 'neuron adds up these pictures, each with its own weight, and that sum is the big map on the right.',
    ],
    tasks: [
      {
        id: 'hover',
        text: 'Hover each of the four hidden neurons in turn to see its picture enlarged on the map.',
        done: 'Well done: each hidden neuron only splits the plane in two; none of them sees the circle alone.',
        allowed: [],
        check: (f, run, memo) => {
          memo.seen = memo.seen || new Set();
          if (Number.isInteger(f.focusedUnit) && f.focusedUnit < f.hidden[0]) memo.seen.add(f.focusedUnit);
          return memo.seen.size >= f.hidden[0];
        },
      },
      {
        id: 'combined',
        text: 'Press play until the test accuracy reaches 95 %, then hover the hidden neurons again and compare '
          + 'their pictures with the output.',
        done: 'Well done: four straight splits, weighted and added, make the round shape of the output.',
        allowed: [],
        check: (f, run) => f.testAccuracy >= 0.95 && run.epochs >= 1 && Number.isInteger(f.focusedUnit)
          && f.focusedUnit < f.hidden[0],
      },
    ],
  },
  {
    id: 'forward',
    group: 'Forward pass',
    title: 'The forward pass: follow one point',
    summary: 'Click a point and read how its numbers flow from the inputs, layer by layer, to the answer.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [4], features: ['x1', 'x2'], learning_rate: 0.1, seed: 14 },
    show: FOLLOW,
    text: [
      'To answer for one point, the network works from left to right. The inputs x₁ and x₂ go to every neuron of '
      + 'the first layer; each computes z = w·x + b and a = f(z); those a values are the inputs of the next layer, '
      + 'and so on until the output. That is the forward pass.',
    ],
    tasks: [
      {
        id: 'follow',
        text: 'Click anywhere on the output map to follow that point. In the step-through panel, press Forward and '
          + 'step layer by layer until you reach the output: read each neuron’s z and a on the diagram.',
        done: 'Well done: every neuron’s a became an input of the next layer, all the way to the answer on the right.',
        allowed: [],
        check: walked('forward', (f) => f.hidden.length + 1),
      },
      {
        id: 'fix-point',
        text: 'Follow a point the network gets wrong (its loss beside the map is above 0.3), then press play until '
          + 'that point’s loss drops below 0.05.',
        done: 'Well done: training changed the weights, so the same forward pass now lands close to the target.',
        allowed: [],
        check: (f, run, memo) => {
          newPoint(f, memo, { wrongAt: null });
          if (!f.pinnedPoint || f.pointLoss === null || f.pointLoss === undefined) return false;
          if (f.pointLoss > 0.3) memo.wrongAt = f.iteration;
          return memo.wrongAt !== null && f.iteration > memo.wrongAt && f.pointLoss < 0.05;
        },
      },
    ],
  },
  {
    id: 'loss',
    group: 'Loss functions',
    title: 'Loss: one number for how wrong',
    summary: 'Squared error and cross-entropy measure mistakes differently, and that changes what the network learns.',
    page: '/',
    config: { task: 'binary', dataset: 'xor', hidden: [4], loss: 'mse', features: ['x1', 'x2'], learning_rate: 0.03, seed: 15 },
    show: [...BASICS, 'loss', 'output_activation'],
    text: [
      'The loss turns all the network’s mistakes into one number: 0 means every answer is right, bigger means worse. '
      + 'Training is nothing but pushing that number down.',
      'Squared error takes ½(answer − target)² for each point. Binary cross-entropy takes −log of the probability '
      + 'the network gave to the right class, so a confident wrong answer costs a lot. Hinge loss only cares about '
      + 'points that are wrong or too close to the border.',
    ],
    tasks: [
      {
        id: 'cross-entropy',
        text: 'Press play with squared error and see where the accuracy gets stuck. Then switch the loss to binary '
          + 'cross-entropy and train until the test accuracy reaches 95 %.',
        done: 'Well done: cross-entropy punishes confident mistakes hard, so the network keeps fixing them instead of settling.',
        allowed: ['loss', 'output_activation'],
        check: (f, run) => f.loss === 'bce' && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
      {
        id: 'hinge',
        text: 'Try the hinge loss and train until the test accuracy reaches 90 %.',
        done: 'Well done: hinge loss ignores points that are safely on the right side and works on the rest.',
        allowed: ['loss', 'output_activation'],
        check: (f, run) => f.loss === 'hinge' && f.testAccuracy >= 0.9 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'backprop',
    group: 'Backpropagation',
    title: 'Backpropagation: who gets the blame',
    summary: 'The error at the output is passed back layer by layer, so every weight learns its own share.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [3], features: ['x1', 'x2'], learning_rate: 0.3, seed: 16 },
    show: FOLLOW,
    text: [
      'After the forward pass, the network compares its answer with the target. Backpropagation then walks back '
      + 'from the output to the inputs and asks each neuron: how much did you add to the mistake? That share is the '
      + 'neuron’s δ (delta).',
      'The chain rule does the walking: a neuron’s δ is its slope f′(z) times the weighted sum of the δ values of the '
      + 'neurons it feeds. Each weight’s gradient is then ∂L/∂w = (the input it carries) × (the δ it reaches).',
    ],
    tasks: [
      {
        id: 'backward',
        text: 'Click a point on the map to follow it. In the step-through panel, press Backward and step from the '
          + 'output back to the first hidden layer. Hover a δ or a ∂L/∂w to see the chain-rule product behind it.',
        done: 'Well done: the blame travelled from the output back to the first layer, one chain-rule product at a time.',
        allowed: [],
        check: walked('backward', () => 1),
      },
      {
        id: 'one-update',
        text: 'With the point still followed and training paused, press “+1 batch” once. Every weight takes one step '
          + 'w ← w − η·∂L/∂w; watch the numbers change.',
        done: 'Well done: one batch, one backward pass, one small step of every weight against its gradient.',
        allowed: [],
        check: (f, run, memo) => {
          if (newPoint(f, memo, { iteration: f.iteration }) || f.runState === 'playing' || f.iteration < memo.iteration) {
            memo.iteration = f.iteration;
            return false;
          }
          return Boolean(f.pinnedPoint) && f.iteration - memo.iteration >= 1 && f.iteration - memo.iteration <= 2;
        },
      },
    ],
  },
  {
    id: 'gradient_descent',
    group: 'Gradient descent and learning rate',
    title: 'Walking downhill: gradient descent',
    summary: 'One weight, one loss curve: follow the slope down to the bottom, one step at a time.',
    page: '/gradient-descent',
    config: {},
    show: [],
    text: [
      'Training means finding the weights with the smallest loss. Picture the loss as a valley over the weight w. '
      + 'The slope ∂L/∂w tells which way is uphill, so we step the other way: w ← w − η·∂L/∂w, where η is the '
      + 'learning rate.',
      'Example: one weight w = 5, input x = 2, target 6, loss ½(w·x − 6)². The slope is (w·x − 6)·x = 8, so with '
      + 'η = 0.1 the step is −0.8 and w becomes 4.2. The bottom of the valley is at w = 3.',
    ],
    tasks: [
      {
        id: 'one-step',
        text: 'Press Step once from w = 5 with learning rate 0.1, and check the slope 8 and the new weight 4.2.',
        done: 'Well done: 5 − 0.1 × 8 = 4.2, exactly what gradient descent promised.',
        allowed: [],
        check: (f) => f.gdSteps >= 1 && f.gdLearningRate === 0.1 && Math.abs(f.gdWeight - 4.2) < 1e-6,
      },
      {
        id: 'bottom',
        text: 'Now run until w reaches the bottom of the valley.',
        done: 'Well done: at w = 3 the slope is 0, so the steps stop: the loss is as small as it gets.',
        allowed: [],
        check: (f) => f.gdConverged === true && f.gdDiverged !== true,
      },
    ],
  },
  {
    id: 'learning_rate',
    group: 'Gradient descent and learning rate',
    title: 'The learning rate: step size',
    summary: 'Too small crawls, well chosen is fast, far too big makes the loss explode.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', hidden: [4, 2], activation: 'tanh', features: ['x1', 'x2'], learning_rate: 0.001, seed: 18 },
    show: [...BASICS, 'learning_rate'],
    text: [
      'The learning rate η says how big each step downhill is: w ← w − η·∂L/∂w. It is a hyperparameter: you '
      + 'choose it, the network does not learn it.',
      'With tiny steps the loss crawls. With good steps it drops fast. With giant steps the network jumps right '
      + 'over the valley and lands higher up the other side, again and again.',
    ],
    tasks: [
      {
        id: 'faster',
        text: 'Press play: the loss crawls. Using only the learning rate, make the training loss fall below 0.1.',
        done: 'Well done: a bigger learning rate takes bigger steps downhill, so the loss falls much faster.',
        allowed: ['learning_rate'],
        check: (f, run) => f.learningRate >= 0.01 && f.learningRate <= 1 && f.trainLoss !== null && f.trainLoss < 0.1
          && run.epochs >= 5,
      },
      {
        id: 'too-big',
        text: 'Now set the learning rate to 3 or more, keep training, and watch the loss.',
        done: 'Right: steps that big overshoot the valley and land higher up, so the loss grows instead of shrinking.',
        allowed: ['learning_rate'],
        check: (f) => f.learningRate >= 3 && (f.diverged === true || (f.trainLoss !== null && f.trainLoss > 0.8)),
      },
    ],
  },
  {
    id: 'optimizers',
    group: 'Optimizers',
    title: 'Optimizers: smarter steps',
    summary: 'Momentum, RMSprop and Adam change how each step is taken, without forgetting what was learned.',
    page: '/',
    config: { task: 'binary', dataset: 'spiral', hidden: [8, 8], activation: 'tanh', features: ['x1', 'x2'], optimizer: 'sgd', learning_rate: 0.03, seed: 19 },
    show: [...BASICS, 'optimizer', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon'],
    text: [
      'Plain gradient descent takes every step exactly as the slope says. Momentum keeps part of the previous step, '
      + 'like a ball rolling downhill. RMSprop and Adam give each weight its own step size: weights whose gradients '
      + 'jump around take smaller steps.',
      'Changing the optimizer keeps the weights: the network goes on from where it is, only with a new way of stepping.',
    ],
    tasks: [
      {
        id: 'switch',
        text: 'Press play and let plain gradient descent work for at least 50 epochs. Then switch to Adam while it '
          + 'runs: the epoch counter keeps counting.',
        done: 'Well done: the network kept what it had learned; only the rule for the next steps changed.',
        allowed: ['optimizer', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon'],
        check: (f, run, memo) => {
          if (memo.optimizer !== undefined && f.optimizer !== memo.optimizer && memo.epoch >= 50 && f.epoch >= memo.epoch) memo.kept = true;
          memo.optimizer = f.optimizer;
          memo.epoch = f.epoch;
          return memo.kept === true;
        },
      },
      {
        id: 'adam',
        text: 'With Adam, RMSprop or momentum, train until the training loss is below 0.2.',
        done: 'Well done: the smarter steps found their way down the twisted spiral much sooner.',
        allowed: ['optimizer', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon'],
        check: (f, run) => ['adam', 'rmsprop', 'momentum'].includes(f.optimizer) && f.trainLoss !== null
          && f.trainLoss < 0.2 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'race',
    group: 'Optimizers',
    title: 'The optimizer race',
    summary: 'Same network, same data, same starting weights: which way of stepping gets there first?',
    page: '/race',
    config: { dataset: 'xor', hidden: [8], noise: 0.1, seed: 4, lanes: 'sgd*0.01,adam*0.01', target_loss: 0.2 },
    show: [],
    text: [
      'A fair race: every lane trains the very same network on the same data, starting from exactly the same '
      + 'weights. Only the optimizer and its learning rate differ.',
      'The first lane whose training loss gets down to the target wins. The chart shows every lane’s loss, and '
      + 'each lane’s map shows what its network has learned so far.',
    ],
    tasks: [
      {
        id: 'winner',
        text: 'Press Start and watch the two curves. Which optimizer reaches the target loss first?',
        done: 'Well done: with the same learning rate, Adam’s own step size per weight got down the slope sooner.',
        allowed: [],
        check: (f) => typeof f.raceWinner === 'string' && f.raceWinner.length > 0,
      },
      {
        id: 'three',
        text: 'Press “+ Add a lane” for a third lane with momentum, and race again.',
        done: 'Well done: three ways of stepping from one start. Momentum remembers its last steps, so it speeds up on long slopes like a rolling ball.',
        allowed: [],
        check: (f, run, memo) => {
          // the old race's winner stays on screen until the three-lane race starts: wait for a fresh start
          if (f.raceLanes >= 3 && !f.raceWinner) memo.fresh = true;
          return memo.fresh === true && f.raceLanes >= 3 && typeof f.raceWinner === 'string' && f.raceWinner.length > 0;
        },
      },
    ],
  },
  {
    id: 'batches',
    group: 'Epochs and batches',
    title: 'Epochs, batches and iterations',
    summary: 'An epoch is one pass over the training data, cut into batches; each batch is one step.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', n_points: 200, train_ratio: 0.5, hidden: [4], features: ['x1', 'x2'], batch_size: 10, learning_rate: 0.03, seed: 20 },
    show: [...BASICS, 'batch_size'],
    text: [
      'The network does not look at all training points before each step. The points are shuffled and cut into '
      + 'batches; after each batch the weights take one step. One step is an iteration.',
      'One epoch is one full pass over the training points. Here there are 100 training points, so: iterations per '
      + 'epoch = 100 ÷ batch size (rounded up).',
    ],
    tasks: [
      {
        id: 'five',
        text: 'Choose a batch size so that one epoch takes exactly 5 iterations (see “batches / epoch” at the top).',
        done: 'Well done: 100 training points ÷ 20 per batch = 5 iterations per epoch.',
        allowed: ['batch_size'],
        check: (f) => f.batchesPerEpoch === 5 && f.batchSize === 20,
      },
      {
        id: 'by-hand',
        text: 'Press “+1 batch” again and again (not play) until the epoch counter goes up by one. If you press play, '
          + 'press reset and start counting again.',
        done: 'Well done: you did one epoch by hand, one batch at a time, until every training point had been used once.',
        allowed: ['batch_size'],
        check: (f, run, memo) => {
          if (memo.iteration === undefined || f.iteration < memo.iteration) {
            Object.assign(memo, { iteration: f.iteration, epoch: f.epoch, spoiled: false });
            return false;
          }
          const jump = f.iteration - memo.iteration;
          if (f.runState === 'playing' || jump >= Math.max(3, f.batchesPerEpoch)) memo.spoiled = true;
          memo.iteration = f.iteration;
          return !memo.spoiled && f.epoch > memo.epoch;
        },
      },
    ],
  },
  {
    id: 'overfitting',
    group: 'Overfitting and regularisation',
    title: 'The overfitting lab',
    summary: 'A big network on a few noisy points learns them by heart; L2, dropout or a smaller network help.',
    page: '/',
    config: { task: 'binary', dataset: 'circle', n_points: 40, noise: 0.5, train_ratio: 0.5, hidden: [8, 8, 8], activation: 'tanh', features: ['x1', 'x2'], optimizer: 'adam', learning_rate: 0.03, batch_size: 10, regularization: 'none', reg_rate: 0, dropout: 0, seed: 1, show_test: true, lab: 'overfit' },
    show: [...BASICS, 'overfit_lab', 'show_test'],
    text: [
      'The network learns from the training points (small dots with a white rim) and is graded on test points it '
      + 'never sees (bigger dots with a dark rim). There are only 20 training points here, with a lot of noise, and '
      + 'the network is big.',
      'A big enough network can learn every training point by heart, noise included. Then the training loss goes '
      + 'to zero while the test loss climbs: that is overfitting. The shaded band on the chart is the gap between them.',
    ],
    tasks: [
      {
        id: 'overfit',
        text: 'Press play and watch the chart: the training loss falls to almost zero while the test loss turns and '
          + 'climbs. Keep going until the gap is wider than 0.5.',
        done: 'That is overfitting: the network memorised the noisy training points, so it does worse on new ones.',
        allowed: [],
        check: (f, run) => f.gap > 0.5 && f.trainLoss < 0.05 && run.epochs >= 20,
      },
      {
        id: 'remedy',
        text: 'Now press Add L2, Add dropout or Smaller network, and keep training until the test loss is below 0.6.',
        done: 'Well done: the network can no longer memorise every noisy point, so it learns the simple shape and the test loss comes down.',
        allowed: ['regularization', 'reg_rate', 'dropout', 'hidden', 'hidden_activations'],
        check: (f, run) => {
          const helped = (f.regularization !== 'none' && f.regRate > 0) || f.dropout > 0
            || f.hidden.reduce((a, b) => a + b, 0) < 24;
          return helped && f.testLoss !== null && f.testLoss < 0.6 && run.epochs >= 20;
        },
      },
    ],
  },
  {
    id: 'softmax',
    group: 'Multi-class and softmax',
    title: 'Many classes: softmax',
    summary: 'One output neuron per class; softmax turns their numbers into probabilities, and the biggest wins.',
    page: '/',
    config: { task: 'multiclass', dataset: 'blobs', n_classes: 3, hidden: [4], features: ['x1', 'x2'], learning_rate: 0.03, seed: 22 },
    show: [...BASICS, 'data', 'n_classes', 'confusion'],
    text: [
      'With more than two classes, the output layer gets one neuron per class. Softmax turns their values into '
      + 'probabilities: all positive, adding up to 1, and the bigger a neuron’s value, the bigger its share '
      + '(p_k = e^z_k ÷ the sum of e^z over all classes).',
      'The class with the highest probability is the network’s answer; each colour on the map shows where a class '
      + 'wins. The confusion matrix counts, for each true class, which class the network picked.',
    ],
    tasks: [
      {
        id: 'three',
        text: 'Press play and train until the test accuracy reaches 95 %.',
        done: 'Well done: in each region one class’s probability beats the others, so the map splits into three colours.',
        allowed: [],
        check: (f, run) => f.task === 'multiclass' && f.testAccuracy >= 0.95 && run.epochs >= 1,
      },
      {
        id: 'five',
        text: 'Move the Classes slider to 5 or more and train until the test accuracy is 90 % again.',
        done: 'Well done: the output layer grew to one neuron per class, and softmax shares the probability among all of them.',
        allowed: ['n_classes'],
        check: (f, run) => f.task === 'multiclass' && f.nClasses >= 5 && f.testAccuracy >= 0.9 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'regression',
    group: 'Regression',
    title: 'Regression: predicting a number',
    summary: 'When the answer is a number, the loss is squared error and the fit is measured by RMSE and R².',
    page: '/',
    config: { task: 'regression', dataset: 'plane', hidden: [], features: ['x1', 'x2'], learning_rate: 0.03, seed: 23 },
    show: [...BASICS, 'data', 'hidden', 'neurons'],
    text: [
      'Not every question has classes as answers. In regression the network predicts a number, like a height or a '
      + 'price. Its output neuron is linear, and the loss is the squared error.',
      'Two measures tell how good the fit is. RMSE is the typical size of a mistake. R² compares the network with '
      + 'always guessing the average: 1 is a perfect fit, 0 is no better than the average.',
    ],
    tasks: [
      {
        id: 'plane',
        text: 'With no hidden layer at all (that is linear regression), train on the tilted plane until R² is above 0.95.',
        done: 'Well done: a flat tilted plane is exactly what a single linear neuron can draw.',
        allowed: [],
        check: (f, run) => f.dataset === 'plane' && f.hidden.length === 0 && f.r2 >= 0.95 && run.epochs >= 1,
      },
      {
        id: 'bumps',
        text: 'Pick the Bumps data set. No flat plane fits it: add a hidden layer with at least 8 neurons and train '
          + 'until R² is above 0.8.',
        done: 'Well done: the hidden neurons give the network hills and valleys to fit the bumps.',
        allowed: ['dataset', 'hidden', 'hidden_activations'],
        check: (f, run) => f.dataset === 'bumps' && f.hidden.length >= 1 && f.r2 >= 0.8 && run.epochs >= 1,
      },
    ],
  },
  {
    id: 'digits',
    group: 'Images',
    title: 'Images: reading handwritten digits',
    summary: 'An 8×8 picture is 64 numbers: 64 input neurons and 10 output probabilities.',
    page: '/',
    config: { task: 'multiclass', dataset: 'digits', hidden: [16], learning_rate: 0.03, seed: 24 },
    show: [...BASICS, 'digit-pad', 'digit-views', 'confusion'],
    text: [
      'A small picture of 8 × 8 pixels is just 64 numbers, one per pixel. So the network has 64 input neurons, '
      + 'one hidden layer, and 10 output neurons: one probability for each digit 0 to 9.',
      'Nobody tells the network what a loop or a stroke is. It finds its own patterns in the pixels while it '
      + 'learns from the examples.',
    ],
    tasks: [
      {
        id: 'train',
        text: 'Press play and train until the network recognises at least 90 % of the test digits.',
        done: 'Well done: from nothing but pixels and examples, the network learned to read digits.',
        allowed: [],
        check: (f, run) => f.dataset === 'digits' && f.testAccuracy >= 0.9 && run.epochs >= 1,
      },
      {
        id: 'draw',
        text: 'Draw a digit on the pad and see which digit gets the highest probability.',
        done: 'Well done: your drawing went through the same forward pass as every test digit.',
        allowed: [],
        check: (f) => f.dataset === 'digits' && f.testAccuracy >= 0.9 && f.digitDrawn === true && Number.isInteger(f.digitPrediction),
      },
    ],
  },
  {
    id: 'perceptron',
    group: 'Perceptron',
    title: 'The perceptron: a yes-or-no decision',
    summary: 'Weights for what matters, a threshold, and a decision that flips: the oldest neuron of all.',
    page: '/perceptron',
    config: {},
    show: [],
    text: [
      'Should you go on a trip? Three yes/no questions: are flights cheap, do you have days off, is the weather '
      + 'good? Each answer (1 or 0) is multiplied by a weight that says how much it matters to you.',
      'The perceptron adds the weighted answers and compares the sum with a threshold: above it, go; below it, '
      + 'stay home. That is a neuron with a step activation.',
    ],
    tasks: [
      {
        id: 'flip',
        text: 'Change a weight or the threshold until the decision flips.',
        done: 'Well done: the decision flipped exactly when the weighted sum crossed the threshold.',
        allowed: [],
        check: (f) => f.perceptronFlips >= 1,
      },
      {
        id: 'learn',
        text: 'Press Learn until every row in the table of past decisions is right.',
        done: 'Well done: the perceptron rule nudged the weights after each mistake until no mistakes were left.',
        allowed: [],
        check: (f) => f.perceptronLearnPasses >= 1 && f.perceptronTableRows > 0
          && f.perceptronTableCorrect === f.perceptronTableRows,
      },
    ],
  },
];

/** The playground controls a lesson hides: every known one except those it shows (and their containers). */
export function hiddenControls(lesson) {
  const shown = new Set(lesson.show);
  for (const [container, inside] of Object.entries(CONTAINERS)) {
    if (inside.some((name) => shown.has(name))) shown.add(container);
  }
  return PLAYGROUND_CONTROLS.filter((name) => !shown.has(name));
}

function urlValue(value) {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** The link that opens a lesson: its page with the lesson's settings and, on the playground, hide=. */
export function lessonUrl(lesson) {
  const params = new URLSearchParams({ lesson: lesson.id });
  for (const [key, value] of Object.entries(lesson.config)) params.set(key, urlValue(value));
  if (lesson.page === '/') params.set('hide', hiddenControls(lesson).join(','));
  return `${lesson.page}?${params.toString().replace(/%2C/g, ',')}`;
}

export function lessonById(id) {
  return LESSONS.find((lesson) => lesson.id === id) || null;
}
