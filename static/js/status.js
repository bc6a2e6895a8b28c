// Banners: the divergence banner (what happened, "step back", "lower the learning rate"), the connection
// banner (with automatic reconnect and a countdown), and short notices for refused messages.

import { el, setChildren, count } from './dom.js';

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

// what each kind of divergence (engine/divergence.py) looks like to the learner
const HEADLINES = {
  nonfinite: 'the network diverged — its numbers overflowed.',
  exploding: 'the network diverged — the loss is exploding.',
};

/** A learning rate about ten times smaller, from the same list the control offers. */
function lower(lr) {
  const smaller = LEARNING_RATES.filter((v) => v <= lr / 10 + 1e-12);
  return smaller.length ? smaller[smaller.length - 1] : lr / 10;
}

export function createStatus({ state, latest, actions }) {
  const host = document.getElementById('banners');
  const divergence = el('div', { class: 'banner banner-diverged', id: 'divergence-banner', role: 'alert', hidden: true });
  const connection = el('div', { class: 'banner banner-connection', id: 'connection-banner', role: 'status', hidden: true });
  const notices = el('div', { class: 'notices', id: 'notices', 'aria-live': 'assertive' });
  setChildren(host, connection, divergence);
  document.body.append(notices);

  let connectionInfo = { state: 'connecting' };
  let countdown = null;
  let shownDivergence = '';

  function showConnection() {
    clearInterval(countdown);
    countdown = null;
    const info = connectionInfo;
    if (info.state === 'open') {
      if (info.reconnected) {
        connection.className = 'banner banner-connection is-ok';
        setChildren(connection, el('strong', {}, 'Reconnected.'), ' Training continues where it was.');
        connection.hidden = false;
        setTimeout(() => { if (connectionInfo === info) connection.hidden = true; }, 2500);
      } else {
        connection.hidden = true;
      }
      return;
    }
    if (info.state === 'connecting' && !info.attempt) {
      connection.hidden = true;
      return;
    }
    connection.className = 'banner banner-connection is-lost';
    const seconds = el('span', { id: 'reconnect-seconds' }, '');
    const tick = () => {
      const left = info.retryAt ? Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000)) : 0;
      seconds.textContent = info.state === 'connecting' ? 'Reconnecting now…' : `Reconnecting in ${left} s.`;
    };
    tick();
    setChildren(connection, el('strong', {}, 'The connection to the server was lost.'), ' ', seconds, ' ',
      el('button', { type: 'button', class: 'secondary small', onclick: () => actions.reconnectNow() }, 'Reconnect now'));
    connection.hidden = false;
    countdown = setInterval(tick, 500);
  }

  function showDivergence() {
    const f = latest.frame;
    const d = f && (f.divergence || (f.state === 'diverged' ? {} : null));
    if (!d) {
      if (!divergence.hidden) divergence.hidden = true;
      shownDivergence = '';
      return;
    }
    const key = JSON.stringify(d);
    if (key === shownDivergence && !divergence.hidden) return;
    shownDivergence = key;
    const lr = state.get('learning_rate');
    const next = lower(lr);
    const where = Number.isFinite(d.epoch) ? ` at epoch ${count(d.epoch)}${Number.isFinite(d.iteration) ? ` (iteration ${count(d.iteration)})` : ''}` : '';
    setChildren(divergence,
      el('div', { class: 'banner-text' },
        el('strong', {}, `Training stopped${where}: ${HEADLINES[d.kind] || HEADLINES.nonfinite}`), ' ',
        el('span', {}, d.reason ? `${d.reason[0].toUpperCase()}${d.reason.slice(1)}.` : 'The loss or a weight became infinite or NaN.'), ' ',
        el('span', { class: 'banner-advice' }, `A learning rate of ${lr} makes each step overshoot the minimum by more than it gains. ${d.advice ? `${d.advice[0].toUpperCase()}${d.advice.slice(1)}.` : ''}`)),
      el('div', { class: 'banner-actions' },
        el('button', { type: 'button', class: 'secondary', id: 'step-back', onclick: () => actions.control('step_back') }, 'Step back'),
        el('button', { type: 'button', class: 'primary', id: 'lower-lr', onclick: () => state.set({ learning_rate: next }) },
          `Lower the learning rate to ${next}`)));
    divergence.hidden = false;
  }

  function notify(message, kind = 'error') {
    const note = el('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      el('span', {}, message),
      el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
    notices.append(note);
    while (notices.children.length > 3) notices.firstChild.remove();
    setTimeout(() => note.remove(), kind === 'error' ? 7000 : 3500);
  }

  return {
    notify,
    connection(stateName, info) {
      connectionInfo = { state: stateName, ...info };
      showConnection();
    },
    update(flags) {
      if (flags.has('frame') || flags.has('status') || flags.has('state')) showDivergence();
    },
  };
}
