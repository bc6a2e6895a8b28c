// How the optimizer race names and colours its lanes, so the setup, the chart, the maps and the winner agree.
// Lane colours are not the class colours (orange/blue) of the maps; each lane also has its own dash pattern on
// the chart, so the curves stay apart without colour.

import { SPEC } from '/spec.js';
import { label, optimizerSettings } from '../shared/choices.js';

export const LANE_COLORS = ['#0f766e', '#b42318', '#6d28d9', '#8a6d00'];
export const LANE_DASHES = [[], [7, 4], [2, 3], [9, 3, 2, 3]];
export const LANE_LETTERS = ['A', 'B', 'C', 'D'];

// a lane's settings by their maths symbols (SPEC.labels.symbols); the batch size has none, so a word
const SYMBOLS = { ...SPEC.labels.symbols, batch_size: 'batch' };

/** The settings a lane of `optimizer` may set beyond its learning rate: those its update reads (the others would
 * change nothing), then the batch size. */
export function laneSettings(optimizer) {
  return [...optimizerSettings(optimizer), 'batch_size'];
}

/** "Adam · rate 0.01 · β₁ 0.8" for a lane's settings {optimizer, learning_rate, …}; `shown` lists the extra
 * settings worth naming (those the person set). */
export function laneSummary(lane, shown = []) {
  const parts = [label(lane.optimizer), `rate ${lane.learning_rate}`];
  for (const key of laneSettings(lane.optimizer)) if (shown.includes(key) && lane[key] !== undefined) parts.push(`${SYMBOLS[key]} ${lane[key]}`);
  return parts.join(' · ');
}

/** "B · Adam · rate 0.01" — lane k's summary after its letter (the label the legend and the winner use). */
export function laneLabel(lane, k, shown = []) {
  return `${LANE_LETTERS[k]} · ${laneSummary(lane, shown)}`;
}

/** The settings a lane sets beyond optimizer and learning rate (as the page asked for them). */
export function setExtras(lane) {
  return laneSettings(lane.optimizer).filter((key) => lane[key] !== undefined && lane[key] !== null);
}
