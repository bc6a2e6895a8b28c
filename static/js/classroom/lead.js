// The teacher's own network (/class/lead?key=KEY): the playground on the teacher's session — the one the class
// follows — with a bar that says so, the phase buttons and how many students have joined. The playground
// (static/js/playground/main.js) connects once this module gives it the key (view_query.js).

import { openClassSocket, UNKNOWN, GOING_AWAY } from './class_socket.js';
import { provideViewQuery } from './view_query.js';
import { createPhaseButtons } from './phase_buttons.js';
import { createEndNotice } from './end_notice.js';
import { notify } from './notice.js';
import { setText } from '../shared/dom.js';

const key = document.getElementById('class-page').dataset.classKey;
provideViewQuery({ resume: key });

const end = createEndNotice();
const phases = createPhaseButtons(document.getElementById('lead-phases'), (message) => socket.send(message)
  || (notify('Not connected to the class right now: try again in a moment.'), false));
const tryAgain = { label: 'Try again now', run: () => socket.restart() };

function onMessage(msg) {
  if (msg.type === 'class_state') {
    phases.update(msg.phase);
    document.body.dataset.phase = msg.phase;
    setText(document.getElementById('lead-count'), `${msg.students} student${msg.students === 1 ? '' : 's'}`);
    const following = msg.phase === 'follow';
    setText(document.getElementById('lead-note'), following ? 'The class sees this network live.'
      : 'The class does not see this network now: it follows it again when you press Follow.');
  } else if (msg.type === 'error') {
    notify(msg.message || 'The server refused that.');
  }
}

function onState(name, info) {
  if (name === 'open') end.hide();
  if (name === 'lost' && info.code === GOING_AWAY) end.show('stopped', null, tryAgain);
  if (name === 'final') end.show(info.code === UNKNOWN ? 'key' : 'stopped', info.reason, tryAgain);
}

const socket = openClassSocket({ query: () => new URLSearchParams({ key }).toString(), onMessage, onState });
