// Where the teacher sends the class (class_state.path, docs/classroom.md): a student's class page opens that page,
// once. The page it went to is remembered for the tab ('nnp.class-sent'), so a student who comes back to the class
// (the back button, the class link) is not sent away again until the teacher sends the class somewhere else;
// a null path (back to the class) forgets it. A lesson (`/lessons?lesson=ID`, or any page with lesson=ID) opens the
// lesson itself, on its own page with its settings (lessons/catalog.js lessonUrl).

import { lessonById, lessonUrl } from '../lessons/catalog.js';
import { joinToken } from '../shared/join.js';

const SENT_KEY = 'nnp.class-sent';

/** The address a destination opens, with the join token a LAN server needs. */
export function destinationUrl(path) {
  const url = new URL(path, location.origin);
  const lesson = lessonById(url.searchParams.get('lesson') || '');
  const out = lesson ? new URL(lessonUrl(lesson), location.origin) : url;
  const token = joinToken();
  if (token) out.searchParams.set('join', token);
  return `${out.pathname}${out.search}`;
}

/** A destination in words: the navigation bar's name of the page, or the lesson's title. */
export function destinationName(path) {
  if (!path) return 'the class';
  const url = new URL(path, location.origin);
  const lesson = lessonById(url.searchParams.get('lesson') || '');
  if (lesson) return `the lesson “${lesson.title}”`;
  const link = [...document.querySelectorAll('.site-nav a')].find((a) => a.getAttribute('href') === url.pathname);
  return link ? link.textContent.trim() : url.pathname;
}

/** Follow the class to `path` (null: stay, and forget where it went). */
export function followSendTo(path) {
  if (!path) {
    sessionStorage.removeItem(SENT_KEY);
    return;
  }
  if (sessionStorage.getItem(SENT_KEY) === path) return;
  sessionStorage.setItem(SENT_KEY, path);
  location.assign(destinationUrl(path));
}
