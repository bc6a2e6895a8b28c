// The lesson panel: on any page whose URL has lesson=<id>, a column beside the page with the lesson's text, its
// tasks and their checks (a ✓ and a "well done, because…" line when done), links to the previous and next lesson
// and to the index, and a button that closes the lesson and keeps the page as it is. Checks read the page's facts
// (progress.js); done tasks are remembered (record.js).

import { onFacts } from '../shared/progress.js';
import { PROPS } from '../shared/state.js';
import { el } from '../shared/dom.js';
import { LESSONS, lessonById, lessonUrl } from './catalog.js';
import { doneTasks, markDone } from './record.js';

// Settings a playground lesson holds fixed even when it does not name them (their defaults otherwise).
const HELD = ['task', 'dataset', 'features', 'hidden', 'activation', 'optimizer', 'learning_rate', 'batch_size',
  'regularization', 'reg_rate', 'dropout', 'noise', 'n_points', 'train_ratio'];
const DEFAULTS = Object.fromEntries(PROPS.filter((p) => HELD.includes(p.key)).map((p) => [p.key, p.def]));

function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  if (typeof b === 'boolean') return Boolean(a) === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The lesson settings the server's config no longer has (ignoring `allowed`), as a list of names. */
export function drifted(lesson, settings, allowed) {
  const wanted = { ...DEFAULTS, ...lesson.config };
  return Object.keys(wanted).filter((key) => key in settings && !allowed.includes(key) && !same(settings[key], wanted[key]));
}

/** The current URL without the lesson (and its hidden controls): the page as it is, to keep playing. */
function withoutLesson() {
  const params = new URLSearchParams(location.search);
  params.delete('lesson');
  params.delete('hide');
  const query = params.toString().replace(/%2C/g, ',');
  return `${location.pathname}${query ? `?${query}` : ''}`;
}

/** One task's list item, with the parts that change when it is done. */
function taskRow(task) {
  const mark = el('span', { class: 'task-mark', 'aria-hidden': 'true' }, '');
  const state = el('span', { class: 'visually-hidden' }, '');
  const well = el('p', { class: 'task-done' }, task.done);
  const row = el('li', { class: 'lesson-task', 'data-task': task.id }, mark,
    el('div', { class: 'task-body' }, el('p', { class: 'task-text' }, state, task.text), well));
  return { task, row, mark, state, well, memo: {} };
}

/** A link to the previous or next lesson (rel 'prev' or 'next'), an empty placeholder when there is none. */
function lessonLink(target, text, rel) {
  return target
    ? el('a', { href: lessonUrl(target), rel, class: `lesson-${rel}`, title: target.title }, text)
    : el('span', { class: `lesson-${rel} is-none`, 'aria-hidden': 'true' }, '');
}

function lessonPanel(lesson, index, rows, offTrack, complete) {
  return el('aside', { class: 'lesson-panel', id: 'lesson-panel', 'aria-labelledby': 'lesson-title', 'data-lesson': lesson.id },
    el('div', { class: 'lesson-head' },
      el('span', { class: 'lesson-kicker' }, `Lesson ${index + 1} of ${LESSONS.length} · ${lesson.group}`),
      el('button', { type: 'button', class: 'lesson-close', id: 'lesson-close', title: 'Close the lesson and keep playing',
        'aria-label': 'Close the lesson and keep playing', onclick: () => location.assign(withoutLesson()) }, '×')),
    el('h2', { class: 'lesson-title', id: 'lesson-title' }, lesson.title),
    el('div', { class: 'lesson-text' }, lesson.text.map((p) => el('p', {}, p))),
    el('h3', { class: 'lesson-try' }, 'Try this'),
    el('ol', { class: 'lesson-tasks' }, rows.map((r) => r.row)),
    offTrack,
    complete,
    el('nav', { class: 'lesson-nav', 'aria-label': 'Lessons' },
      lessonLink(LESSONS[index - 1], '← Previous', 'prev'),
      el('a', { href: '/lessons', class: 'lesson-all' }, 'All lessons'),
      lessonLink(LESSONS[index + 1], 'Next →', 'next')));
}

/**
 * On a short screen the tasks and the way on can sit below the panel's fold: a cue says so and scrolls there.
 * Returns the function that shows or hides the cue.
 */
