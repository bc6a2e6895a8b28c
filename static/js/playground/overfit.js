// The overfitting lab (shown when the URL says lab=overfit): the gap between test and training loss in words,
// and one-click remedies that change the live run — L2 (weights pulled towards 0: L = data loss + λ·Σw²),
// dropout (hidden neurons switched off at random while training) and a smaller network (a rebuild: fresh
// weights). Each click first writes down where the run stood, so the learner can compare before and after.

import { el, setChildren, fmt, count } from '../shared/dom.js';

export const REMEDIES = [
  { id: 'l2', label: 'Add L2', patch: () => ({ regularization: 'l2', reg_rate: 0.03 }),
    active: (s) => s.regularization === 'l2' && s.reg_rate > 0 },
  { id: 'dropout', label: 'Add dropout', patch: () => ({ dropout: 0.3 }), active: (s) => s.dropout > 0 },
  { id: 'smaller', label: 'Smaller network', patch: () => ({ hidden: [3], hidden_activations: null }),
    active: (s, big) => s.hidden.reduce((a, b) => a + b, 0) < big.reduce((a, b) => a + b, 0) },
];

export function createOverfit({ state, latest }) {
  const host = document.getElementById('overfit-lab');
  const gapText = el('p', { class: 'lab-gap', id: 'lab-gap', 'aria-live': 'polite' }, '');
  const buttons = REMEDIES.map((r) => el('button', { type: 'button', class: 'secondary', id: `lab-${r.id}`,
    onclick: () => apply(r) }, r.label));
  const undo = el('button', { type: 'button', class: 'link-btn', id: 'lab-undo', onclick: () => restore() },
    'Back to the big network without help');
  const log = el('ol', { class: 'lab-log', id: 'lab-log' });
  setChildren(host,
    el('h3', { class: 'lab-title' }, 'Overfitting lab'),
    gapText,
    el('div', { class: 'lab-buttons' }, buttons, undo),
    log);
  const big = state.get('hidden').slice();   // the lab's own network, as the URL set it

  /** One line that says where the run stands now: test and training loss, their gap, the best test loss. */
  function standing() {
    const m = latest.frame && latest.frame.metrics;
    const train = m && m.train && m.train.loss;
    const test = m && m.test && m.test.loss;
    if (!Number.isFinite(train) || !Number.isFinite(test)) return null;
    const epoch = latest.frame.counters ? latest.frame.counters.epoch : 0;
    return { train, test, gap: test - train, epoch };
  }

  function note(what) {
    const now = standing();
    if (!now) return;
    log.append(el('li', {}, `${what} at epoch ${count(now.epoch)}: test loss ${fmt(now.test, 3)}, training loss ${fmt(now.train, 3)}, gap ${fmt(now.gap, 3)}`));
    while (log.children.length > 4) log.firstChild.remove();
  }

  function apply(remedy) {
    note(`Before “${remedy.label}”`);
    state.set(remedy.patch());
  }

  function restore() {
    note('Before going back');
    state.set({ regularization: 'none', reg_rate: 0, dropout: 0, hidden: big.slice(), hidden_activations: null });
  }

  function showGap() {
    const now = standing();
    if (!now) {
      gapText.textContent = 'Press play: watch the training loss fall and the test loss.';
      return;
    }
    const verdict = now.gap > 0.25 ? 'the network learns the training points by heart: overfitting.'
      : 'test and training loss are close: the network generalises.';
    gapText.textContent = `Gap = test loss − training loss = ${fmt(now.test, 3)} − ${fmt(now.train, 3)} = ${fmt(now.gap, 3)}: ${verdict}`;
  }

  function showButtons() {
    const s = state.values;
    REMEDIES.forEach((r, i) => {
      const on = r.active(s, big);
      buttons[i].disabled = on;
      buttons[i].setAttribute('aria-pressed', on ? 'true' : 'false');
    });
    undo.hidden = !REMEDIES.some((r) => r.active(s, big));
  }

  return {
    update(flags) {
      const open = state.get('lab') === 'overfit';
      host.hidden = !open;
      if (!open) return;
      if (flags.has('state') || flags.has('config')) showButtons();
      if (flags.has('frame') || flags.has('config')) showGap();
    },
  };
}
