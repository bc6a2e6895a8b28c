// The student's class page (/class): the class socket, the seat (join form, then the playground on the session the
// class gives this student), the class bar, following the teacher to another page, and the notice when the class
// is over. The playground itself is static/js/playground/main.js, which waits for the seat (view_query.js).

import { openClassSocket, GOING_AWAY, REMOVED } from './class_socket.js';
import { createSeat, dropSeat } from './seat.js';
import { createClassBar } from './class_bar.js';
import { createEndNotice } from './end_notice.js';
import { followSendTo } from './send_to.js';

const ENDED_AFTER = 3;          // failed reconnections before the page says the class has ended

const bar = createClassBar();
const end = createEndNotice();
const seat = createSeat({ send: (message) => socket.send(message) });
let classState = null;

function onMessage(msg) {
  switch (msg.type) {
    case 'seat':
      seat.onSeat(msg);
      bar.seat(msg);
      if (classState) followSendTo(classState.path);
      break;
    case 'class_state':
      classState = msg;
      bar.classState(msg);
      if (seat.seated()) followSendTo(msg.path);
      break;
    case 'progress':
      bar.progress(msg);
      break;
    case 'removed':
      leave(msg.message);
      break;
    case 'error':
      seat.onError(msg);
      break;
    default:
      break;
  }
}

function leave(message) {
  dropSeat();
  end.show('removed', message, { label: 'Join again', run: () => location.reload() });
}

const tryAgain = { label: 'Try again now', run: () => socket.restart() };

function onState(name, info) {
  bar.connection(name);
  if (name === 'open') end.hide('ended');
  if (name === 'lost' && (info.code === GOING_AWAY || info.attempt >= ENDED_AFTER)) end.show('ended', null, tryAgain);
  if (name !== 'final') return;
  if (info.code === REMOVED) {
    if (end.shown() !== 'removed') leave(info.reason);
  } else if (seat.hasSeat()) {
    // the class does not know this seat (it restarted): join again
    seat.forget('The class no longer knows your seat (the teacher\'s nnplayground restarted). Join again:');
    socket.restart();
  } else {
    end.show('unknown', info.reason, tryAgain);
  }
}

const socket = openClassSocket({ query: seat.query, onMessage, onState });
