// The top bar's "Projector" switch (large text, static/css/app.css body.projector) on a class page without the
// playground, which otherwise wires it (playground/main.js): the dashboard read from the back of a room.

export function wireLargeText() {
  const button = document.getElementById('projector-toggle');
  if (!button) return;
  button.addEventListener('click', () => {
    const on = !document.body.classList.contains('projector');
    document.body.classList.toggle('projector', on);
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
  });
}
