// One example, followed through the network: click the output map to pin a point; the server sends the
// engine's forward and backward pass for it with every frame (z, a, δ per neuron; ∂L/∂w per weight; the loss).
// This strip shows the point, its target and loss; the diagram's tooltips show each neuron's and weight's numbers.

import { el, setChildren, fmt } from '../shared/dom.js';
import { classColor, rgb } from '../shared/colors.js';

export function createInspector({ state, latest, actions }) {
  const host = document.getElementById('inspector');
  const text = el('span', { class: 'inspector-text', id: 'inspector-text' });
  const target = el('select', { id: 'inspector-target', 'aria-label': 'Target of the pinned point', onchange: () => resend() });
  const unpin = el('button', { type: 'button', class: 'notice-close', id: 'inspector-close', 'aria-label': 'Unpin the point',
    onclick: () => clear() }, '×');
  const hint = el('span', { class: 'hint', id: 'inspector-hint' }, 'Click the map to follow one point through the network.');
  setChildren(host, hint, text, el('label', { class: 'inspector-target' }, 'target ', target), unpin);
  let point = null;

  function nearestLabel(x1, x2) {
    const d = latest.data;
    if (!d || !d.train) return null;
    let best = null;
    let bestD = 0.8 * 0.8;
    for (const p of d.train.concat(d.test || [])) {
      const dist = (p[0] - x1) ** 2 + (p[1] - x2) ** 2;
      if (dist < bestD) { bestD = dist; best = p[2]; }
    }
    return best;
  }

  function targets() {
    const d = latest.data;
    const task = (d && d.task) || state.get('task');
    if (task === 'regression') return [-1, -0.5, 0, 0.5, 1].map((v) => [v, fmt(v, 2)]);
    const k = task === 'binary' ? 2 : (d && d.n_classes) || 3;
    const names = (d && d.class_names) || [];
    return Array.from({ length: k }, (_, j) => [j, names[j] ?? `class ${j}`]);
  }

  function pick(x1, x2) {
    point = [Math.round(x1 * 1000) / 1000, Math.round(x2 * 1000) / 1000];
    const options = targets();
    setChildren(target, options.map(([v, name]) => el('option', { value: String(v) }, name)));
    const near = nearestLabel(x1, x2);
    if (near !== null) {
      const closest = options.reduce((a, b) => (Math.abs(b[0] - near) < Math.abs(a[0] - near) ? b : a));
      target.value = String(closest[0]);
    }
    latest.pinned = point;
    resend();
    show();
  }

  function resend() {
    if (!point) return;
    actions.send({ type: 'inspect', point, label: Number(target.value), follow: true });
  }

  function clear() {
    if (point) actions.send({ type: 'inspect', point: null });
    point = null;
    latest.pinned = null;
    actions.redraw('pinned');
    show();
  }

  function show() {
    host.classList.toggle('is-pinned', Boolean(point));
    const i = latest.inspection;
    if (!point) {
      text.textContent = '';
      return;
    }
    const where = `x₁ ${fmt(point[0], 2)}, x₂ ${fmt(point[1], 2)}`;
    if (!i || !Array.isArray(i.point) || i.point[0] !== point[0] || i.point[1] !== point[1]) {
      text.textContent = `${where} …`;
      return;
    }
    const layers = i.layers || [];
    const out = layers.length ? layers[layers.length - 1].a : [];
    const shown = out.length > 1
      ? out.map((p, k) => `${(p * 100).toFixed(0)} %`).join(' · ')
      : fmt(out[0], 3);
    setChildren(text, el('strong', {}, where), ` → output ${shown} · loss ${fmt(i.loss, 3)}`,
      out.length > 1 ? el('span', { class: 'swatch', style: `background:${rgb(classColor(out.indexOf(Math.max(...out))))};margin-left:6px` }) : null);
  }

  return {
    pick,
    update(flags) {
      if (flags.has('inspection')) show();
      if (flags.has('data') && point && latest.data && latest.data.is_plane === false) clear();
      host.hidden = Boolean(latest.data && latest.data.is_plane === false);
    },
  };
}
