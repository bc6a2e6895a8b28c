// What a page shows, published as plain facts for anyone who checks progress (the lesson panel's success checks).
// A view calls publish({ key: value, ... }) whenever its numbers change; a checker calls onFacts(fn) and receives
// the merged facts each time. The two sides never import each other.

const facts = {};
const listeners = new Set();

/** Merge `update` into the page's facts and tell every listener. */
export function publish(update) {
  Object.assign(facts, update);
  for (const listener of listeners) listener(facts);
}

/** Call `listener(facts)` now and after every publish; returns a function that stops it. */
export function onFacts(listener) {
  listeners.add(listener);
  listener(facts);
  return () => listeners.delete(listener);
}
