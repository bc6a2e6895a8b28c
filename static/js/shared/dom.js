// Small helpers to build elements. Text is always set with textContent, never parsed as HTML.

/**
 * el('button', { class: 'x', onclick: fn, title: 't' }, 'label', child, …)
 * Keys starting with "on" become event listeners; `dataset` is an object of data-* attributes; `style` is CSS text,
 * set through the CSSOM (the pages' Content-Security-Policy refuses style attributes);
 * other keys become attributes (false/null/undefined leave the attribute out).
 */
export function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || tag === 'path' || tag === 'g' || tag === 'rect' || tag === 'line'
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') node.style.cssText = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace all children of `node`. */
export function setChildren(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** Set a node's text only when it differs: an unchanged write still makes the browser lay the page out again. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A number for people: few significant digits, no exponent for everyday sizes. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : (value > 0 ? '∞' : '−∞');
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(2).replace('-', '−');
  const text = a >= 100 ? value.toFixed(1) : value.toPrecision(digits);
  return String(Number(text)).replace('-', '−');
}

/** A whole number with thousands separators. */
export function count(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

/** Trigger a download of a Blob under a file name. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
}
