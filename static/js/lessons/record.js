// Which lesson tasks a learner has done, remembered in this browser (localStorage) across pages and visits.
// Stored as { lessonId: [taskId, …] } under one key; a broken or missing entry reads as nothing done.

const KEY = 'nnp.lessons.done';

function read() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** The ids of the tasks of `lessonId` done so far. */
export function doneTasks(lessonId) {
  const list = read()[lessonId];
  return new Set(Array.isArray(list) ? list.filter((id) => typeof id === 'string') : []);
}

/** Remember that task `taskId` of `lessonId` is done. */
export function markDone(lessonId, taskId) {
  const all = read();
  const list = new Set(Array.isArray(all[lessonId]) ? all[lessonId] : []);
  list.add(taskId);
  all[lessonId] = [...list];
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or blocked: the ✓ still shows on this page
  }
}

/** True when every task of `lesson` is done. */
export function lessonDone(lesson) {
  const done = doneTasks(lesson.id);
  return lesson.tasks.every((task) => done.has(task.id));
}
