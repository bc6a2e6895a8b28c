// The lesson index (/lessons): every lesson grouped by concept, with its title, one-line summary, a link that opens
// it, and how much of it this browser has done (record.js). A projector toggle enlarges the text.

import { LESSONS, lessonUrl } from './catalog.js';
import { doneTasks, lessonDone } from './record.js';
import { pageUrl } from '../shared/join.js';
import { el } from '../shared/dom.js';

const PAGE_NAMES = { '/': 'Playground', '/gradient-descent': 'Gradient descent page', '/perceptron': 'Perceptron page' };

function status(lesson) {
  if (lessonDone(lesson)) return el('span', { class: 'lesson-status is-done' }, '✓ Done');
  const n = lesson.tasks.filter((task) => doneTasks(lesson.id).has(task.id)).length;
  return el('span', { class: 'lesson-status' }, n ? `${n} of ${lesson.tasks.length} tasks done` : `${lesson.tasks.length} tasks`);
}

function render() {
  const groups = new Map();
  LESSONS.forEach((lesson, i) => {
    if (!groups.has(lesson.group)) groups.set(lesson.group, []);
    groups.get(lesson.group).push([lesson, i]);
  });
  const host = document.getElementById('lesson-groups');
  host.replaceChildren(...[...groups].map(([group, items]) => el('section', { class: 'lesson-group' },
    el('h2', { class: 'lesson-group-title' }, group),
    el('ul', { class: 'lesson-cards' }, items.map(([lesson, i]) => el('li', {
      class: `lesson-card${lessonDone(lesson) ? ' is-done' : ''}`, 'data-lesson': lesson.id },
    el('span', { class: 'lesson-number', 'aria-hidden': 'true' }, String(i + 1)),
    el('div', { class: 'lesson-card-body' },
      el('a', { class: 'lesson-link', href: lessonUrl(lesson) }, lesson.title),
      el('p', { class: 'lesson-summary' }, lesson.summary),
      el('p', { class: 'lesson-meta' }, status(lesson), ` · ${PAGE_NAMES[lesson.page] || lesson.page}`))))))));
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
