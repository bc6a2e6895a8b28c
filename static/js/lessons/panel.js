// The lesson panel: on any page whose URL has lesson=<id>, a column beside the page with the lesson's text, its
// tasks and their checks (a ✓ and a "well done, because…" line when done), links to the previous and next lesson
// and to the index, and a button that closes the lesson and keeps the page as it is. Checks read the page's facts
// (progress.js); done tasks are remembered (record.js).

import { onFacts } from '../progress.js';
import { PROPS } from '../state.js';
import { LESSONS, lessonById, lessonUrl } from './catalog.js';
import { doneTasks, markDone } from './record.js';

// Settings a playground lesson holds fixed even when it does not name them (their defaults otherwise).
const HELD = ['task', 'dataset', 'features', 'hidden', 'activation', 'optimizer', 'learning_rate', 'batch_size',
  'regularization', 'reg_rate', 'dropout', 'noise', 'n_points', 'train_ratio'];
const DEFAULTS = Object.fromEntries(PROPS.filter((p) => HELD.includes(p.key)).map((p) => [p.key, p.def]));

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

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

function mount(lesson) {
  const index = LESSONS.indexOf(lesson);
  const prev = LESSONS[index - 1];
  const next = LESSONS[index + 1];
  const done = doneTasks(lesson.id);
  const onPlayground = lesson.page === '/';
  const everyAllowed = [...new Set(lesson.tasks.flatMap((t) => t.allowed))];

  document.head.append(h('link', { rel: 'stylesheet', href: '/static/css/lessons.css' }));
  document.body.classList.add('has-lesson');
  const dataColumn = ['data', 'digit-views', 'csv-report'];     // what lives in the playground's data column
  if (onPlayground && !lesson.show.some((name) => dataColumn.includes(name))) document.body.classList.add('lesson-no-data');

  const rows = lesson.tasks.map((task) => {
    const mark = h('span', { class: 'task-mark', 'aria-hidden': 'true' }, '');
    const state = h('span', { class: 'visually-hidden' }, '');
    const well = h('p', { class: 'task-done' }, task.done);
    const row = h('li', { class: 'lesson-task', 'data-task': task.id }, mark,
      h('div', { class: 'task-body' }, h('p', { class: 'task-text' }, state, task.text), well));
    return { task, row, mark, state, well, memo: {} };
  });
  const complete = h('p', { class: 'lesson-complete', id: 'lesson-complete', role: 'status' }, '');
  const offTrack = h('p', { class: 'lesson-offtrack', id: 'lesson-offtrack', hidden: true });
  const link = (target, text, rel) => (target
    ? h('a', { href: lessonUrl(target), rel, class: `lesson-${rel}`, title: target.title }, text)
    : h('span', { class: `lesson-${rel} is-none`, 'aria-hidden': 'true' }, ''));
  const panel = h('aside', { class: 'lesson-panel', id: 'lesson-panel', 'aria-labelledby': 'lesson-title', 'data-lesson': lesson.id },
    h('div', { class: 'lesson-head' },
      h('span', { class: 'lesson-kicker' }, `Lesson ${index + 1} of ${LESSONS.length} · ${lesson.group}`),
      h('button', { type: 'button', class: 'lesson-close', id: 'lesson-close', title: 'Close the lesson and keep playing',
        'aria-label': 'Close the lesson and keep playing', onclick: () => location.assign(withoutLesson()) }, '×')),
    h('h2', { class: 'lesson-title', id: 'lesson-title' }, lesson.title),
    h('div', { class: 'lesson-text' }, lesson.text.map((p) => h('p', {}, p))),
    h('h3', { class: 'lesson-try' }, 'Try this'),
    h('ol', { class: 'lesson-tasks' }, rows.map((r) => r.row)),
    offTrack,
    complete,
    h('nav', { class: 'lesson-nav', 'aria-label': 'Lessons' },
      link(prev, '← Previous', 'prev'),
      h('a', { href: '/lessons', class: 'lesson-all' }, 'All lessons'),
      link(next, 'Next →', 'next')));
  // on a short screen the tasks and the way on can sit below the panel's fold: a cue says so and scrolls there
  const more = h('button', { type: 'button', class: 'lesson-more', id: 'lesson-more', hidden: true,
    onclick: () => panel.scrollBy({ top: panel.clientHeight * 0.7, behavior: 'smooth' }) }, 'More below ↓');
  panel.append(more);
  document.body.append(panel);
  const cue = () => {
    const below = panel.scrollHeight - panel.clientHeight - panel.scrollTop > 4;
    if (more.hidden === below) more.hidden = !below;
  };
  panel.addEventListener('scroll', cue, { passive: true });
  new ResizeObserver(cue).observe(panel);

  // the panel sits below the page's top bar
  const header = document.querySelector('header');
  const place = () => panel.style.setProperty('--lesson-top', `${header ? Math.round(header.getBoundingClientRect().bottom) : 0}px`);
  place();
  if (header) new ResizeObserver(place).observe(header);

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
          h('a', { href: lessonUrl(lesson) }, 'Start the lesson again'));
      }
    }
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
    if (changed) show();
  });
  show();
}

const id = new URLSearchParams(location.search).get('lesson');
const lesson = id ? lessonById(id) : null;
if (lesson) mount(lesson);
