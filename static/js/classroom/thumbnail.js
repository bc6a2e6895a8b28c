// A student's output map as the dashboard receives it (docs/classroom.md: `map` = { size, count, task, lo, hi, q },
// q the base64 of `count` maps of size² u8 codes, as in a frame) painted on a small canvas at data resolution;
// CSS scales it. Colours as on the playground: class colours, or orange … blue for one output.

import { MapCanvas, lutDiverging, paintClasses } from '../shared/colors.js';

/** The map block { size, maps: [{ lo, hi, q }] } of a dashboard thumbnail (null when it does not add up). */
export function decodeThumbnail(map) {
  const bytes = Uint8Array.from(atob(map.q), (c) => c.charCodeAt(0));
  const n = map.size * map.size;
  if (bytes.length < n * map.count) return null;
  const maps = [];
  for (let k = 0; k < map.count; k++) maps.push({ lo: map.lo[k], hi: map.hi[k], q: bytes.subarray(k * n, (k + 1) * n) });
  return { size: map.size, maps };
}

/** How one output's value becomes t in [−1, 1]: a probability (0…1) around ½, a regression by its largest size. */
function scaleOf(task, m) {
  if (task === 'regression') {
    const big = Math.max(Math.abs(m.lo), Math.abs(m.hi)) || 1;
    return (v) => v / big;
  }
  if (m.lo >= 0 && m.hi <= 1) return (v) => 2 * v - 1;
  return (v) => Math.max(-1, Math.min(1, v));
}

/** Paint `map` on `canvas` (a MapCanvas is kept on the canvas); false when there is nothing to paint. */
export function paintThumbnail(canvas, map) {
  const block = map ? decodeThumbnail(map) : null;
  if (!block || !block.maps.length) return false;
  if (!canvas.mapCanvas) canvas.mapCanvas = new MapCanvas(canvas);
  if (map.task === 'multiclass' || block.maps.length > 1) {
    paintClasses(canvas.mapCanvas, block, false);
  } else {
    const m = block.maps[0];
    canvas.mapCanvas.paint(m, block.size, lutDiverging(m, scaleOf(map.task, m), map.task === 'regression' ? 1 : 0.92));
  }
  return true;
}
