// Banners: the divergence banner (what happened, "step back", "lower the learning rate"), the hint for a network
// that cannot move (frame.diagnosis: dead ReLUs, a layer too narrow), the connection banner (with automatic
// reconnect and a countdown, and what a server restart did to the page), and short notices for refused messages.

import { SPEC } from '/spec.js';
import { el, setChildren, count, fmt } from './dom.js';

// what each kind of divergence (engine/divergence.py) looks like to the learner
const HEADLINES = {
  nonfinite: 'the network diverged — its numbers overflowed.',
  exploding: 'the network diverged — the loss is exploding.',
};

/** A learning rate about ten times smaller, from the same list the control offers. */
function lower(lr) {
  const smaller = SPEC.presets.learning_rate.filter((v) => v <= lr / 10 + 1e-12);
  return smaller.length ? smaller[smaller.length - 1] : lr / 10;
}

function sentence(text) {
  return text ? `${text[0].toUpperCase()}${text.slice(1)}.` : '';
}

/** The plain-words reasons of a frame's `diagnosis` (engine/diagnosis.py), one line each. */
function stuckReasons(d) {
  const lines = d.dead.map((x) => `${x.dead === x.units ? `All ${x.units}` : `${x.dead} of ${x.units}`} units in layer ${x.layer} `
    + 'never fire on any training point (dead ReLUs): try leaky ReLU, a smaller learning rate, or re-initialise (Reset).');
  for (const x of d.narrow) {
    lines.push(`Layer ${x.layer} has only ${x.units} unit${x.units === 1 ? '' : 's'}: everything the network knows must pass `
      + `through ${x.units === 1 ? 'one number' : `${x.units} numbers`}. Make it wider.`);
  }
  return lines;
}

