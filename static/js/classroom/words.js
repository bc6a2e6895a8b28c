// The class in words, the same on every class page: the phases as the teacher picks them and as a student lives
// them, a challenge in one sentence, a network's shape and how long ago a student did something.

import { label } from '../shared/choices.js';
import { fmt } from '../shared/dom.js';

/** The phases (docs/classroom.md), in the order the teacher's buttons show them. */
export const PHASES = [
  { phase: 'follow', button: 'Follow', note: 'everyone watches your network', student: 'Following the teacher',
    studentNote: 'You see the teacher\'s network live; the controls are the teacher\'s.' },
  { phase: 'explore', button: 'Explore', note: 'each student trains their own copy', student: 'Exploring on your own copy',
    studentNote: 'This network is yours: change anything and train it.' },
  { phase: 'eyes', button: 'Eyes on me', note: 'students\' screens pause and lock', student: 'Eyes on the teacher',
    studentNote: 'Your network is paused. Look up: the teacher is explaining something.' },
];

export const phaseInfo = (phase) => PHASES.find((p) => p.phase === phase) || PHASES[0];

/** A challenge's target as people read it: a loss as it is, an accuracy (a fraction) in per cent. */
export function targetText(challenge) {
  return challenge.metric === 'test_accuracy'
    ? `test accuracy of at least ${fmt(challenge.target * 100, 4)} %`
    : `test loss below ${fmt(challenge.target, 4)}`;
}

/** The challenge's limits, each a short phrase (none: an empty list). */
export function limitsText(challenge) {
  const out = [];
  if (challenge.max_neurons !== null && challenge.max_neurons !== undefined) {
    out.push(`at most ${challenge.max_neurons} hidden neuron${challenge.max_neurons === 1 ? '' : 's'}`);
  }
  if (challenge.max_epochs !== null && challenge.max_epochs !== undefined) out.push(`within ${fmt(challenge.max_epochs, 9)} epochs`);
  if (challenge.plain_inputs) out.push('only x₁ and x₂ as inputs');
  return out;
}

/** "Spiral: test loss below 0.1, at most 8 hidden neurons" */
export function challengeText(challenge) {
  if (!challenge) return '';
  return [`${label(challenge.dataset)}: ${targetText(challenge)}`, ...limitsText(challenge)].join(', ');
}

/** Layer sizes as the network is drawn: [2, 8, 8, 1] → "2 – 8 – 8 – 1" (`joiner` '–' for a tight table). */
export function shapeText(shape, joiner = ' – ') {
  return Array.isArray(shape) && shape.length ? shape.join(joiner) : '–';
}

/** How long ago, in a few words: "now", "12 s ago", "3 min ago", "1 h ago". */
export function agoText(seconds) {
  if (!Number.isFinite(seconds) || seconds < 5) return 'now';
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
