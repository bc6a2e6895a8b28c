// The classroom join token (server/security.py). A server that serves a LAN lets a browser in only with
// ?join=TOKEN in its first address (it then keeps it in a cookie). So that the address bar is always a link that
// works in a fresh browser, every page keeps `join` in its URL; the server writes the token into the navigation bar
// (data-join) of the pages it serves to someone who brought it.

/** The join token this server needs, or '' when it needs none. */
export function joinToken() {
  const nav = document.querySelector('nav[data-join]');
  return (nav && nav.dataset.join) || new URLSearchParams(location.search).get('join') || '';
}

/** A query string (without '?') with the join token set when the server needs one. */
function withJoin(query) {
  const token = joinToken();
  const params = new URLSearchParams(query);
  if (!token) return query;
  params.set('join', token);
  return params.toString().replace(/%2C/g, ',');
}

/** The page's own address (path, then `query` with the join token), for history.replaceState. */
export function pageUrl(query) {
  const full = withJoin(query);
  return `${location.pathname}${full ? `?${full}` : ''}`;
}

/** Put the join token into the address bar now (pages that write their URL only when a setting changes). */
export function keepJoin() {
  const url = pageUrl(location.search.slice(1));
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
