// The only module that touches the WebSocket: connect, resume, reconnect with backoff, and decode the
// binary frames described in docs/protocol.md (the playground's /ws and the optimizer race's /ws/race). Everything it receives is handed to the callbacks given to it.
// A class page opens the playground protocol on /ws/class/view with the credential the class gave it instead
// (docs/classroom.md); the class's own socket, /ws/class, is static/js/classroom/class_socket.js.

import { SPEC } from '/spec.js';

// The binary frames' layout is the server's (SPEC.frame, server/protocol.py): each header a list of fields
// { name, type, offset }, all little-endian.
const BYTES = { 'ascii[4]': 4, u32: 4, u16: 2, f32: 4 };
const READ = {
  u32: (view, at) => view.getUint32(at, true), u16: (view, at) => view.getUint16(at, true), f32: (view, at) => view.getFloat32(at, true),
};

/** A header layout: its length in bytes, and read(view, at) → { field name: number } of its numeric fields. */
function layout(fields) {
  const last = fields[fields.length - 1];
  const numeric = fields.filter((f) => f.type in READ);
  return {
    bytes: last.offset + BYTES[last.type],
    read: (view, at) => Object.fromEntries(numeric.map((f) => [f.name, READ[f.type](view, at + f.offset)])),
  };
}

const FRAME = layout(SPEC.frame.header);
const BLOCK = layout(SPEC.frame.block_header);
const MAP = layout(SPEC.frame.map_header);
const codes = (text) => [...text].map((c) => c.charCodeAt(0));
const MAGIC = codes(SPEC.frame.magic);
const RACE_MAGIC = codes(SPEC.frame.race_magic);

// What differs between the playground's socket and the optimizer race's (docs/protocol.md).
export const KINDS = {
  session: { path: '/ws', tokenKey: 'nnp.resume-token', frameType: 'frame', decode: (data, msg) => decodeFrame(data, presentBlocks(msg.maps)) },
  race: { path: '/ws/race', tokenKey: 'nnp.race-token', frameType: 'race_frame', decode: (data) => decodeRaceFrame(data) },
};

/** Read one map block at byte `at`: its header (count, size), then per map its header (lo, hi) and u8[size²]. */
function readBlock(view, bytes, at) {
  const { count, size } = BLOCK.read(view, at);
  at += BLOCK.bytes;
  const maps = [];
  for (let k = 0; k < count; k++) {
    const { lo, hi } = MAP.read(view, at);
    at += MAP.bytes;
    maps.push({ lo, hi, q: bytes.subarray(at, at + size * size) });
    at += size * size;
  }
  if (at > bytes.length) throw new Error('frame shorter than its maps');
  return { block: { size, maps }, at };
}

function header(buffer, magic) {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  if (buffer.byteLength < FRAME.bytes || magic.some((b, i) => bytes[i] !== b)) {
    throw new Error(`not an ${String.fromCharCode(...magic)} frame`);
  }
  return { view, bytes, ...FRAME.read(view, 0) };
}

/**
 * Decode one binary frame: its header (magic, seq, P), f32[P] params, then the map blocks named in `present`, in
 * the server's block order (SPEC.frame.block_order).
 * Returns { seq, params: Float32Array, blocks: { name: { size, maps: [{ lo, hi, q: Uint8Array }] } } }.
 */
export function decodeFrame(buffer, present) {
  const { view, bytes, seq, count } = header(buffer, MAGIC);
  let at = FRAME.bytes;
  if (at + 4 * count > buffer.byteLength) throw new Error('frame shorter than its parameter count');
  // copy: the parameter block need not be 4-byte aligned relative to the buffer in general
  const params = new Float32Array(count);
  for (let i = 0; i < count; i++) params[i] = view.getFloat32(at + 4 * i, true);
  at += 4 * count;
  const blocks = {};
  for (const name of SPEC.frame.block_order) {
    if (!present.has(name)) continue;
    if (at + BLOCK.bytes > buffer.byteLength) break;
    const read = readBlock(view, bytes, at);
    blocks[name] = read.block;
    at = read.at;
  }
  return { seq, params, blocks };
}

/**
 * Decode one race frame: its header (race magic, seq, L), then L blocks (each lane's output maps, in lane order).
 * Returns { seq, lanes: [{ size, maps: [{ lo, hi, q }] }] }.
 */
export function decodeRaceFrame(buffer) {
  const { view, bytes, seq, count } = header(buffer, RACE_MAGIC);
  const lanes = [];
  let at = FRAME.bytes;
  for (let k = 0; k < count; k++) {
    const read = readBlock(view, bytes, at);
    lanes.push(read.block);
    at = read.at;
  }
  return { seq, lanes };
}

/** Names of the blocks a `frame` message announces; `maps` may be a list of names or an object keyed by name. */
function presentBlocks(maps) {
  if (!maps) return new Set();
  if (Array.isArray(maps)) return new Set(maps.map((m) => (typeof m === 'string' ? m : m && m.name)));
  return new Set(Object.keys(maps).filter((k) => maps[k]));
}

