// Your own data: after a CSV file is loaded, how many rows the network trains on and which rows were left out, each
// with its row number in the file, the column at fault and why — so a person can fix the file and load it again.
//
// Facts published (progress.js): csvRows — rows in use (training + test; null when no CSV is loaded);
// csvRefused — rows left out (null when no CSV is loaded).

import { el, setChildren, count } from '../shared/dom.js';
import { publish } from '../shared/progress.js';

export function createCsvReport({ latest }) {
  const host = document.getElementById('csv-report');
  let shownKey = null;

  function describe(r) {
    return r.column === null ? `Row ${r.row} ${r.reason}.` : `Row ${r.row}, column “${r.column}”: ${r.reason}.`;
  }

  function render() {
    const data = latest.data;
    const on = Boolean(data && latest.config && latest.config.dataset === 'csv');
    host.hidden = !on;
    if (!on) {
      if (shownKey !== '') publish({ csvRows: null, csvRefused: null });
      shownKey = '';
      return;
    }
    const refused = Array.isArray(data.refused) ? data.refused : [];
    const total = Number.isInteger(data.n_refused) ? data.n_refused : refused.length;
    const rows = data.n_train + data.n_test;
    const key = JSON.stringify([rows, total, refused, data.columns]);
    if (key === shownKey) return;
    shownKey = key;
    const items = refused.map((r) => el('li', {}, describe(r)));
    if (total > refused.length) items.push(el('li', { class: 'hint' }, `…and ${count(total - refused.length)} more.`));
    setChildren(host,
      el('h3', { class: 'csv-report-title' }, 'Your data'),
      el('p', { class: 'csv-report-summary', id: 'csv-summary' },
        el('strong', { id: 'csv-rows' }, count(rows)), ` rows used (${count(data.n_train)} training, `,
        `${count(data.n_test)} test) · `,
        el('strong', { id: 'csv-refused-count', class: total ? 'is-bad' : '' }, count(total)), ' left out'),
      el('p', { class: 'hint' }, `Inputs: ${data.columns.join(', ')}`,
        data.class_names.length ? ` · classes: ${data.class_names.join(', ')}` : ''),
      total ? el('ul', { class: 'csv-refused', id: 'csv-refused', 'aria-label': 'Rows left out and why' }, items)
        : el('p', { class: 'hint' }, 'Every row could be used.'));
    publish({ csvRows: rows, csvRefused: total });
  }

  return {
    update(flags) {
      if (flags.has('data') || flags.has('config') || flags.has('welcome')) render();
    },
  };
}
