// The projector (/class/projector?key=KEY): what the dashboard chose to show (class_state.shown) — the teacher's
// network, or one to four students side by side, each a live read-only frame of /class/watch — with each
// student's name above their frame, or "Student 1…" when names are anonymised. It follows the class live: a
// frame that stays on the projector is kept (not reloaded) when others come and go.

import { el, setText } from '../shared/dom.js';
import { joinToken } from '../shared/join.js';
import { openClassSocket, UNKNOWN, GOING_AWAY } from './class_socket.js';
import { createEndNotice } from './end_notice.js';
import { challengeText } from './words.js';

const key = document.getElementById('class-page').dataset.classKey;
const stage = document.getElementById('projector-stage');
const end = createEndNotice();
const frames = new Map();        // member id ('' for the teacher's network) → { root, caption, frame }
let shown = [];
let anonymise = false;
let names = new Map();

/** The address of a watch page: a student's network, or the teacher's (member ''). */
function watchUrl(member) {
  const params = new URLSearchParams({ key });
  if (member) params.set('member', member);
  const token = joinToken();
  if (token) params.set('join', token);
  return `/class/watch?${params}`;
}

function captionOf(member, i) {
  if (!member) return 'The teacher\'s network';
  if (anonymise) return `Student ${i + 1}`;
  return names.get(member) || '…';
}

function frameFor(member) {
  if (!frames.has(member)) {
    const caption = el('figcaption', { class: 'projector-caption' }, '');
    const frame = el('iframe', { class: 'projector-frame', src: watchUrl(member), title: 'A network, live' });
    frames.set(member, { root: el('figure', { class: 'projector-cell' }, caption, frame), caption, frame });
  }
  return frames.get(member);
}

function render() {
  const members = shown.length ? shown : [''];
  for (const [member, f] of frames) {
    if (!members.includes(member)) {
      f.root.remove();
      frames.delete(member);
    }
  }
  members.forEach((member, i) => {
    const f = frameFor(member);
    setText(f.caption, captionOf(member, i));
    f.frame.title = captionOf(member, i);
    if (stage.children[i] !== f.root) stage.insertBefore(f.root, stage.children[i] || null);
  });
  stage.dataset.count = String(members.length);
}

function onMessage(msg) {
  if (msg.type === 'teacher') {
    setText(document.getElementById('projector-link'), msg.student_link);
  } else if (msg.type === 'class_state') {
    shown = Array.isArray(msg.shown) ? msg.shown : [];
    anonymise = Boolean(msg.anonymise);
    const challenge = document.getElementById('projector-challenge');
    challenge.hidden = !msg.challenge;
    setText(challenge, msg.challenge ? `Challenge · ${challengeText(msg.challenge)}` : '');
    render();
  } else if (msg.type === 'dashboard') {
    const next = new Map(msg.students.map((s) => [s.member, s.name]));
    const changed = shown.some((m) => next.get(m) !== names.get(m));
    names = next;
    if (changed) render();
  }
}

const tryAgain = { label: 'Try again now', run: () => socket.restart() };

function onState(name, info) {
  if (name === 'open') end.hide();
  if (name === 'lost' && info.code === GOING_AWAY) end.show('stopped', null, tryAgain);
  if (name === 'final') end.show(info.code === UNKNOWN ? 'key' : 'stopped', info.reason, tryAgain);
}

const socket = openClassSocket({ query: () => new URLSearchParams({ key }).toString(), onMessage, onState });
