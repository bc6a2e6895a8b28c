// Geometry of the network diagram, shared by the feature column and the diagram so both put the input
// layer in the same place. Pure arithmetic: sizes in, positions out.

import { SPEC } from '/spec.js';
import { FEATURE_NAMES } from './feature_maps.js';

const HEAD = 70;        // room above the columns for each layer's controls
const LABEL = 56;       // room left of the input column for feature names
const RIGHT = 34;       // room right of the output column

/**
 * Positions of every node.
 * width, height: the diagram's box in CSS pixels.
 * inputRows: how many rows the input column has (7 features on the plane, else the number of input units).
 * inputRowOf: for input unit i, its row in the input column.
 * sizes: (n0, n1, …, nL) units per layer.
 * Returns { node, inputNode, columns: [[{x, y}] per unit] per layer, inputRowsXY: [{x, y}] per input row, head }.
 * A long input column (64 pixels of a digit) gets its own tighter pitch so the other layers keep their size.
 */
export function diagramLayout({ width, height, inputRows, inputRowOf, sizes, large = false }) {
  const layers = sizes.length;
  const mainRows = Math.max(1, Math.min(inputRows, 10), ...sizes.slice(1));
  const usable = Math.max(80, height - HEAD - 14);
  const pitch = Math.min(large ? 84 : 66, usable / mainRows);
  const node = Math.max(6, Math.min(large ? 60 : 46, Math.floor(pitch * 0.74)));
  const inputPitch = Math.min(pitch, usable / Math.max(1, inputRows));
  const inputNode = Math.max(4, Math.min(node, Math.floor(inputPitch * 0.74)));
  const x0 = LABEL + node / 2;
  const x1 = Math.max(x0 + 60, width - RIGHT - node / 2);
  const xs = [];
  for (let l = 0; l < layers; l++) xs.push(layers === 1 ? x0 : x0 + ((x1 - x0) * l) / (layers - 1));
  const span = (count, p) => Math.max(0, count - 1) * p;
  const top = HEAD + node / 2;
  const inputRowsXY = [];
  const inputTop = top;
  for (let r = 0; r < inputRows; r++) inputRowsXY.push({ x: xs[0], y: inputTop + r * inputPitch });
  const columns = [Array.from({ length: sizes[0] }, (_, i) => inputRowsXY[inputRowOf(i)] || inputRowsXY[0])];
  for (let l = 1; l < layers; l++) {
    const n = sizes[l];
    const start = top;
    columns.push(Array.from({ length: n }, (_, i) => ({ x: xs[l], y: start + i * pitch })));
  }
  return { node, inputNode, pitch, xs, columns, inputRowsXY, head: HEAD };
}

/** A smooth link from the right edge of one node (size na) to the left edge of the next (size nb). */
export function linkPath(a, b, na, nb) {
  const ax = a.x + na / 2;
  const bx = b.x - nb / 2;
  const mx = (ax + bx) / 2;
  const f = (v) => v.toFixed(1);
  return `M${f(ax)},${f(a.y)}C${f(mx)},${f(a.y)} ${f(mx)},${f(b.y)} ${f(bx)},${f(b.y)}`;
}

/** The diagram layout for what the server last described (network sizes, features, plane or not). */
export function layoutFor(latest, width, height, large = false) {
  const sizes = latest.sizes;
  if (!sizes) return null;
  const plane = latest.isPlane;
  const features = (latest.config && latest.config.features) || SPEC.defaults.features;
  const inputRows = plane ? FEATURE_NAMES.length : sizes[0];
  const inputRowOf = plane ? (i) => Math.max(0, FEATURE_NAMES.indexOf(features[i])) : (i) => i;
  return { plane, features, ...diagramLayout({ width, height, inputRows, inputRowOf, sizes, large }) };
}