/** The socket's address on this page's host; `token` (if any) asks the server to resume that session. */
function socketUrl(path, token) {
  return socketAddress(token ? `${path}?resume=${encodeURIComponent(token)}` : path);
}

/** `pathAndQuery` ('/ws/class?seat=…') as a WebSocket address on this page's host. */
export function socketAddress(pathAndQuery) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${pathAndQuery}`;
}

/** Milliseconds before reconnection attempt `attempt` (1, 2, …): doubling from 400 ms up to 8 s, ±20 % jitter. */
export function retryDelay(attempt) {
  return Math.min(8000, 400 * 2 ** Math.min(attempt - 1, 5)) * (0.8 + 0.4 * Math.random());
}

// Close codes of a class's view socket (docs/classroom.md): 4000 the class moved on (reconnect at once); 4003 the
// student was removed and 4004 the seat or key is unknown (the class ended): both final.
const MOVED = 4000;
export const FINAL = new Set([4003, 4004]);

/** A JSON text message as an object with a string `type`, or null when it is not one. */
export function parseMessage(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch (err) {
    return null;
  }
  return msg && typeof msg.type === 'string' ? msg : null;
}

/** Decode the binary half of a frame pair and hand both to onFrame (an error message when it cannot be read). */
function deliverFrame(handlers, decode, frame, data) {
  let decoded;
  try {
    decoded = decode(data, frame);
  } catch (err) {
    handlers.onMessage({ type: 'error', code: 'internal', message: `A picture frame could not be read: ${err.message}` });
    return;
  }
  if (decoded.seq !== frame.seq) return;
  handlers.onFrame(frame, decoded);
}

/**
 * Open the session socket (`kind` 'session') or a race's socket (`kind` 'race').
 * `explicit` { path, query } opens `path?query` instead (a class's view: '/ws/class/view', 'resume=SEAT'), keeps no
 * token in sessionStorage, reconnects at once after close code 4000 and stops after 4003 or 4004 with
 * onConnection('closed', { final: true, code, reason }).
 * handlers: onMessage(msg) for every JSON message except the frame message (`frame` or `race_frame`);
 * onFrame(frameMsg, decoded) for each frame pair; onConnection(state, info) with state 'connecting' | 'open' | 'closed'
 * ('open' info: `reconnected` — the page had been connected before; `resuming` — it asked to resume a session, so
 * a welcome with `resumed: false` means the server no longer has it, e.g. after a restart).
 */
export function openSocket(handlers, kind = 'session', explicit = null) {
  const { path, tokenKey, frameType, decode } = KINDS[kind];
  let ws = null;
  let attempt = 0;
  let timer = null;
  let pendingFrame = null;
  let closedByPage = false;
  let everOpened = false;
  let moved = false;            // the last close was 4000: the next open is a new view, not a reconnection
  let token = explicit ? null : sessionStorage.getItem(tokenKey);
  const address = () => (explicit ? socketAddress(`${explicit.path}?${explicit.query}`) : socketUrl(path, token));

  function connect() {
    clearTimeout(timer);
    timer = null;
    handlers.onConnection('connecting', { attempt });
    try {
      ws = new WebSocket(address());
    } catch (err) {
      schedule();
      return;
    }
    ws.binaryType = 'arraybuffer';
    const resuming = !explicit && Boolean(token);   // a class view's credential is not a session that may be gone
    let wasOpen = false;
    ws.onopen = () => {
      wasOpen = true;
      attempt = 0;
      handlers.onConnection('open', { reconnected: everOpened && !moved, resuming, moved });
      everOpened = true;
      moved = false;
    };
    ws.onmessage = (event) => receive(event.data);
    ws.onclose = (event) => {
      ws = null;
      pendingFrame = null;
      if (closedByPage) return;
      const final = explicit && FINAL.has(event.code);
      moved = Boolean(explicit) && event.code === MOVED && wasOpen;     // the class moved on: reconnect at once
      if (final) handlers.onConnection('closed', { final, code: event.code, reason: event.reason });
      else if (moved) connect();
      else schedule();
    };
    ws.onerror = () => {
      /* the close event follows and schedules the reconnect */
    };
  }

  function schedule() {
    attempt += 1;
    const delay = retryDelay(attempt);
    handlers.onConnection('closed', { attempt, retryAt: Date.now() + delay });
    timer = setTimeout(connect, delay);
  }

  function receive(data) {
    if (typeof data !== 'string') {
      const frame = pendingFrame;
      pendingFrame = null;
      if (frame) deliverFrame(handlers, decode, frame, data);
      return;
    }
    const msg = parseMessage(data);
    if (!msg) return;
    if (msg.type === 'welcome' && typeof msg.token === 'string') {
      token = msg.token;
      if (!explicit) sessionStorage.setItem(tokenKey, token);
    }
    if (msg.type === frameType) {
      pendingFrame = msg;
      return;
    }
    handlers.onMessage(msg);
  }

  connect();

  return {
    /** Send one message; returns false when the socket is not open (the caller's state is re-sent on resume). */
    send(message) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    token: () => token,
    reconnectNow() {
      if (ws) return;
      attempt = 0;
      connect();
    },
    close() {
      closedByPage = true;
      clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}
