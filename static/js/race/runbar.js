// The race's run bar: Start/Pause, Reset (every lane back to the same initial weights), the speed, and the
// race's progress (the furthest lane's epoch, epochs per second). Space starts or pauses, r resets.

import { SPEC } from '/spec.js';
import { el, setChildren, count } from '../shared/dom.js';
import { speedLabel } from '../shared/choices.js';

export function createRaceRunbar({ state, latest, actions }) {
  const host = document.getElementById('race-runbar');
  const reset = el('button', { type: 'button', class: 'round', id: 'race-reset', title: 'Back to the start (r)', 'aria-label': 'Reset the race',
    onclick: () => actions.control('reset') }, el('span', { class: 'icon icon-reset', 'aria-hidden': 'true' }));
  const play = el('button', { type: 'button', class: 'round play', id: 'race-play', title: 'Start / pause (space)', 'aria-label': 'Start the race',
    onclick: () => actions.control(latest.runState === 'playing' ? 'pause' : 'play') },
  el('span', { class: 'icon icon-play', 'aria-hidden': 'true' }));
  const playText = el('span', { class: 'race-play-text', id: 'race-play-text' }, 'Start');
  const epoch = el('output', { id: 'race-epoch', class: 'counter-value' }, '0');
  const rate = el('output', { id: 'race-rate' }, '–');
  const speed = el('select', { id: 'race-speed', 'aria-label': 'Speed: epochs every lane trains between two pictures',
    title: 'Speed: epochs every lane trains between two pictures', onchange: () => state.set({ speed: Number(speed.value) }) },
  SPEC.presets.race_speed.map((v) => el('option', { value: String(v) }, speedLabel(v))));
  setChildren(host,
    el('div', { class: 'run-buttons' }, reset, play, playText),
    el('div', { class: 'counter race-counter' }, el('span', { class: 'counter-caption' }, 'Epoch'), epoch,
      el('span', { class: 'counter-note', title: 'Race epochs per second: every running lane trains one epoch' }, rate, ' epochs / s')),
    speed);

  document.addEventListener('keydown', (event) => {
    const tag = event.target && event.target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey || tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'BUTTON') return;
    if (event.key === ' ') {
      event.preventDefault();
      play.click();
    } else if (event.key === 'r') {
      reset.click();
    }
  });

  return {
    update(flags) {
      if (flags.has('state')) speed.value = String(state.get('speed'));
      if (!flags.has('frame') && !flags.has('status')) return;
      const playing = latest.runState === 'playing';
      const over = Boolean(latest.frame && latest.frame.over);
      play.setAttribute('aria-label', playing ? 'Pause the race' : 'Start the race');
      play.firstChild.className = `icon ${playing ? 'icon-pause' : 'icon-play'}`;
      play.disabled = over && !playing;
      playText.textContent = playing ? 'Racing' : over ? 'Finished' : 'Start';
      playText.title = over && !playing ? 'Every lane has stopped: reset to race again' : '';
      const f = latest.frame;
      if (f) {
        epoch.textContent = count(Math.max(0, ...f.lanes.map((l) => l.epoch)));
        rate.textContent = playing ? String(Math.round(f.epochs_per_second)) : '–';
      }
    },
  };
}
