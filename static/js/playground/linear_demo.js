// Linear vs non-linear, one click each. With linear activations every layer is a matrix product, and a product of
// matrices is one matrix: W₃(W₂(W₁x + b₁) + b₂) + b₃ = W x + b. However many layers, the network draws one straight
// boundary and cannot separate the circle. The first click trains such a network (two hidden layers, linear) on
// the circle from x₁ and x₂ alone; the second swaps in tanh or ReLU, starts again, and the circle is solved.
// The status line reads the epoch and test accuracy from the newest frame.
//
// Facts published (progress.js): linearDemo ('linear' | 'nonlinear' | null when the person has changed the setup).

import { el, setChildren, setText } from '../shared/dom.js';
import { label } from '../shared/choices.js';
import { publish } from '../shared/progress.js';

const LINEAR_SETUP = {
  task: 'binary', dataset: 'circle', features: ['x1', 'x2'], hidden: [4, 4], activation: 'linear', hidden_activations: null,
  loss: null, output_activation: null, regularization: 'none', reg_rate: 0, dropout: 0, learning_rate: 0.03,
};

export function createLinearDemo({ state, latest, actions }) {
  const host = document.getElementById('linear-demo');
  const linear = el('button', { type: 'button', class: 'secondary small', id: 'demo-linear', onclick: () => run('linear') },
    '1 · Linear layers');
  const tanh = el('button', { type: 'button', class: 'secondary small', id: 'demo-tanh', onclick: () => run('tanh') }, '2 · Tanh');
  const relu = el('button', { type: 'button', class: 'secondary small', id: 'demo-relu', onclick: () => run('relu') }, 'or ReLU');
  const status = el('p', { class: 'demo-status', id: 'demo-status', 'aria-live': 'polite' });
  // the running line keeps its nodes; each frame only changes their text
  const runHead = document.createTextNode('');
  const runAccuracy = el('strong', { id: 'demo-accuracy' });
  const runVerdict = document.createTextNode('');
  let running = false;
  const details = el('details', { class: 'demo', id: 'linear-demo-box' },
    el('summary', {}, 'Why non-linear? A two-click demonstration'),
    el('p', { class: 'demo-text' },
      'With linear activations each layer multiplies by a matrix, and matrices multiplied together are still one matrix: ',
      'however many layers, the boundary stays one straight line. Train that on the circle, then switch the hidden layers to tanh or ReLU.'),
    el('div', { class: 'demo-buttons' }, linear, tanh, relu),
    status);
  setChildren(host, details);

  let mode = null;       // 'linear' | 'nonlinear' | null
  let activation = null; // the hidden activation the demonstration chose
  let busy = false;

  async function run(choice) {
    if (busy) return;
    busy = true;
    try {
      actions.control('pause');
      await actions.configureNow(choice === 'linear' ? LINEAR_SETUP : { ...LINEAR_SETUP, activation: choice });
      actions.control('reset');
      actions.control('play');
      mode = choice === 'linear' ? 'linear' : 'nonlinear';
      activation = choice;
      publish({ linearDemo: mode });
      show();
    } catch (error) {
      actions.notify(`The demonstration could not start: ${error.message}`);
    } finally {
      busy = false;
    }
  }

  /** Still the demonstration's setup? A person changing data, features or activations ends it. */
  function stillSetUp() {
    const s = state.values;
    return s.dataset === 'circle' && s.activation === activation && s.features.join() === 'x1,x2'
      && (!s.hidden_activations || s.hidden_activations.every((a) => a === activation));
  }

  function show() {
    if (mode && !stillSetUp()) {
      mode = null;
      activation = null;
      publish({ linearDemo: null });
    }
    const pressed = [[linear, mode === 'linear'], [tanh, activation === 'tanh'], [relu, activation === 'relu']];
    for (const [button, on] of pressed) {
      if (button.getAttribute('aria-pressed') !== String(on)) button.setAttribute('aria-pressed', String(on));
    }
    if (tanh.disabled !== (mode === null)) tanh.disabled = relu.disabled = mode === null;
    if (!mode) {
      running = false;
      setText(status, 'Start with step 1.');
      return;
    }
    if (!running) {
      setChildren(status, runHead, runAccuracy, runVerdict);
      running = true;
    }
    const f = latest.frame;
    const accuracy = f && f.metrics && f.metrics.test ? f.metrics.test.accuracy : null;
    const epoch = f && f.counters ? f.counters.epoch : 0;
    const percent = Number.isFinite(accuracy) ? `${(accuracy * 100).toFixed(1)} %` : '–';
    const verdict = mode === 'linear'
      ? 'a straight boundary: it cannot go around the circle, so accuracy stays near chance.'
      : 'the boundary bends around the circle.';
    const head = `${label(activation)} · epoch ${epoch} · test accuracy `;
    if (runHead.data !== head) runHead.data = head;
    setText(runAccuracy, percent);
    if (runVerdict.data !== ` — ${verdict}`) runVerdict.data = ` — ${verdict}`;
  }

  show();
  return {
    update(flags) {
      if (flags.has('frame') || flags.has('state') || flags.has('config')) show();
    },
  };
}
