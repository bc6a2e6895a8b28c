// The dashboard's challenge form: a data set (the server's, SPEC.choices.datasets), the metric (test loss, or test
// accuracy typed in per cent), the target, and optional limits (hidden neurons in all, epochs, only x₁ and x₂ as
// inputs). "Set the challenge" sends it (docs/classroom.md `challenge`), "Clear" removes it; a refusal is shown
// beside the form.

import { SPEC } from '/spec.js';
import { el, setChildren, setText } from '../shared/dom.js';
import { label } from '../shared/choices.js';
import { challengeText } from './words.js';

// what the target field starts at for each metric (accuracy in per cent); the teacher changes it
const STARTING_TARGET = { test_loss: '0.1', test_accuracy: '95' };

function datasetOptions(select) {
  const tasks = [...new Set(Object.values(SPEC.choices.datasets))];
  setChildren(select, tasks.map((task) => el('optgroup', { label: label(task) },
    Object.keys(SPEC.choices.datasets).filter((name) => SPEC.choices.datasets[name] === task)
      .map((name) => el('option', { value: name }, label(name))))));
}

/** An optional whole number field: null when empty, NaN when it is not a whole number above 0. */
function optionalCount(input) {
  const text = input.value.trim();
  if (!text) return null;
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : NaN;
}

export function createChallengeForm({ send }) {
  const $ = (id) => document.getElementById(id);
  const form = $('challenge-form');
  const dataset = $('ch-dataset');
  const metric = $('ch-metric');
  const target = $('ch-target');
  const error = $('ch-error');
  let pending = false;

  datasetOptions(dataset);
  dataset.value = Object.keys(SPEC.choices.datasets).includes('spiral') ? 'spiral' : dataset.value;
  target.value = STARTING_TARGET[metric.value];

  function say(text) {
    setText(error, text || '');
    error.hidden = !text;
  }

  function metricChanged(previous) {
    const regression = SPEC.choices.datasets[dataset.value] === 'regression';
    metric.querySelector('option[value="test_accuracy"]').disabled = regression;
    if (regression && metric.value === 'test_accuracy') metric.value = 'test_loss';
    if (previous && previous !== metric.value && target.value === STARTING_TARGET[previous]) target.value = STARTING_TARGET[metric.value];
    setText($('ch-target-unit'), metric.value === 'test_accuracy' ? '%' : '');
    setText($('ch-target-caption'), metric.value === 'test_accuracy' ? 'at least' : 'below');
  }

  let lastMetric = metric.value;
  metric.addEventListener('change', () => { metricChanged(lastMetric); lastMetric = metric.value; });
  dataset.addEventListener('change', () => { metricChanged(lastMetric); lastMetric = metric.value; });
  metricChanged(null);

  /** The challenge the form describes, or a sentence saying what is wrong with it. */
  function read() {
    const value = Number(target.value);
    const accuracy = metric.value === 'test_accuracy';
    if (!target.value.trim() || !Number.isFinite(value) || value <= 0) return 'The target must be a number above 0.';
    if (accuracy && value > 100) return 'An accuracy target is at most 100 %.';
    const challenge = {
      dataset: dataset.value, metric: metric.value, target: accuracy ? value / 100 : value,
      max_neurons: optionalCount($('ch-neurons')), max_epochs: optionalCount($('ch-epochs')), plain_inputs: $('ch-plain').checked,
    };
    if (Number.isNaN(challenge.max_neurons) || Number.isNaN(challenge.max_epochs)) return 'Limits are whole numbers above 0 (or empty: no limit).';
    return challenge;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const challenge = read();
    if (typeof challenge === 'string') {
      say(challenge);
      return;
    }
    say('');
    pending = send({ type: 'challenge', challenge });
  });
  $('ch-clear').addEventListener('click', () => {
    say('');
    pending = send({ type: 'challenge', challenge: null });
  });

  /** Show a challenge in the form (the one the class has, after a reload or another tab set it). */
  function fill(challenge) {
    const accuracy = challenge.metric === 'test_accuracy';
    dataset.value = challenge.dataset;
    metric.value = challenge.metric;
    metricChanged(null);
    lastMetric = metric.value;
    target.value = String(accuracy ? Number((challenge.target * 100).toPrecision(6)) : challenge.target);
    $('ch-neurons').value = challenge.max_neurons ?? '';
    $('ch-epochs').value = challenge.max_epochs ?? '';
    $('ch-plain').checked = Boolean(challenge.plain_inputs);
  }

  let seen = '';
  return {
    classState(msg) {
      const key = JSON.stringify(msg.challenge);
      if (key !== seen && msg.challenge) fill(msg.challenge);
      seen = key;
      pending = false;
      const now = $('ch-current');
      setText(now, msg.challenge ? challengeText(msg.challenge) : 'No challenge set.');
      now.classList.toggle('is-set', Boolean(msg.challenge));
      $('ch-clear').disabled = !msg.challenge;
    },
    /** A refusal: true when it answered the form (shown there). */
    onError(msg) {
      if (!pending && !(msg.field && msg.field.startsWith('challenge'))) return false;
      pending = false;
      say(msg.message || 'The server refused this challenge.');
      return true;
    },
  };
}
