// The dashboard's class controls (templates/class_teacher.html): the phase buttons, the student link and how many
// have joined, "Send everyone to…" (the site's pages and every lesson, or back to the class), and the projector
// line — what it shows, "Anonymise names", the teacher's own network on the projector or sent to everyone.

import { el, setChildren, setText } from '../shared/dom.js';
import { LESSONS } from '../lessons/catalog.js';
import { createPhaseButtons } from './phase_buttons.js';
import { destinationName } from './send_to.js';

// the pages the class can be sent to, besides the lessons (their names are the navigation bar's)
const PAGES = ['/race', '/gradient-descent', '/perceptron'];

/** The "Send everyone to…" menu: back to the class (''), the pages, the lesson list and each lesson. */
function sendToOptions(select) {
  const pageName = (path) => {
    const link = [...document.querySelectorAll('.site-nav a')].find((a) => a.getAttribute('href') === path);
    return link ? link.textContent.trim() : path;
  };
  setChildren(select,
    el('option', { value: '' }, 'Back to the class'),
    el('optgroup', { label: 'Pages' }, PAGES.map((path) => el('option', { value: path }, pageName(path)))),
    el('optgroup', { label: 'Lessons' },
      el('option', { value: '/lessons' }, 'The list of lessons'),
      LESSONS.map((lesson, i) => el('option', { value: `/lessons?lesson=${lesson.id}` }, `${i + 1}. ${lesson.title}`))));
}

/** A link as text that breaks after its host's / and before ? & only (a break elsewhere reads as part of it). */
function breakable(link) {
  const at = link.includes('://') ? link.indexOf('://') + 3 : 0;
  const parts = link.slice(at).split(/(?<=\/)|(?=[?&])/);
  parts[0] = link.slice(0, at) + parts[0];
  return parts.flatMap((part) => [part, el('wbr')]);
}

export function createDashboard({ send, nameOf }) {
  const $ = (id) => document.getElementById(id);
  const phases = createPhaseButtons($('class-phases'), send);
  const select = $('send-to');
  const anonymise = $('anonymise');
  sendToOptions(select);
  let maxStudents = null;
  let students = 0;
  let shown = [];

  $('send-to-form').addEventListener('submit', (event) => {
    event.preventDefault();
    send({ type: 'send_to', path: select.value || null });
  });
  anonymise.addEventListener('change', () => send({ type: 'anonymise', on: anonymise.checked }));
  $('show-mine').addEventListener('click', () => send({ type: 'show', members: [] }));
  $('send-mine').addEventListener('click', () => {
    if (confirm('Send your network to every student? Their own networks are replaced and the class goes to Explore.')) {
      send({ type: 'copy_to_all', member: null });
    }
  });

  function showCount() {
    setText($('student-count'), String(students));
    setText($('student-max'), maxStudents ? `of ${maxStudents}` : '');
    setText($('student-word'), students === 1 ? 'student has joined' : 'students have joined');
  }

  function showProjector() {
    const names = shown.map((m) => nameOf(m));
    setText($('projector-now'), names.length ? names.join(', ') : 'your network');
    $('show-mine').disabled = !names.length;
  }

  return {
    teacher(msg) {
      setChildren($('student-link'), breakable(msg.student_link));
      maxStudents = msg.max_students;
      showCount();
    },
    classState(msg) {
      phases.update(msg.phase);
      document.body.dataset.phase = msg.phase;
      students = msg.students;
      showCount();
      shown = msg.shown || [];
      showProjector();
      anonymise.checked = Boolean(msg.anonymise);
      if ([...select.options].some((o) => o.value === (msg.path || ''))) select.value = msg.path || '';
      setText($('send-to-now'), msg.path ? `The class was sent to ${destinationName(msg.path)}.` : 'The class is on its class page.');
      $('send-to-now').classList.toggle('is-away', Boolean(msg.path));
    },
    /** New names arrived (a dashboard message): the projector line names who is on it. */
    names() {
      showProjector();
    },
  };
}
