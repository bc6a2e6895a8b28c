// What the two small lab pages (/gradient-descent, /perceptron) share: settings read from and written to the URL,
// the projector toggle and `hide=`, and asking the server's lab endpoints (the newest question wins).

import { keepJoin, pageUrl } from '../shared/join.js';
import { createShare } from '../shared/share.js';

/**
 * The page's settings, kept in the URL so a link (or a lesson) reproduces them. `spec` maps a name to
 * { def, parse(text) → value or undefined when malformed, show(value) → text }. Parameters the page does not own
 * (lesson=…) are left as they are.
 */
export function urlSettings(spec) {
  const values = {};
  const params = new URLSearchParams(location.search);
  for (const [name, { def, parse }] of Object.entries(spec)) {
    const parsed = params.has(name) ? parse(params.get(name)) : undefined;
    values[name] = parsed === undefined ? def : parsed;
  }
  function write() {
    const out = new URLSearchParams(location.search);
    for (const [name, { def, show }] of Object.entries(spec)) {
      const text = show(values[name]);
      if (text === show(def)) out.delete(name);
      else out.set(name, text);
    }
    history.replaceState(null, '', pageUrl(out.toString().replace(/%2C/g, ',')));
  }
  keepJoin();
  return { values, write };
}

/** A finite number within [lo, hi] (URL codec). */
export function numberIn(def, lo, hi, extra = () => true) {
  return {
    def,
    parse: (text) => {
      const v = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(v) && v >= lo && v <= hi && extra(v) ? v : undefined;
    },
    show: (v) => String(v),
    lo,
    hi,
  };
}

/** One of a fixed list of words (URL codec). */
export function oneOf(def, choices) {
  return { def, parse: (text) => (choices.includes(text) ? text : undefined), show: (v) => v };
}

export const flag = { def: false, parse: (t) => t === '1' || t === 'true', show: (v) => (v ? '1' : '0') };

export const names = {
  def: [],
  parse: (t) => t.split(',').filter((n) => /^[a-z0-9_-]+$/i.test(n)),
  show: (v) => v.join(','),
};

/** body.projector from the setting, the toggle button wired, every [data-ctl] named in `hide` hidden, and the
 *  Share button. */
export function pageChrome(settings, onChange) {
  const button = document.getElementById('projector-toggle');
  const apply = () => {
    document.body.classList.toggle('projector', settings.values.projector);
    button.setAttribute('aria-pressed', settings.values.projector ? 'true' : 'false');
  };
  button.addEventListener('click', () => {
    settings.values.projector = !settings.values.projector;
    settings.write();
    apply();
    onChange();
  });
  for (const name of settings.values.hide) {
    for (const node of document.querySelectorAll(`[data-ctl="${name}"]`)) node.hidden = true;
  }
  apply();
  createShare(() => `${location.origin}${pageUrl(location.search.slice(1))}`);
}

/**
 * ask(body) posts JSON to `path` and resolves with the answer. One question is in flight at a time: asking again
 * meanwhile queues the newest body (an older queued one resolves to null, never sent), so a slider drag costs the
 * server at most one answer at a time and the page always ends on the newest. A refusal rejects with the server's
 * plain message.
 */
export function asker(path) {
  let queued = null;
  let busy = false;

  async function post(body) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
    } catch {
      throw new Error('the server cannot be reached');
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.message) || `the server refused (${response.status})`);
    return data;
  }

  async function pump() {
    busy = true;
    while (queued) {
      const job = queued;
      queued = null;
      try {
        job.resolve(await post(job.body));
      } catch (error) {
        job.reject(error);
      }
    }
    busy = false;
  }

  return function ask(body) {
    return new Promise((resolve, reject) => {
      if (queued) queued.resolve(null);
      queued = { body, resolve, reject };
      if (!busy) pump();
    });
  };
}
