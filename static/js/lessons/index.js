// The lesson index (/lessons): every lesson grouped by concept, with its title, one-line summary, a link that opens
// it, and how much of it this browser has done (record.js). A projector toggle enlarges the text.

import { LESSONS, lessonUrl } from './catalog.js';
import { doneTasks, lessonDone } from './record.js';
import { pageUrl } from '../join.js';

const PAGE_NAMES = { '/': 'Playground', '/gradient-descent': 'Gradient descent page', '/perceptron': 'Perceptron page' };

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function status(lesson) {
  if (lessonDone(lesson)) return h('span', { class: 'lesson-status is-done' }, '✓ Done');
  const n = lesson.tasks.filter((task) => doneTasks(lesson.id).has(task.id)).length;
  return h('span', { class: 'lesson-status' }, n ? `${n} of ${lesson.tasks.length} tasks done` : `${lesson.tasks.length} tasks`);
}

function render() {
  const groups = new Map();
  LESSONS.forEach((lesson, i) => {
    if (!groups.has(lesson.group)) groups.set(lesson.group, []);
    groups.get(lesson.group).push([lesson, i]);
  });
  const host = document.getElementById('lesson-groups');
  host.replaceChildren(...[...groups].map(([group, items]) => h('section', { class: 'lesson-group' },
    h('h2', { class: 'lesson-group-title' }, group),
    h('ul', { class: 'lesson-cards' }, items.map(([lesson, i]) => h('li', {
      class: `lesson-card${lessonDone(lesson) ? ' is-done' : ''}`, 'data-lesson': lesson.id },
    h('span', { class: 'lesson-number', 'aria-hidden': 'true' }, String(i + 1)),
    h('div', { class: 'lesson-card-body' },
      h('a', { class: 'lesson-link', href: lessonUrl(lesson) }, lesson.title),
      h('p', { class: 'lesson-summary' }, lesson.summary),
      h('p', { class: 'lesson-meta' }, status(lesson), ` · ${PAGE_NAMES[lesson.page] || lesson.page}`))))))));
  const finished = LESSONS.filter(lessonDone).length;
  document.getElementById('lesson-progress').textContent = `${finished} of ${LESSONS.length} lessons done.`;
}

function projector(on) {
  document.body.classList.toggle('projector', on);
  const button = document.getElementById('projector-toggle');
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
  const params = new URLSearchParams(location.search);
  if (on) params.set('projector', '1'); else params.delete('projector');
  history.replaceState(null, '', pageUrl(params.toString()));
}

document.getElementById('projector-toggle').addEventListener('click', () => projector(!document.body.classList.contains('projector')));
projector(new URLSearchParams(location.search).get('projector') === '1');
render();
// coming back from a lesson in another tab shows the new ticks
window.addEventListener('storage', render);
window.addEventListener('pageshow', render);