export function createStatus({ state, latest, actions }) {
  const host = document.getElementById('banners');
  const divergence = el('div', { class: 'banner banner-diverged', id: 'divergence-banner', role: 'alert', hidden: true });
  const stuck = el('div', { class: 'banner banner-stuck', id: 'stuck-banner', role: 'status', hidden: true });
  const connection = el('div', { class: 'banner banner-connection', id: 'connection-banner', role: 'status', hidden: true });
  const notices = el('div', { class: 'notices', id: 'notices', 'aria-live': 'assertive' });
  setChildren(host, connection, divergence, stuck);
  document.body.append(notices);

  let connectionInfo = { state: 'connecting' };
  let countdown = null;
  let lostSession = false;    // the reset banner stays until dismissed or the connection drops again
  // one divergence, from the frame that reported it until the network trains past it at a lower rate (or the
  // person dismisses it): { key, d, rate, dismissed, recovered }
  let episode = null;
  let shownEpisode = '';
  let stuckDismissed = '';
  let shownStuck = '';

  function closeButton(id, onclick) {
    return el('button', { type: 'button', class: 'notice-close', id, 'aria-label': 'Dismiss', onclick }, '×');
  }

  function showConnection() {
    clearInterval(countdown);
    countdown = null;
    const info = connectionInfo;
    if (info.state === 'open' || (info.state === 'connecting' && !info.attempt)) {
      if (!lostSession) connection.hidden = true;
      return;
    }
    lostSession = false;
    connection.className = 'banner banner-connection is-lost';
    const seconds = el('span', { id: 'reconnect-seconds' }, '');
    const tick = () => {
      const left = info.retryAt ? Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000)) : 0;
      seconds.textContent = info.state === 'connecting' ? 'Reconnecting now…' : `Reconnecting in ${left} s…`;
    };
    tick();
    setChildren(connection, el('strong', {}, 'The connection to the server was lost; training is stopped.'), ' ', seconds, ' ',
      el('button', { type: 'button', class: 'secondary small', onclick: () => actions.reconnectNow() }, 'Reconnect now'));
    connection.hidden = false;
    countdown = setInterval(tick, 500);
  }

  /** What the server said when the socket (re)opened: the session resumed, or it is gone and the page starts anew. */
  function session(welcome, info) {
    if (info.resuming && !welcome.resumed) {
      lostSession = true;
      connection.className = 'banner banner-connection is-reset';
      const what = info.reconnected ? 'The server restarted' : 'The server no longer had this page\'s network (it restarted or the session expired)';
      setChildren(connection,
        el('div', { class: 'banner-text', id: 'reset-text' },
          el('strong', {}, `${what}, so the network was reset.`), ' ',
          'Its settings came back from this page (data set, layers, learning rate…); training starts again at epoch 0 — the trained weights are lost.'),
        closeButton('reset-dismiss', () => { lostSession = false; connection.hidden = true; }));
      connection.hidden = false;
    } else if (info.reconnected && welcome.resumed) {
      lostSession = false;
      connection.className = 'banner banner-connection is-ok';
      setChildren(connection, el('strong', {}, 'Reconnected.'), ' Training continues where it was.');
      connection.hidden = false;
      const shown = connectionInfo;
      setTimeout(() => { if (connectionInfo === shown && !lostSession) connection.hidden = true; }, 2500);
    }
  }

  function showDivergence() {
    const f = latest.frame;
    const d = f && (f.divergence || (f.state === 'diverged' ? {} : null));
    const lr = state.get('learning_rate');
    if (d) {
      const key = JSON.stringify(d);
      if (!episode || episode.key !== key || episode.recovered) episode = { key, d, rate: lr, dismissed: false, recovered: false };
    } else if (episode) {
      // healthy again (a divergence after this is a new one): the episode ends once it trains past the divergence
      // at a lower rate
      episode.recovered = true;
      const past = Number.isFinite(episode.d.epoch) ? episode.d.epoch : 0;
      if (lr < episode.rate && f && f.state === 'playing' && f.counters.epoch > past) episode = null;
    }
    if (!episode || episode.dismissed) {
      divergence.hidden = true;
      shownEpisode = '';
      return;
    }
    const healthy = !d;
    const lowered = lr < episode.rate;
    const shown = JSON.stringify([episode.key, healthy, lr]);
    if (shown === shownEpisode && !divergence.hidden) return;
    shownEpisode = shown;
    const e = episode.d;
    const where = Number.isFinite(e.epoch) ? ` at epoch ${count(e.epoch)}${Number.isFinite(e.iteration) ? ` (iteration ${count(e.iteration)})` : ''}` : '';
    const done = [];
    if (healthy) done.push('✓ Stepped back: the weights are as they were just before it diverged.');
    if (lowered) done.push(`✓ The learning rate is now ${lr} (it was ${episode.rate}).`);
    let next;
    if (!healthy) next = 'Step back to the last good weights, lower the learning rate, or both.';
    else if (!lowered) next = `Lower the learning rate before you play again: at ${episode.rate} it will diverge again.`;
    else next = `Press play: this note goes once training passes epoch ${count(Number.isFinite(e.epoch) ? e.epoch : 0)} without diverging.`;
    const next10 = lower(lr);
    setChildren(divergence,
      el('div', { class: 'banner-text' },
        el('strong', {}, `Training stopped${where}: ${HEADLINES[e.kind] || HEADLINES.nonfinite}`), ' ',
        el('span', {}, e.reason ? sentence(e.reason) : 'The loss or a weight became infinite or NaN.'), ' ',
        el('span', { class: 'banner-advice' }, `A learning rate of ${episode.rate} makes each step overshoot the minimum by more than it gains. ${sentence(e.advice)}`),
        done.length ? el('div', { class: 'banner-done', id: 'divergence-done' }, done.join(' ')) : null,
        el('div', { id: 'divergence-next' }, next)),
      el('div', { class: 'banner-actions' },
        el('button', { type: 'button', class: 'secondary', id: 'step-back', onclick: () => actions.control('step_back') }, 'Step back'),
        el('button', { type: 'button', class: 'primary', id: 'lower-lr', onclick: () => state.set({ learning_rate: next10 }) },
          `Lower the learning rate to ${next10}`),
        closeButton('divergence-dismiss', () => { episode.dismissed = true; showDivergence(); })));
    divergence.hidden = false;
  }

  function showStuck() {
    const f = latest.frame;
    const d = f && f.state !== 'diverged' ? f.diagnosis : null;
    const key = d ? JSON.stringify([d.dead, d.narrow]) : '';
    if (!d || key === stuckDismissed) {
      stuck.hidden = true;
      shownStuck = '';
      return;
    }
    const shown = `${key}|${d.stalled_epochs}`;
    if (shown === shownStuck && !stuck.hidden) return;
    shownStuck = shown;
    setChildren(stuck,
      el('div', { class: 'banner-text' },
        el('strong', {}, `The network has not improved for ${count(d.stalled_epochs)} epochs`
          + `${d.loss === null || d.loss === undefined ? '' : ` (training loss ${fmt(d.loss)})`}: it cannot move.`),
        el('ul', { id: 'stuck-reasons' }, stuckReasons(d).map((line) => el('li', {}, line)))),
      closeButton('stuck-dismiss', () => { stuckDismissed = key; showStuck(); }));
    stuck.hidden = false;
  }

  function notify(message, kind = 'error', seconds = null) {
    const note = el('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      el('span', {}, message),
      el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
    notices.append(note);
    while (notices.children.length > 3) notices.firstChild.remove();
    setTimeout(() => note.remove(), 1000 * (seconds || (kind === 'error' ? 7 : 3.5)));
  }

  return {
    notify,
    session,
    /** Settings of the page's link that could not be used, said once in words (state.js readUrl, checkUrl). */
    linkProblems(problems) {
      if (problems.length) notify(`This link's settings were not all usable: ${problems.join('. ')}.`, 'error', 15);
    },
    connection(stateName, info) {
      connectionInfo = { state: stateName, ...info };
      showConnection();
    },
    update(flags) {
      if (flags.has('frame') || flags.has('status') || flags.has('state')) {
        showDivergence();
        showStuck();
      }
    },
  };
}
