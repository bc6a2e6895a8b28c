// A student's seat in the class: the join form (a name, "Join" or "Pick a name for me"), the seat kept in
// sessionStorage ('nnp.class-seat') so that a reload comes back to the same seat and name, and — once the class
// has seated the student — the view query that lets the playground connect (view_query.js).
// The form is templates/class_student.html's #class-join; refusals (name_taken, class_full, a name the class
// cannot take) are shown beside it.

import { provideViewQuery } from './view_query.js';

const SEAT_KEY = 'nnp.class-seat';
const FORM_CODES = new Set(['name_taken', 'class_full', 'invalid_message']);

export function createSeat({ send }) {
  const overlay = document.getElementById('class-join');
  const form = document.getElementById('join-form');
  const input = document.getElementById('join-name');
  const error = document.getElementById('join-error');
  const note = document.getElementById('join-note');
  const waiting = document.getElementById('join-waiting');
  const buttons = [document.getElementById('join-submit'), document.getElementById('join-random')];
  let seat = sessionStorage.getItem(SEAT_KEY);
  let provided = null;            // the seat the playground's view socket opened with
  let seated = null;              // the `seat` message: { seat, member, name }
  let asking = false;             // a join was sent and not answered yet

  function busy(on) {
    asking = on;
    for (const b of buttons) b.disabled = on;
  }

  function say(node, text) {
    node.textContent = text || '';
    node.hidden = !text;
  }

  function showForm(why) {
    overlay.hidden = false;
    form.hidden = false;
    waiting.hidden = true;
    say(note, why);
    busy(false);
    input.focus();
  }

  function join(name) {
    say(error, '');
    if (name !== null && !name.trim()) {
      say(error, 'Type your name, or let the class pick one for you.');
      input.focus();
      return;
    }
    busy(true);
    if (!send({ type: 'join', name })) {
      busy(false);
      say(error, 'Not connected to the class yet: try again in a moment.');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    join(input.value);
  });
  document.getElementById('join-random').addEventListener('click', () => join(null));
  if (!seat) showForm('');

  return {
    /** The class socket's query: the seat to come back to, or nothing (about to join). */
    query: () => (seat ? new URLSearchParams({ seat }).toString() : ''),
    seated: () => seated,
    hasSeat: () => Boolean(seat),
    /** The class seated this student (a join, or a seat it recognised). */
    onSeat(msg) {
      seated = msg;
      seat = msg.seat;
      sessionStorage.setItem(SEAT_KEY, seat);
      busy(false);
      overlay.hidden = true;
      if (provided === null) {
        provided = seat;
        provideViewQuery({ resume: seat });
      } else if (provided !== seat) {
        location.reload();        // a new seat after the class restarted: the playground connects again with it
      }
    },
    /** An `error` from the class: true when it was the answer to a join (shown beside the form). */
    onError(msg) {
      if (!asking && !FORM_CODES.has(msg.code)) return false;
      if (overlay.hidden) return false;
      busy(false);
      const text = msg.message || 'the class did not take that name';
      say(error, `${text[0].toUpperCase()}${text.slice(1)}.`);
      input.focus();
      return true;
    },
    /** The class does not know the stored seat (4004): forget it and ask for a name again. */
    forget(why) {
      sessionStorage.removeItem(SEAT_KEY);
      seat = null;
      seated = null;
      showForm(why);
    },
  };
}

/** Leave the class on purpose (after being removed): the next visit asks for a name. */
export function dropSeat() {
  sessionStorage.removeItem(SEAT_KEY);
}