function addMoreCue(panel) {
  const more = el('button', { type: 'button', class: 'lesson-more', id: 'lesson-more', hidden: true,
    onclick: () => panel.scrollBy({ top: panel.clientHeight * 0.7, behavior: 'smooth' }) }, 'More below ↓');
  panel.append(more);
  document.body.append(panel);
  const cue = () => {
    const below = panel.scrollHeight - panel.clientHeight - panel.scrollTop > 4;
    if (more.hidden === below) more.hidden = !below;
  };
  panel.addEventListener('scroll', cue, { passive: true });
  new ResizeObserver(cue).observe(panel);
  return cue;
}

/** The panel sits below the page's top bar. */
function placeBelowHeader(panel) {
  const header = document.querySelector('header');
  const place = () => panel.style.setProperty('--lesson-top', `${header ? Math.round(header.getBoundingClientRect().bottom) : 0}px`);
  place();
  if (header) new ResizeObserver(place).observe(header);
}

/** Run the checks of the tasks not yet done against `facts`; mark the ones that pass. True when any did. */
function checkTasks(lesson, rows, done, facts, run) {
  const onPlayground = lesson.page === '/';
  let changed = false;
  for (const r of rows) {
    if (done.has(r.task.id)) continue;
    if (onPlayground && drifted(lesson, facts.settings, r.task.allowed).length) continue;
    let ok = false;
    try {
      ok = r.task.check(facts, run, r.memo) === true;
    } catch {
      ok = false;                    // a fact the check needs is not there yet
    }
    if (ok) {
      done.add(r.task.id);
      markDone(lesson.id, r.task.id);
      changed = true;
    }
  }
  return changed;
}

/** Follow the page's facts: count the epochs trained, say when the setup left the lesson's, check the tasks. */
function followFacts(lesson, rows, done, offTrack, show) {
  const onPlayground = lesson.page === '/';
  const everyAllowed = [...new Set(lesson.tasks.flatMap((t) => t.allowed))];
  const run = { epochs: 0 };
  let lastEpoch = null;
  onFacts((facts) => {
    if (Number.isFinite(facts.epoch)) {
      if (lastEpoch !== null && facts.epoch > lastEpoch) run.epochs += facts.epoch - lastEpoch;
      lastEpoch = facts.epoch;
    }
    if (onPlayground) {
      if (!facts.settings) return;     // the server has not said which settings it runs yet
      const off = drifted(lesson, facts.settings, everyAllowed);
      offTrack.hidden = off.length === 0;
      if (off.length) {
        offTrack.replaceChildren(`This is no longer the lesson’s setup (${off.join(', ')} changed). `,
          el('a', { href: lessonUrl(lesson) }, 'Start the lesson again'));
      }
    }
    if (checkTasks(lesson, rows, done, facts, run)) show();
  });
}

function mount(lesson) {
  const index = LESSONS.indexOf(lesson);
  const next = LESSONS[index + 1];
  const done = doneTasks(lesson.id);

  document.head.append(el('link', { rel: 'stylesheet', href: '/static/css/lessons.css' }));
  document.body.classList.add('has-lesson');
  const dataColumn = ['data', 'digit-views', 'csv-report'];     // what lives in the playground's data column
  if (lesson.page === '/' && !lesson.show.some((name) => dataColumn.includes(name))) document.body.classList.add('lesson-no-data');

  const rows = lesson.tasks.map(taskRow);
  const complete = el('p', { class: 'lesson-complete', id: 'lesson-complete', role: 'status' }, '');
  const offTrack = el('p', { class: 'lesson-offtrack', id: 'lesson-offtrack', hidden: true });
  const panel = lessonPanel(lesson, index, rows, offTrack, complete);
  const cue = addMoreCue(panel);
  placeBelowHeader(panel);

  function show() {
    for (const r of rows) {
      const isDone = done.has(r.task.id);
      r.row.classList.toggle('is-done', isDone);
      r.mark.textContent = isDone ? '✓' : '';
      r.state.textContent = isDone ? 'Done: ' : '';
      r.well.hidden = !isDone;
    }
    const all = rows.every((r) => done.has(r.task.id));
    complete.textContent = all ? `✓ Lesson done.${next ? ' On to the next one when you are ready.' : ' That was the last lesson.'}` : '';
    panel.classList.toggle('is-complete', all);
    cue();
  }

  followFacts(lesson, rows, done, offTrack, show);
  show();
}

const id = new URLSearchParams(location.search).get('lesson');
const lesson = id ? lessonById(id) : null;
if (lesson) mount(lesson);
