// Images as input: on the 8×8 digits, draw a digit and read what the network answers, with what confidence.
// The drawing is sent as one example (`inspect` with follow), so the answer updates as the network trains.
//
// Facts published (progress.js): digitPrediction — the class index the network gives the drawn digit (for the digits
// the index is the digit itself; null with nothing drawn); digitConfidence — that class's probability (0–1, or null);
// digitDrawn — true when a hand drew on the pad since it was last loaded or cleared (a test digit loaded from the
// mistakes is not a drawing).

import { el, setChildren } from '../shared/dom.js';
import { classColor, rgb } from '../shared/colors.js';
import { publish } from '../shared/progress.js';

const SIDE = 8;
const BRUSH = 0.85;

export function createDigits({ state, latest, actions }) {
  const host = document.getElementById('digit-pad');
  const pixels = new Float32Array(SIDE * SIDE);
  const canvas = el('canvas', { class: 'digit-canvas', id: 'digit-canvas', width: SIDE, height: SIDE, role: 'img',
    'aria-label': 'Your digit, 8 by 8 pixels: draw with the mouse' });
  const answer = el('p', { class: 'digit-answer', id: 'digit-answer', 'aria-live': 'polite' }, 'Draw a digit in the square.');
  const bars = el('div', { class: 'digit-bars', id: 'digit-bars' });
  const clear = el('button', { type: 'button', class: 'secondary small', id: 'digit-clear', onclick: () => reset() }, 'Clear');
  setChildren(host,
    el('div', { class: 'digit-row' },
      el('div', { class: 'digit-left' }, canvas, el('div', { class: 'digit-tools' },
        el('span', { class: 'hint' }, 'Drag to draw; right button erases.'), clear)),
      el('div', { class: 'digit-right' }, answer, bars)));
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(SIDE, SIDE);
  let active = false;
  let following = false;
  let sendTimer = null;
  let drawing = 0;      // 0 none, 1 paint, −1 erase
  let drawn = false;    // the pad holds strokes made by hand
  let sent = null;      // the pixels last sent: answers about other pixels are stale

  function paint() {
    for (let i = 0; i < pixels.length; i++) {
      const v = Math.round(255 * (1 - pixels[i] * 0.92));
      image.data[4 * i] = v;
      image.data[4 * i + 1] = v;
      image.data[4 * i + 2] = Math.min(255, v + 6);
      image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  function stroke(event) {
    drawn = true;
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * SIDE - 0.5;
    const y = ((event.clientY - box.top) / box.height) * SIDE - 0.5;
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        const d2 = (c - x) ** 2 + (r - y) ** 2;
        const amount = BRUSH * Math.exp(-d2 / 0.55);
        const i = r * SIDE + c;
        pixels[i] = Math.max(0, Math.min(1, pixels[i] + drawing * amount));
      }
    }
    paint();
    schedule();
  }

  function schedule() {
    if (sendTimer) return;
    sendTimer = setTimeout(() => {
      sendTimer = null;
      send();
    }, 80);
  }

  function send() {
    const blank = pixels.every((v) => v === 0);
    if (blank) {
      stop();
      showAnswer(null);
      return;
    }
    sent = Array.from(pixels, (v) => Math.round(v * 1000) / 1000);
    following = actions.send({ type: 'inspect', point: sent, label: null, follow: true });
  }

  function stop() {
    if (following) actions.send({ type: 'inspect', point: null });
    following = false;
  }

  function reset() {
    drawn = false;
    pixels.fill(0);
    paint();
    stop();
    showAnswer(null);
  }

  canvas.addEventListener('contextmenu', (event) => event.preventDefault());
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    drawing = event.button === 2 ? -1 : 1;
    canvas.setPointerCapture(event.pointerId);
    stroke(event);
  });
  canvas.addEventListener('pointermove', (event) => { if (drawing) stroke(event); });
  const end = () => { drawing = 0; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  function showAnswer(probabilities) {
    const names = (latest.data && latest.data.class_names) || [];
    if (!probabilities) {
      answer.textContent = 'Draw a digit in the square.';
      setChildren(bars, Array.from({ length: 10 }, (_, k) => bar(k, 0, names, false)));
      publish({ digitPrediction: null, digitConfidence: null, digitDrawn: false });
      return;
    }
    let best = 0;
    probabilities.forEach((p, k) => { if ((p ?? 0) > (probabilities[best] ?? 0)) best = k; });
    const confidence = probabilities[best] ?? 0;
    answer.textContent = `The network says ${names[best] ?? best}, with ${(confidence * 100).toFixed(0)} % confidence.`;
    publish({ digitPrediction: best, digitConfidence: confidence, digitDrawn: drawn });
    setChildren(bars, probabilities.map((p, k) => bar(k, p ?? 0, names, k === best)));
  }

  function bar(k, p, names, best) {
    return el('div', { class: `digit-bar${best ? ' is-best' : ''}` },
      el('span', { class: 'digit-label' }, names[k] ?? String(k)),
      el('span', { class: 'digit-track' }, el('span', { class: 'digit-fill',
        style: `width:${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%;background:${rgb(classColor(k))}` })),
      el('span', { class: 'digit-value' }, `${(p * 100).toFixed(0)} %`));
  }

  paint();
  showAnswer(null);

  return {
    /** Put 64 pixel values in [0, 1] (row by row) on the pad and ask the network about them. */
    load(values) {
      if (!active || !Array.isArray(values) || values.length !== pixels.length) return;
      drawn = false;
      values.forEach((v, i) => { pixels[i] = Math.max(0, Math.min(1, Number(v) || 0)); });
      paint();
      send();
      host.scrollIntoView({ block: 'center' });
    },
    update(flags) {
      if (flags.has('config') || flags.has('data') || flags.has('welcome')) {
        const on = Boolean(latest.config && latest.config.dataset === 'digits');
        host.hidden = !on;
        if (on && !active) reset();
        if (!on && active) stop();
        active = on;
      }
      const current = latest.inspection;
      if (flags.has('inspection') && active && following && current && sent
          && Array.isArray(current.point) && current.point.length === sent.length
          && current.point.every((v, i) => Math.abs(v - sent[i]) < 1e-9)) {
        const layers = latest.inspection.layers || [];
        const out = layers.length ? layers[layers.length - 1].a : null;
        if (out && out.length > 1) showAnswer(out);
      }
      // a rebuilt network forgets what it was following; ask again
      if (flags.has('network') && active && following) send();
    },
  };
}
