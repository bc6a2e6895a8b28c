// The dashboard's live gallery: one card per student, from the `dashboard` messages (2.5 a second) — the name
// (text only: students type it), a small output map, test loss and accuracy, epoch, network shape, data set and
// when they were last active. Sortable by joining order, test loss or name. Clicking a card puts the student on
// the projector or takes them off (class_state.shown, at most MAX_SHOWN); each card can send its network to
// everyone or remove the student (both asked first).

import { el, setChildren, setText, fmt, count } from '../shared/dom.js';
import { label } from '../shared/choices.js';
import { paintThumbnail } from './thumbnail.js';
import { shapeText, agoText } from './words.js';
import { notify } from './notice.js';

// the projector's room (server/classroom/messages.py MAX_SHOWN; the server refuses more)
export const MAX_SHOWN = 4;

const SORTS = {
  joined: () => 0,
  loss: (a, b) => (a.test_loss ?? Infinity) - (b.test_loss ?? Infinity),
  name: (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
};

const STATES = { playing: 'training', paused: 'paused', diverged: 'diverged' };

function stat(caption, value) {
  return el('div', { class: 'card-stat' }, el('span', { class: 'card-stat-caption' }, caption), value);
}

/** A card's elements: built once per student, updated in place. */
function buildCard(member, actions) {
  const name = el('span', { class: 'card-name' }, '');
  const canvas = el('canvas', { class: 'card-map', width: 2, height: 2, role: 'img', 'aria-label': 'What this network answers over the plane' });
  const empty = el('span', { class: 'card-map-empty' }, 'No network yet');
  const out = {
    name, canvas, empty,
    badge: el('span', { class: 'card-badge', hidden: true }, ''),
    dot: el('span', { class: 'card-dot', 'aria-hidden': 'true' }),
    ago: el('span', { class: 'card-ago' }, ''),
    loss: el('output', { class: 'card-value card-loss' }, '–'),
    accuracy: el('output', { class: 'card-value' }, '–'),
    epoch: el('output', { class: 'card-value' }, '–'),
    shape: el('span', { class: 'card-shape' }, ''),
    run: el('span', { class: 'card-run' }, ''),
    q: null,
  };
  out.show = el('button', { type: 'button', class: 'card-show', 'aria-pressed': 'false', onclick: () => actions.toggle(member) },
    el('span', { class: 'card-head' }, out.dot, name, out.ago),
    el('span', { class: 'card-map-box' }, canvas, empty, out.badge),
    el('span', { class: 'card-stats' }, stat('Test loss', out.loss), stat('Accuracy', out.accuracy), stat('Epoch', out.epoch)),
    el('span', { class: 'card-foot' }, out.shape, out.run));
  out.root = el('article', { class: 'student-card', dataset: { member } },
    out.show,
    el('div', { class: 'card-actions' },
      el('button', { type: 'button', class: 'secondary small', onclick: () => actions.copyToAll(member) }, 'Send to everyone'),
      el('button', { type: 'button', class: 'ghost card-remove', onclick: () => actions.remove(member) }, 'Remove')));
  return out;
}

function fillCard(card, s, shownAt) {
  setText(card.name, s.name);
  card.name.title = s.name;
  setText(card.ago, s.active ? agoText(s.idle_seconds) : 'offline');
  card.root.classList.toggle('is-offline', !s.active);
  card.root.classList.toggle('is-idle', s.active && s.idle_seconds >= 60);
  setText(card.loss, fmt(s.test_loss));
  setText(card.accuracy, s.test_accuracy === null || s.test_accuracy === undefined ? '–' : `${fmt(100 * s.test_accuracy, 3)} %`);
  setText(card.epoch, s.epoch === null || s.epoch === undefined ? '–' : count(s.epoch));
  setText(card.shape, [shapeText(s.shape), s.dataset ? label(s.dataset) : ''].filter(Boolean).join(' · '));
  setText(card.run, STATES[s.state] || '');
  card.run.dataset.state = s.state || '';
  const q = s.map ? s.map.q : null;
  if (q !== card.q) {
    card.q = q;
    const painted = paintThumbnail(card.canvas, s.map);
    card.canvas.hidden = !painted;
    card.empty.hidden = painted;
    if (!painted) setText(card.empty, s.state ? 'No map: the data is not a plane' : 'No network yet');
  }
  card.show.setAttribute('aria-pressed', shownAt >= 0 ? 'true' : 'false');
  card.root.classList.toggle('is-shown', shownAt >= 0);
  card.badge.hidden = shownAt < 0;
  setText(card.badge, shownAt >= 0 ? `On the projector · ${shownAt + 1}` : '');
}

export function createGallery({ send }) {
  const host = document.getElementById('gallery');
  const sort = document.getElementById('gallery-sort');
  const empty = document.getElementById('gallery-empty');
  const cards = new Map();
  let students = [];
  let shown = [];
  let order = '';

  const nameOf = (member) => (students.find((s) => s.member === member) || { name: 'this student' }).name;
  const actions = {
    toggle(member) {
      const next = shown.includes(member) ? shown.filter((m) => m !== member) : [...shown, member];
      if (next.length > MAX_SHOWN) {
        notify(`The projector shows at most ${MAX_SHOWN} students: click one that is on it to take it off first.`, 'info');
        return;
      }
      send({ type: 'show', members: next });
    },
    copyToAll(member) {
      if (confirm(`Send ${nameOf(member)}'s network to every student? Their own networks are replaced and the class goes to Explore.`)) {
        send({ type: 'copy_to_all', member });
      }
    },
    remove(member) {
      if (confirm(`Remove ${nameOf(member)} from the class? Their page closes and their network is lost.`)) send({ type: 'remove', member });
    },
  };

  function render() {
    const sorted = students.slice().sort(SORTS[sort.value] || SORTS.joined);
    for (const s of sorted) {
      if (!cards.has(s.member)) cards.set(s.member, buildCard(s.member, actions));
      fillCard(cards.get(s.member), s, shown.indexOf(s.member));
    }
    for (const [member, card] of cards) {
      if (!sorted.some((s) => s.member === member)) {
        card.root.remove();
        cards.delete(member);
      }
    }
    const key = sorted.map((s) => s.member).join(',');
    if (key !== order) {
      order = key;
      setChildren(host, sorted.map((s) => cards.get(s.member).root));
    }
    empty.hidden = sorted.length > 0;
  }

  sort.addEventListener('change', render);

  return {
    students(list) {
      students = Array.isArray(list) ? list : [];
      render();
    },
    classState(msg) {
      shown = Array.isArray(msg.shown) ? msg.shown : [];
      render();
    },
    nameOf,
  };
}
