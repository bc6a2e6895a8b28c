// One network, live and read-only (/class/watch?key=KEY&member=ID; without a member, the teacher's own): the
// playground on that session. Inside the projector's frames (projector.js) it shows only the network and its
// output, at the frame's size; opened on its own it keeps the whole playground, with a line that says whose it is.

import { provideViewQuery } from './view_query.js';
import { createEndNotice } from './end_notice.js';

const { classKey, member } = document.getElementById('class-page').dataset;
// without a member, the teacher's own network, read-only too (member 'lead': docs/classroom.md)
provideViewQuery({ resume: classKey, member: member || 'lead' });
document.body.classList.toggle('in-frame', window.self !== window.top);
document.getElementById('watch-note').textContent = member
  ? 'A student\'s network, live. You can look, not change it.'
  : 'Your own network, as the projector shows it.';

const end = createEndNotice();
window.addEventListener('nnp:class-closed', (event) => {
  // a watched student who was removed (or whose seat is gone) closes the view for good, as a wrong key does
  end.show(member ? 'gone' : 'key', event.detail.reason);
});
