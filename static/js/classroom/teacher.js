// The teacher's dashboard (/class/teacher?key=KEY): the class socket with the teacher key, and the views it feeds —
// the class controls (dashboard.js), the gallery of students (gallery.js), the challenge form (challenge_form.js)
// and its ranking (ranking.js). A reload keeps the class: everything shown comes back from the server.

import { openClassSocket, UNKNOWN, GOING_AWAY } from './class_socket.js';
import { createDashboard } from './dashboard.js';
import { createGallery } from './gallery.js';
import { createChallengeForm } from './challenge_form.js';
import { createRanking } from './ranking.js';
import { createEndNotice } from './end_notice.js';
import { notify } from './notice.js';
import { wireLargeText } from './large_text.js';
import { setText } from '../shared/dom.js';

const key = document.getElementById('class-page').dataset.classKey;
const connection = document.getElementById('class-connection');

function send(message) {
  if (socket.send(message)) return true;
  notify('Not connected to the class right now: try again in a moment.');
  return false;
}

const gallery = createGallery({ send });
const dashboard = createDashboard({ send, nameOf: gallery.nameOf });
const challenge = createChallengeForm({ send });
const ranking = createRanking();
const end = createEndNotice();
wireLargeText();

function onMessage(msg) {
  switch (msg.type) {
    case 'teacher':
      dashboard.teacher(msg);
      break;
    case 'class_state':
      dashboard.classState(msg);
      gallery.classState(msg);
      challenge.classState(msg);
      ranking.classState(msg);
      break;
    case 'dashboard':
      gallery.students(msg.students);
      dashboard.names();
      ranking.results(msg.results);
      break;
    case 'error':
      if (!challenge.onError(msg)) notify(msg.message || 'The server refused that.');
      break;
    default:
      break;
  }
}

const tryAgain = { label: 'Try again now', run: () => socket.restart() };

function onState(name, info) {
  document.body.classList.toggle('class-offline', name === 'lost');
  setText(connection, name === 'lost' ? 'The connection to the class was lost: reconnecting…' : '');
  connection.hidden = name !== 'lost';
  if (name === 'open') end.hide();
  if (name === 'lost' && info.code === GOING_AWAY) end.show('stopped', null, tryAgain);
  if (name === 'final') end.show(info.code === UNKNOWN ? 'key' : 'stopped', info.reason, tryAgain);
}

const socket = openClassSocket({ query: () => new URLSearchParams({ key }).toString(), onMessage, onState });
