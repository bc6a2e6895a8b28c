// The Share button of the top bar: the full link of this set-up (settings, seed and, on a classroom server, the join
// token), copied to the clipboard and shown in large enough type to be read off a projector.

import { el } from './dom.js';
import { joinToken } from './join.js';

/** Copy `text`; true when it reached the clipboard. Pages served over plain http to a LAN have no clipboard API,
 *  so the selected field is copied the old way there. */
async function copy(text, field) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (err) {
      /* refused (no permission): fall through */
    }
  }
  field.select();
  try {
    return document.execCommand('copy');
  } catch (err) {
    return false;
  }
}

/** Put the Share button first among the top bar's tools; `link()` gives the address to share. */
export function createShare(link) {
  const tools = document.querySelector('.topbar .tools');
  if (!tools) return;
  const field = el('textarea', { class: 'share-link', id: 'share-link', readonly: true, rows: 3, spellcheck: 'false',
    'aria-label': 'Link to this set-up', onfocus: () => field.select() });
  const said = el('span', { class: 'share-status', id: 'share-status', role: 'status' });
  const note = el('p', { class: 'menu-note share-note' });
  const panel = el('div', { class: 'menu share-panel', id: 'share-panel', role: 'dialog', 'aria-label': 'Share this set-up', hidden: true },
    note, field,
    el('div', { class: 'share-row' },
      el('button', { type: 'button', class: 'secondary small', id: 'share-copy', onclick: () => send() }, 'Copy again'),
      said));
  const toggle = el('button', { type: 'button', class: 'ghost', id: 'share-toggle', 'data-ctl': 'share',
    'aria-expanded': 'false', 'aria-controls': 'share-panel', title: 'Copy a link to this set-up',
    onclick: () => (panel.hidden ? open() : close()) }, 'Share');
  const host = el('div', { class: 'share' }, toggle, panel);
  tools.prepend(host);

  async function send() {
    field.value = link();
    said.textContent = (await copy(field.value, field)) ? 'Copied to the clipboard.' : 'Select the link and copy it (Ctrl+C).';
  }

  function open() {
    note.textContent = joinToken()
      ? 'This link opens these settings, and lets another browser into this classroom server (it holds the join token).'
      : 'This link opens the playground with these settings and seed.';
    panel.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    send();
    field.focus();
  }

  function close() {
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
  }

  document.addEventListener('keydown', (event) => { if (event.key === 'Escape' && !panel.hidden) close(); });
  document.addEventListener('pointerdown', (event) => { if (!panel.hidden && !host.contains(event.target)) close(); });
}
