// The first screen, as in TensorFlow Playground: the network diagram and the output map take the height left
// between the bars above them and the bottom of the window, so the data, the network with its loss chart and the
// map are seen together without scrolling; everything else follows below. Canvases are drawn at data resolution
// and scaled by CSS, so fitting is two CSS sizes on the page: --net-h (the diagram) and --map-size (the map's side).

const MARGIN = 14;      // kept free under the first screen's panels
const NET_MIN = 220;    // a shorter diagram is unreadable: the chart goes below the fold instead
const NET_MAX = 620;    // a taller one only spreads the same nodes apart
const MAP_MIN = 180;

export function createFit({ actions }) {
  const root = document.documentElement;
  const network = document.getElementById('network');
  const chart = document.getElementById('chart');
  const heatmap = document.getElementById('heatmap');
  let sizes = '';
  let queued = false;

  /** The height from a node's top to the bottom of the first screen, in CSS pixels. */
  const room = (top) => window.innerHeight - MARGIN - (top + window.scrollY);
  const shown = (node) => node && node.getClientRects().length > 0;

  function fit() {
    queued = false;
    const net = network.getBoundingClientRect();
    // under the diagram, on the first screen: the loss chart (unless a lesson hides it)
    const under = shown(chart) ? chart.getBoundingClientRect().bottom - net.bottom : 0;
    const netH = Math.round(Math.min(NET_MAX, Math.max(NET_MIN, room(net.top) - under)));
    let mapSize = null;
    const frame = heatmap.querySelector('.map-frame');
    if (shown(frame)) {
      // under the map: its x ticks (the frame's bottom padding), the gap and the legend
      const stack = frame.querySelector('.map-stack').getBoundingClientRect();
      const legend = heatmap.querySelector('.legend');
      const gap = parseFloat(getComputedStyle(heatmap).rowGap) || 0;
      const ticks = parseFloat(getComputedStyle(frame).paddingBottom) || 0;
      const below = ticks + (shown(legend) ? gap + legend.getBoundingClientRect().height : 0);
      mapSize = Math.round(Math.max(MAP_MIN, room(stack.top) - below));
    }
    const key = `${netH}|${mapSize}`;
    if (key === sizes) return;
    sizes = key;
    root.style.setProperty('--net-h', `${netH}px`);
    if (mapSize === null) root.style.removeProperty('--map-size');
    else root.style.setProperty('--map-size', `${mapSize}px`);
    actions.redraw('layout');
  }

  function later() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(fit);
  }

  // the bars and panels above the diagram and the map change height as text wraps, settings appear and banners come
  const watch = new ResizeObserver(later);
  for (const selector of ['.topbar', '#hyper', '#banners', '#metrics', '.net-head', '#chart', '#map-title']) {
    const node = document.querySelector(selector);
    if (node) watch.observe(node);
  }

  return {
    update(flags) {
      if (flags.has('layout') || flags.has('data') || flags.has('config') || flags.has('state')) later();
    },
  };
}
