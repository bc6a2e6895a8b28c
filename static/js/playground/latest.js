// What the page last heard from the server: welcome, accepted config, data, the newest frame and its maps,
// and the loss history. Views read it; only main.js writes it (from socket callbacks).

const HISTORY_CAP = 4000;

export class Latest {
  constructor() {
    this.welcome = null;     // welcome message
    this.config = null;      // engine config the server accepted
    this.network = null;     // { sizes, activations, n_params }
    this.data = null;        // data message
    this.frame = null;       // newest frame message (JSON part)
    this.params = null;      // Float32Array, engine layout
    this.maps = {};          // output, units, focus: newest blocks; inputs: kept until replaced
    this.history = [];       // [{ epoch, iteration, train_loss, test_loss }]
    this.connection = 'connecting';
    this.focusUnit = null;   // the unit whose map the output view enlarges (index among non-input units)
    this.focusFeature = null; // or the input feature (x1, x1sq, …) whose map it enlarges
    this.pinned = null;      // [x1, x2] of the point followed through the network, or null
    this.inspection = null;  // the newest inspection message
    this.warp = null;        // the newest warp message (only while the warped view is subscribed)
    this.mistakes = null;    // the newest mistakes message (only while the mistakes view is subscribed)
    this.expected = {};        // settings sent to a new session and not yet confirmed by a config message
  }

  setFrame(frame, decoded) {
    this.frame = frame;
    this.params = decoded.params;
    const blocks = decoded.blocks;
    this.maps.output = blocks.output || null;
    this.maps.units = blocks.units || null;
    this.maps.focus = blocks.focus || null;
    if (blocks.inputs) this.maps.inputs = blocks.inputs;
    if (Array.isArray(frame.history) && frame.history.length) this.addHistory(frame.history);
  }

  addHistory(rows) {
    for (const row of rows) {
      if (!row || typeof row.iteration !== 'number') continue;
      // a step back or a fresh start sends a row at or before the last one: drop the rows it undid
      while (this.history.length && this.history[this.history.length - 1].iteration >= row.iteration) this.history.pop();
      this.history.push(row);
    }
    if (this.history.length > HISTORY_CAP) this.history = this.history.filter((_, i) => i % 2 === 0 || i === this.history.length - 1);
  }

  /** Layer sizes (n0, …, nL) and activations after the input, from the server's network description. */
  get sizes() {
    return this.network ? this.network.sizes : null;
  }

  get isPlane() {
    return !this.data || this.data.is_plane !== false;
  }

  /** Offset of layer l's weights W (n_in × n_out, row-major) and bias b (n_out) in the flat parameter vector. */
  paramOffsets() {
    const sizes = this.sizes;
    if (!sizes) return [];
    const out = [];
    let at = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      out.push({ w: at, b: at + nIn * nOut, nIn, nOut });
      at += nIn * nOut + nOut;
    }
    return out;
  }
}
