// Which session a class page's playground shows: the query its view socket opens /ws/class/view with
// (docs/classroom.md) — `resume=SEAT` (a student, once seated), `resume=KEY` (the teacher's own network) or
// `resume=KEY&member=ID` (a student's network, watched). The class module of the page provides it; the playground
// (playground/main.js) waits for it before it connects.

let provide = null;

/** Resolves with the query (without '?') once the class module knows it. */
export const viewQuery = new Promise((resolve) => { provide = resolve; });

/** Say the view socket's query: `params` an object of query parameters (values are encoded here). */
export function provideViewQuery(params) {
  provide(new URLSearchParams(params).toString());
}
