// The input column of the diagram: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂ as toggles, each showing its own map
// (from the `inputs` block of the binary frame for the features in use; computed here for the ones switched off).

import { el, setChildren } from '../shared/dom.js';
import { layoutFor } from './layout.js';
import { MapCanvas, lutFor, diverging, pack } from '../shared/colors.js';
import { EXPLAIN, FEATURE_LABELS, FEATURE_NAMES, featureMap } from './feature_maps.js';

const OFF_SIZE = 24;

export function createFeatures({ state, latest, actions }) {
  const host = document.getElementById('feature-layer');
  const box = document.getElementById('network');
  const rows = new Map();
  let layoutKey = '';

  for (const name of FEATURE_NAMES) {
    const canvas = el('canvas', { class: 'node-map', width: OFF_SIZE, height: OFF_SIZE });
    const button = el('button', { type: 'button', class: 'node feature', 'aria-pressed': 'false', dataset: { feature: name },
      title: `${EXPLAIN[name]} — click to use it as an input or not`, onclick: () => toggle(name) }, canvas);
    const caption = el('span', { class: 'feature-label' }, FEATURE_LABELS[name]);
    // hovering (or focusing) a feature shows its map enlarged in the output view, as for any neuron
    button.addEventListener('pointerenter', () => actions.focusFeature(name));
    button.addEventListener('focus', () => actions.focusFeature(name));
    button.addEventListener('pointerleave', () => actions.focusFeature(null));
    button.addEventListener('blur', () => actions.focusFeature(null));
    const row = el('div', { class: 'feature-row' }, caption, button);
    rows.set(name, { row, button, canvas, map: new MapCanvas(canvas), painted: null });
  }
  setChildren(host, [...rows.values()].map((r) => r.row));

  /** A lesson that hides the choice of features (hide=features) still shows the inputs in use, as fixed inputs. */
  const locked = () => state.get('hide').includes('features');

  function toggle(name) {
    if (locked()) return;
    const current = state.get('features');   // the newest choice, confirmed by the server or still on its way
    const on = current.includes(name);
    if (on && current.length === 1) return; // the network needs at least one input
    const next = FEATURE_NAMES.filter((f) => (f === name ? !on : current.includes(f)));
    state.set({ features: next });
  }

  function place() {
    const layout = layoutFor(latest, box.clientWidth, box.clientHeight, state.get('projector'));
    host.hidden = !layout || !layout.plane;
    if (!layout || !layout.plane) return;
    const key = `${box.clientWidth}x${box.clientHeight}:${layout.node}:${layout.inputRowsXY.map((p) => p.y.toFixed(1)).join(',')}`;
    const enabled = new Set(layout.features);
    const fixed = locked();
    for (const [i, name] of FEATURE_NAMES.entries()) {
      const r = rows.get(name);
      const p = layout.inputRowsXY[i];
      if (key !== layoutKey) {
        r.row.style.transform = `translate(${(p.x - layout.node / 2).toFixed(1)}px, ${(p.y - layout.node / 2).toFixed(1)}px)`;
        r.button.style.width = `${layout.node}px`;
        r.button.style.height = `${layout.node}px`;
      }
      const on = enabled.has(name);
      r.button.classList.toggle('is-off', !on);
      r.button.setAttribute('aria-pressed', on ? 'true' : 'false');
      r.button.setAttribute('aria-disabled', fixed ? 'true' : 'false');
      r.button.title = fixed ? `${EXPLAIN[name]} — an input of this lesson` : `${EXPLAIN[name]} — click to use it as an input or not`;
      // the features not in use are the choice (data-ctl="features": hidden with it); the ones in use stay
      if (on) delete r.row.dataset.ctl;
      else r.row.dataset.ctl = 'features';
    }
    layoutKey = key;
  }

  function paint() {
    const enabled = (latest.config && latest.config.features) || [];
    const block = latest.maps.inputs;
    for (const name of FEATURE_NAMES) {
      const r = rows.get(name);
      const j = enabled.indexOf(name);
      if (j >= 0 && block && block.maps[j]) {
        const m = block.maps[j];
        // a feature of the fixed grid: the same name, size and range is the same picture, so paint it once
        const painted = `${block.size}|${m.lo}|${m.hi}`;
        if (r.painted === painted) continue;
        const big = Math.max(Math.abs(m.lo), Math.abs(m.hi), 1e-9);
        r.map.paint(m, block.size, lutFor(m, (v) => diverging(v / big)));
        r.painted = painted;
      } else if (r.painted !== 'local') {
        const { values, big } = featureMap(name, OFF_SIZE);
        r.map.paintWith(OFF_SIZE, (i) => {
          const c = diverging(values[i] / big);
          return pack(c[0], c[1], c[2]);
        });
        r.painted = 'local';
      }
    }
  }

  paint();

  return {
    update(flags) {
      if (flags.has('config') || flags.has('data') || flags.has('layout')) place();
      if (flags.has('inputs') || flags.has('config')) paint();
    },
  };
}
