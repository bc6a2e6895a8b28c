// The class's own socket, /ws/class (docs/classroom.md): JSON messages only — class_state, seat, progress, teacher,
// dashboard, removed — and the student's or teacher's commands. It connects with the query the page gives it
// (`key=KEY` the teacher, `seat=SEAT` a student coming back, '' a student about to join), reconnects with backoff
// when the connection drops, and stops for good on 4003 (removed) and 4004 (unknown seat or key: the class
// ended). The playground's view of the class is another socket, opened by static/js/shared/socket.js.

import { FINAL, parseMessage, retryDelay, socketAddress } from '../shared/socket.js';

export const REMOVED = 4003;
export const UNKNOWN = 4004;
export const GOING_AWAY = 1001;     // the server stops (uvicorn's shutdown)

/**
 * Open /ws/class. `query()` gives the query (without '?') for each connection, so a student who joined comes back
 * with their seat. onMessage(msg) for every message; onState(name, info) with name 'connecting' ({ attempt }),
 * 'open' ({ reconnected }), 'lost' ({ code, reason, attempt, retryAt }) or 'final' ({ code, reason }).
 */
export function openClassSocket({ query, onMessage, onState }) {
  let ws = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;
  let everOpened = false;

  function connect() {
    clearTimeout(timer);
    timer = null;
    stopped = false;
    onState('connecting', { attempt });
    const q = query();
    let sock;
    try {
      sock = new WebSocket(socketAddress(`/ws/class${q ? `?${q}` : ''}`));
    } catch (err) {
      schedule({ code: 0, reason: '' });
      return;
    }
    ws = sock;
    // every handler first checks that this is still the page's socket (restart() replaces it)
    sock.onopen = () => {
      if (ws !== sock) return;
      attempt = 0;
      onState('open', { reconnected: everOpened });
      everOpened = true;
    };
    sock.onmessage = (event) => {
      const msg = ws === sock && typeof event.data === 'string' ? parseMessage(event.data) : null;
      if (msg) onMessage(msg);
    };
    sock.onclose = (event) => {
      if (ws !== sock) return;
      ws = null;
      if (stopped) return;
      if (FINAL.has(event.code)) {                  // removed, or the seat or key is unknown
        stopped = true;
        onState('final', { code: event.code, reason: event.reason });
        return;
      }
      schedule({ code: event.code, reason: event.reason });
    };
    sock.onerror = () => { /* the close event follows */ };
  }

  function schedule(why) {
    attempt += 1;
    const delay = retryDelay(attempt);
    onState('lost', { ...why, attempt, retryAt: Date.now() + delay });
    timer = setTimeout(connect, delay);
  }

  connect();

  return {
    /** Send one message; false when the socket is not open. */
    send(message) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    isOpen: () => Boolean(ws && ws.readyState === WebSocket.OPEN),
    /** Connect again now, with a fresh query (after a final close too). */
    restart() {
      const old = ws;
      ws = null;
      if (old) old.close();
      attempt = 0;
      everOpened = false;
      connect();
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}
