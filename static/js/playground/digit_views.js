// Images as input, seen from the network's side: the first layer's weights drawn as 8×8 images (what each hidden
// neuron looks for), and the test digits the network gets wrong, with its answer. Clicking a wrong digit loads it
// into the drawing pad, so a learner can see the probabilities and change a pixel or two.
// The weights come from every frame's parameters (redrawn at most 5 times a second); the mistakes from the
// server's `mistakes` view, subscribed only while the digits are shown.
//
// Facts published (progress.js): digitMistakes — misclassified test digits; digitTestCount — test digits;
// digitWeightImages — weight images drawn (one per hidden neuron shown).

import { el, setChildren } from '../shared/dom.js';
import { diverging } from '../shared/colors.js';
import { publish } from '../shared/progress.js';

const SIDE = 8;
const MAX_WEIGHT_IMAGES = 32;
const MISTAKES_SHOWN = 12;
const WEIGHT_REDRAW_MS = 200;

/** Paint 64 values onto an 8×8 canvas: colourOf(value) → [r, g, b]. */
function paintImage(canvas, values, colourOf) {
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const c = colourOf(values[i]);
    image.data[4 * i] = c[0];
    image.data[4 * i + 1] = c[1];
    image.data[4 * i + 2] = c[2];
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Ink on paper, as on the drawing pad: 0 → white, 1 → near black. */
function ink(v) {
  const g = Math.round(255 * (1 - Math.max(0, Math.min(1, v)) * 0.92));
  return [g, g, Math.min(255, g + 6)];
}

export function createDigitViews({ state, latest, actions }) {
  const host = document.getElementById('digit-views');
  const weightGrid = el('div', { class: 'digit-grid', id: 'weight-images', role: 'list' });
  const weightNote = el('p', { class: 'hint', id: 'weight-note' });
  const mistakeGrid = el('div', { class: 'digit-grid', id: 'mistake-images', role: 'list' });
  const mistakeTitle = el('h3', { class: 'digit-views-title', id: 'mistakes-title' }, 'Test digits it gets wrong');
  setChildren(host,
    el('h3', { class: 'digit-views-title' }, 'What layer 1 looks for'),
    el('p', { class: 'hint' }, 'One picture per hidden neuron: the weight from each pixel. ',
      el('span', { class: 'swatch-text is-pos' }, 'Blue'), ' ink there pushes the neuron up, ',
      el('span', { class: 'swatch-text is-neg' }, 'orange'), ' ink pushes it down.'),
    weightGrid, weightNote,
    mistakeTitle,
    el('p', { class: 'hint' }, 'True label → the network\'s answer. Click one to put it on the drawing pad.'),
    mistakeGrid);
  let active = false;
  let subscribed = false;
  let weightCanvases = [];
  let lastWeights = 0;
  let mistakesKey = '';
  let mistakeButtons = [];

  function subscribe(on) {
    if (on === subscribed) return;
    if (actions.send({ type: 'mistakes', limit: on ? MISTAKES_SHOWN : 0 })) subscribed = on;
  }

  function buildWeightGrid(count) {
    weightCanvases = Array.from({ length: count }, (_, j) => el('canvas', { class: 'digit-image', width: SIDE,
      height: SIDE, role: 'listitem', title: `Hidden neuron ${j + 1}`,
      'aria-label': `Weights of hidden neuron ${j + 1} as an 8 by 8 image` }));
    setChildren(weightGrid, weightCanvases);
  }

  /** W (64 × H, row-major) of the first layer: neuron j's image is column j, each scaled by its largest weight. */
  function drawWeights() {
    const sizes = latest.sizes;
    const params = latest.params;
    if (!sizes || !params || sizes.length < 3 || sizes[0] !== SIDE * SIDE) {
      setChildren(weightGrid);
      weightCanvases = [];
      weightNote.textContent = sizes && sizes.length < 3 ? 'Add a hidden layer to see what it looks for.' : '';
      publish({ digitWeightImages: 0 });
      return;
    }
    const width = sizes[1];
    const shown = Math.min(width, MAX_WEIGHT_IMAGES);
    if (weightCanvases.length !== shown) buildWeightGrid(shown);
    const column = new Float32Array(SIDE * SIDE);
    for (let j = 0; j < shown; j++) {
      let biggest = 1e-12;
      for (let p = 0; p < SIDE * SIDE; p++) {
        const w = params[p * width + j];
        column[p] = w;
        biggest = Math.max(biggest, Math.abs(w));
      }
      paintImage(weightCanvases[j], column, (w) => diverging(w / biggest));
    }
    weightNote.textContent = width > shown ? `The first ${shown} of ${width} neurons.` : '';
    publish({ digitWeightImages: shown });
  }

  function drawMistakes() {
    const message = latest.mistakes;
    if (!message) return;
    const names = (latest.data && latest.data.class_names) || [];
    const name = (k) => names[k] ?? String(k);
    mistakeTitle.textContent = `Test digits it gets wrong: ${message.count} of ${message.total}`;
    publish({ digitMistakes: message.count, digitTestCount: message.total });
    const key = JSON.stringify(message.shown.map((m) => [m.index, m.predicted, m.confidence]));
    if (key === mistakesKey) return;
    mistakesKey = key;
    // the buttons stay and only their contents change, so a click during an update is not lost
    while (mistakeButtons.length < message.shown.length) mistakeButtons.push(mistakeButton());
    mistakeButtons.forEach((button, k) => {
      const m = message.shown[k];
      button.hidden = !m;
      button.mistake = m || null;
      if (!m) return;
      paintImage(button.firstChild, m.input, ink);
      const sure = m.confidence === null ? '' : `, ${Math.round(m.confidence * 100)} % sure`;
      const text = `A ${name(m.label)} the network reads as ${name(m.predicted)}${sure}`;
      button.title = text;
      button.setAttribute('aria-label', text);
      button.lastChild.textContent = `${name(m.label)}→${name(m.predicted)}`;
    });
    if (mistakeGrid.childElementCount !== mistakeButtons.length) setChildren(mistakeGrid, mistakeButtons);
  }

  function mistakeButton() {
    const button = el('button', { type: 'button', class: 'digit-mistake', role: 'listitem',
      onclick: () => { if (button.mistake) actions.showDigit(button.mistake.input); } },
    el('canvas', { class: 'digit-image', width: SIDE, height: SIDE, 'aria-hidden': 'true' }),
    el('span', { class: 'digit-caption' }));
    return button;
  }

  return {
    update(flags) {
      if (flags.has('welcome')) subscribed = false;
      if (flags.has('welcome') || flags.has('config') || flags.has('data')) {
        const on = Boolean(latest.config && latest.config.dataset === 'digits' && latest.data
          && !latest.data.is_plane);
        host.hidden = !on;
        subscribe(on);
        if (on !== active) {
          latest.mistakes = null;
          mistakesKey = '';
          mistakeButtons = [];
          setChildren(mistakeGrid);
        }
        active = on;
        if (on) drawWeights();
      }
      if (!active) return;
      const playing = latest.frame && latest.frame.state === 'playing';
      if (flags.has('frame') && (!playing || performance.now() - lastWeights > WEIGHT_REDRAW_MS)) {
        lastWeights = performance.now();
        drawWeights();
      }
      if (flags.has('mistakes')) drawMistakes();
    },
  };
}
