// How the optimizer race names and colours its lanes, so the setup, the chart, the maps and the winner agree.
// Lane colours are not the class colours (orange/blue) of the maps; each lane also has its own dash pattern on
// the chart, so the curves stay apart without colour.

export const LANE_COLORS = ['#0f766e', '#b42318', '#6d28d9', '#8a6d00'];
export const LANE_DASHES = [[], [7, 4], [2, 3], [9, 3, 2, 3]];
export const LANE_LETTERS = ['A', 'B', 'C', 'D'];

export const SHORT = { sgd: 'Gradient descent', momentum: 'Momentum', adagrad: 'Adagrad', rmsprop: 'RMSprop', adam: 'Adam' };
const EXTRAS = [['momentum', 'μ'], ['beta1', 'β₁'], ['beta2', 'β₂'], ['rho', 'ρ'], ['epsilon', 'ε'], ['batch_size', 'batch']];
// which optional settings each optimizer reads (the others would change nothing)
export const OPTIMIZER_SETTINGS = {
  sgd: [], momentum: ['momentum'], adagrad: ['epsilon'], rmsprop: ['rho', 'epsilon'], adam: ['beta1', 'beta2', 'epsilon'],
};

/** "Adam · rate 0.01 · β₁ 0.8" for a lane's settings {optimizer, learning_rate, …}; `shown` lists the extra
 * settings worth naming (those the person set). */
export function laneSummary(lane, shown = []) {
  const parts = [SHORT[lane.optimizer] || lane.optimizer, `rate ${lane.learning_rate}`];
  for (const [key, symbol] of EXTRAS) if (shown.includes(key) && lane[key] !== undefined) parts.push(`${symbol} ${lane[key]}`);
  return parts.join(' · ');
}

/** "B · Adam · rate 0.01" — lane k's summary after its letter (the label the legend and the winner use). */
export function laneLabel(lane, k, shown = []) {
  return `${LANE_LETTERS[k]} · ${laneSummary(lane, shown)}`;
}

/** The settings a lane sets beyond optimizer and learning rate (as the page asked for them). */
export function setExtras(lane) {
  return EXTRAS.map(([key]) => key).filter((key) => lane[key] !== undefined && lane[key] !== null);
}
