// Python source text shared by the exported scripts (export.js: NumPy; export_torch.js, export_keras.js): string,
// number and list literals, and the input features' formulas. Every value reaches a script as a literal made here.

import { SPEC } from '/spec.js';

const hex = (code, digits) => code.toString(16).padStart(digits, '0');

/**
 * A Python string literal that evaluates to `text` exactly, whatever it holds. Double-quoted; a backslash or a double
 * quote gets a backslash; every character Python does not print as it is (controls, format characters such as
 * direction overrides, separators other than the space, lone surrogates, private and unassigned code points) is
 * written as \xXX, \uXXXX or \UXXXXXXXX, so the literal is one line of printable text. Every name that reaches an
 * exported script (CSV columns, class names, activations) goes through here, and only into code, never into a
 * comment or the docstring.
 */
export function pyString(text) {
  let out = '"';
  for (const char of String(text)) {              // by code point; a lone surrogate comes as itself
    const code = char.codePointAt(0);
    if (char === '\\' || char === '"') out += `\\${char}`;
    else if (char !== ' ' && /[\p{C}\p{Z}]/u.test(char)) {
      out += code <= 0xff ? `\\x${hex(code, 2)}` : (code <= 0xffff ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`);
    } else out += char;
  }
  return `${out}"`;
}

/** Python source of a list of strings, each a pyString literal. */
export function pyStrings(values) {
  return `[${Array.from(values, pyString).join(', ')}]`;
}

/**
 * A Python float literal of a finite number: JavaScript's shortest round-trip form (which keeps every float64 exact),
 * with ".0" added to a whole number so that Python reads a float, not an int; a non-finite value becomes float("nan").
 */
export function pyFloat(value) {
  if (!Number.isFinite(value)) return 'float("nan")';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Python source of a float list, six numbers a line. */
export function pyList(values) {
  const parts = Array.from(values, pyFloat);
  const lines = [];
  for (let i = 0; i < parts.length; i += 6) lines.push(`    ${parts.slice(i, i + 6).join(', ')},`);
  return `[\n${lines.join('\n')}\n]`;
}

/** The input features as engine/features.py computes them from the plane point (x1, x2), in NumPy. */
const SCALE = pyFloat(SPEC.plane.feature_scale);
const PY_FEATURES = {
  x1: 'x1', x2: 'x2', x1sq: `x1 * x1 / ${SCALE}`, x2sq: `x2 * x2 / ${SCALE}`, x1x2: `x1 * x2 / ${SCALE}`,
  sinx1: 'np.sin(x1)', sinx2: 'np.sin(x2)',
};

/**
 * The body of a NumPy function that turns plane points into the chosen features: it reads `source` (an (N, 2)
 * array expression) and returns the (N, F) feature columns, one line per feature.
 */
export function featureBody(features, source) {
  return [`    x1, x2 = ${source}[:, 0], ${source}[:, 1]`, '    return np.column_stack([',
    ...features.map((f) => `        ${PY_FEATURES[f]},  # ${f}`), '    ])'];
}

/**
 * The trained weights as Python source: SIZES, the flat PARAMS (engine/layout.py's order: each layer's W row by
 * row, one row per unit the connections leave, then its b) and layers_of(), which cuts such a vector into (W, b).
 */
export function weightsCode(sizes, params) {
  return `SIZES = [${sizes.join(', ')}]  # units per layer, inputs first
# The trained weights and biases, layer after layer: W row by row (one row per unit the connections leave,
# as the page's matrix view shows it), then b.
PARAMS = np.array(${pyList(params)})


def layers_of(flat):
    """(W (n_in, n_out), b (n_out,)) of each layer, cut from a vector laid out as PARAMS."""
    at = 0
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        W = flat[at:at + n_in * n_out].reshape(n_in, n_out)
        b = flat[at + n_in * n_out:at + n_in * n_out + n_out]
        at += n_in * n_out + n_out
        yield W, b`;
}

/** `text` cut into lines of at most 116 characters at spaces, each line starting with `prefix` ('# ' for a comment). */
export function wrap(text, prefix) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && prefix.length + line.length + 1 + word.length > 116) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, prefix + line].join('\n');
}
