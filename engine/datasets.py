"""Data sets: seeded 2-D generators, hand-placed points, the bundled 8x8 digits, CSV upload and the train/test split.

Every data set is a :class:`Dataset` with ``points`` of shape (N, D) float64 and ``labels`` of shape (N,): int64 class
indices 0..K-1 for classification, float64 targets for regression. Plane sets live on [-6, 6] x [-6, 6]. All
randomness comes from ``numpy.random.default_rng(seed)``, so a seed reproduces a data set exactly. Bad input raises
:class:`DataError` with a message a person can act on.
"""

import csv
import functools
import gzip
import io
import math
import numbers
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class DataError(ValueError):
    """Refused input; the message names the allowed range, or the CSV row (header = row 1) and column."""


PLANE_EXTENT = 6.0
LIMITS = dict(min_points=10, max_points=2000, max_noise=0.5, min_classes=2, max_classes=10,
              csv_max_bytes=1_000_000, csv_max_rows=10_000, csv_max_columns=65, csv_max_name=200)

TASKS = ('binary', 'multiclass', 'regression')
MAX_SEED = 2**63 - 1
MAX_SPLIT = 10_000_000        # largest n that split() accepts
PLANE_COLUMNS = ('x1', 'x2')
CSV_PLANE_EXTENT = 5.0      # two CSV features are min-max scaled onto [-5, 5]
DIGITS_PATH = Path(__file__).with_name('data') / 'digits.csv.gz'


@dataclass(frozen=True)
class Dataset:
    """Inputs ``points`` (N, D) float64 and targets ``labels`` (N,) with what the trainer and the page need to know."""
    points: np.ndarray
    labels: np.ndarray
    task: str
    n_classes: int
    columns: tuple[str, ...]
    class_names: tuple[str, ...]
    is_plane: bool
    name: str
    refused: tuple['Refusal', ...] = ()     # CSV rows left out, in file order
    scaling: tuple | None = None            # CSV: (divisor, scale, offset), each (D,): input = raw / divisor · scale + offset


@dataclass(frozen=True)
class Refusal:
    """A CSV row left out: its row number in the file (header = row 1), the column at fault (None when the whole row
    is malformed) and why, in plain words."""
    row: int
    column: str | None
    reason: str

    def __str__(self):
        return f'row {self.row}, column {self.column!r}: {self.reason}' if self.column else f'row {self.row} {self.reason}'


def _dataset(points, labels, task, n_classes, name, columns=PLANE_COLUMNS, class_names=None, is_plane=True,
             refused=(), scaling=None):
    """Build a Dataset with C-contiguous float64 points and int64 (classification) or float64 (regression) labels."""
    if class_names is None:
        class_names = () if task == 'regression' else tuple(str(k) for k in range(n_classes))
    return Dataset(points=np.ascontiguousarray(points, dtype=np.float64),
                   labels=np.ascontiguousarray(labels, dtype=np.float64 if task == 'regression' else np.int64),
                   task=task, n_classes=n_classes, columns=tuple(columns), class_names=tuple(class_names),
                   is_plane=is_plane, name=name, refused=tuple(refused),
                   scaling=None if scaling is None else tuple(tuple(float(v) for v in part) for part in scaling))


# ---- checking numbers --------------------------------------------------------------------------------------------

def _whole(value, what, lo, hi):
    """``value`` as an int in [lo, hi], else DataError naming the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= value <= hi:
        raise DataError(f'{what} must be a whole number from {lo} to {hi}, got {value!r}')
    return int(value)


def _real(value, what, lo, hi):
    """``value`` as a finite float in [lo, hi], else DataError naming the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lo <= value <= hi:
        raise DataError(f'{what} must be a number from {lo} to {hi}, got {value!r}')
    return float(value)


def _task(task):
    if task not in TASKS:
        raise DataError(f'task must be one of {", ".join(TASKS)}; got {task!r}')
    return task


# ---- generators ----------------------------------------------------------------------------------------------------
# Each generator draws clean points on the plane from rng. Classification sets then get Gaussian jitter of standard
# deviation noise * scale (scale = the set's natural length, e.g. the gap between its classes) and are clipped to the
# plane; regression sets draw points uniformly on the plane and get target noise of standard deviation noise * 1.

def _balanced(rng, n, k):
    """(n,) labels with every class 0..k-1 appearing n // k or n // k + 1 times, in random order."""
    return rng.permutation(np.arange(n) % k)


def _polar(r, angle):
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def _circle(rng, n, k):
    """Class 1: a disc of radius 2; class 0: a ring between radius 3 and 5 (both uniform by area)."""
    labels = _balanced(rng, n, 2)
    u = rng.uniform(0.0, 1.0, n)
    r = np.where(labels == 1, 2.0 * np.sqrt(u), np.sqrt(9.0 + 16.0 * u))
    return _polar(r, rng.uniform(0.0, 2 * np.pi, n)), labels


def _xor(rng, n, k):
    """Class 1 where x1 and x2 share a sign (quadrants I and III); coordinates keep 0.3 away from the axes."""
    labels = _balanced(rng, n, 2)
    size = rng.uniform(0.3, 5.0, (n, 2))
    sign1 = rng.choice([-1.0, 1.0], n)
    sign2 = np.where(labels == 1, sign1, -sign1)
    return size * np.column_stack([sign1, sign2]), labels


def _blobs_with(rng, n, k, spread):
    """k round Gaussian clouds (standard deviation ``spread``) centred on a circle of radius 4."""
    labels = _balanced(rng, n, k)
    centres = _polar(4.0, 2 * np.pi * np.arange(k) / k + np.pi / 4)
    return centres[labels] + rng.normal(0.0, spread, (n, 2)), labels


def _gauss(rng, n, k):
    return _blobs_with(rng, n, 2, 1.0)


def _blobs(rng, n, k):
    return _blobs_with(rng, n, k, 0.6)


def _spiral_arms(rng, n, k):
    """k interleaved arms: arm c at parameter t in [0, 1] has radius 5t and angle 3.5*pi*t + 2*pi*c/k."""
    labels = _balanced(rng, n, k)
    t = rng.uniform(0.0, 1.0, n)
    return _polar(5.0 * t, 3.5 * np.pi * t + 2 * np.pi * labels / k), labels


def _spiral(rng, n, k):
    return _spiral_arms(rng, n, 2)


def _moons(rng, n, k):
    """Two interlocking half circles of radius 3, centred on the origin."""
    labels = _balanced(rng, n, 2)
    theta = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(theta), np.sin(theta)])
    lower = np.column_stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)])
    unit = np.where((labels == 1)[:, None], lower, upper)
    return 3.0 * (unit - [0.5, 0.25]), labels


def _uniform_plane(rng, n):
    return rng.uniform(-PLANE_EXTENT, PLANE_EXTENT, (n, 2))


def _plane(rng, n, k):
    """Target y = (2*x1 + x2) / 18, a tilted plane that spans exactly [-1, 1] on the plane."""
    x = _uniform_plane(rng, n)
    return x, (2.0 * x[:, 0] + x[:, 1]) / 18.0


BUMPS = ((-2.5, 2.5, 1.0), (2.5, 2.5, -1.0), (-2.5, -2.5, -1.0), (2.5, -2.5, 1.0))   # (centre x1, centre x2, height)
BUMP_WIDTH = 1.5


def _bumps(rng, n, k):
    """Target y = sum_i h_i * exp(-|x - c_i|^2 / (2 * 1.5^2)) over the fixed bumps in BUMPS; about [-1, 1]."""
    x = _uniform_plane(rng, n)
    y = np.zeros(n)
    for c1, c2, height in BUMPS:
        y += height * np.exp(-((x[:, 0] - c1) ** 2 + (x[:, 1] - c2) ** 2) / (2 * BUMP_WIDTH ** 2))
    return x, y


# name -> (task, generator, noise scale)
_GENERATORS = {
    'circle': ('binary', _circle, 2.0),
    'xor': ('binary', _xor, 2.0),
    'gauss': ('binary', _gauss, 2.0),
    'spiral': ('binary', _spiral, 1.0),
    'moons': ('binary', _moons, 1.5),
    'spiral3': ('multiclass', _spiral_arms, 1.0),
    'blobs': ('multiclass', _blobs, 2.0),
    'plane': ('regression', _plane, 1.0),
    'bumps': ('regression', _bumps, 1.0),
}
DATASETS = {name: task for name, (task, _, _) in _GENERATORS.items()} | {'digits': 'multiclass'}


def generate(name: str, n_points: int, noise: float, seed: int, n_classes: int = 3) -> Dataset:
    """Draw ``n_points`` points of set ``name``: points (n_points, 2) on [-6, 6]^2, labels (n_points,).

    ``noise`` in [0, 0.5] is a fraction of the set's natural scale; ``n_classes`` (2..10) is used by 'spiral3' and
    'blobs'. 'digits' ignores n_points, noise and seed and returns the 1,797 bundled images.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise DataError(f'unknown data set {name!r}; choose one of {", ".join(DATASETS)}')
    n = _whole(n_points, 'n_points', LIMITS['min_points'], LIMITS['max_points'])
    noise = _real(noise, 'noise', 0.0, LIMITS['max_noise'])
    seed = _whole(seed, 'seed', 0, MAX_SEED)
    k = _whole(n_classes, 'n_classes', LIMITS['min_classes'], LIMITS['max_classes'])
    if name == 'digits':
        return load_digits()
    task, draw, scale = _GENERATORS[name]
    rng = np.random.default_rng(seed)
    points, labels = draw(rng, n, k)
    if task == 'regression':
        return _dataset(points, labels + rng.normal(0.0, noise * scale, n), task, 1, name)
    points = np.clip(points + rng.normal(0.0, noise * scale, (n, 2)), -PLANE_EXTENT, PLANE_EXTENT)
    return _dataset(points, labels, task, 2 if task == 'binary' else k, name)


# ---- digits --------------------------------------------------------------------------------------------------------

@functools.cache
def _digits_arrays():
    """Pixels (1797, 64) scaled from 0..16 to [0, 1] and labels (1797,), read once and kept read-only."""
    with gzip.open(DIGITS_PATH, 'rt') as f:
        table = np.loadtxt(f, delimiter=',')
    pixels, labels = table[:, :64] / 16.0, table[:, 64].astype(np.int64)
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


def load_digits() -> Dataset:
    """The bundled 8x8 handwritten digits: points (1797, 64) in [0, 1] (row by row), labels (1797,) in 0..9."""
    pixels, labels = _digits_arrays()
    return _dataset(pixels.copy(), labels.copy(), 'multiclass', 10, 'digits',
                    columns=tuple(f'p{i}' for i in range(64)), is_plane=False)


# ---- hand-placed points -----------------------------------------------------------------------------------------

def from_points(points, labels, task: str, n_classes: int = 2) -> Dataset:
    """Hand-placed points (N, 2) in [-6, 6]^2 with labels (N,); N may be 0 (an empty canvas).

    Binary sets have 2 classes and regression 1 whatever ``n_classes`` says; multiclass uses ``n_classes`` (2..10).
    """
    task = _task(task)
    k = {'binary': 2, 'regression': 1}.get(task)
    if k is None:
        k = _whole(n_classes, 'n_classes', LIMITS['min_classes'], LIMITS['max_classes'])
    try:
        x = np.asarray(points, dtype=np.float64)
        y = np.asarray(labels, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError('points must be a list of (x1, x2) number pairs and labels a list of numbers') from None
    if x.size == 0:
        x = x.reshape(0, 2)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (len(x),):
        raise DataError(f'expected points of shape (N, 2) and labels of shape (N,); got {x.shape} and {y.shape}')
    if len(x) > LIMITS['max_points']:
        raise DataError(f'at most {LIMITS["max_points"]} points are allowed, got {len(x)}')
    if not np.all(np.abs(x) <= PLANE_EXTENT):      # also refuses NaN
        raise DataError(f'every coordinate must be a finite number from {-PLANE_EXTENT} to {PLANE_EXTENT}')
    if task == 'regression':
        if not np.all(np.isfinite(y)):
            raise DataError('every regression target must be a finite number')
    elif not np.all((y == np.round(y)) & (y >= 0) & (y <= k - 1)):
        raise DataError(f'every label must be a whole number from 0 to {k - 1}')
    return _dataset(x, y, task, k, 'drawn')


# ---- CSV -----------------------------------------------------------------------------------------------------------

def _read_table(text):
    """Split CSV text into header names, data rows (lists of stripped cells), each row's line number in the file, and
    the refusals of rows whose cell count differs from the header's.

    Size limits are checked before and while reading, so an oversized file is refused without being parsed.
    Blank lines are skipped.
    """
    if not isinstance(text, str):
        raise DataError('the file content must be text')
    max_bytes = LIMITS['csv_max_bytes']
    if len(text) > max_bytes or len(text.encode('utf-8', 'surrogatepass')) > max_bytes:
        raise DataError(f'the file is larger than the limit of {max_bytes:,} bytes')
    reader = csv.reader(io.StringIO(text.removeprefix('\ufeff')))
    rows, lines, ragged, header = [], [], [], None
    try:
        for row in reader:
            if all(not cell.strip() for cell in row):
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                header = _check_header(cells, reader.line_num)
                continue
            if len(rows) + len(ragged) == LIMITS['csv_max_rows']:
                raise DataError(f'the file has more than {LIMITS["csv_max_rows"]:,} data rows')
            if len(cells) != len(header):
                ragged.append(Refusal(reader.line_num, None, f'has {len(cells)} cells but the header has '
                                                             f'{len(header)} columns'))
                continue
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as e:
        raise DataError(f'row {reader.line_num}: {e}') from None
    if header is None:
        raise DataError('the file is empty')
    if not rows and not ragged:
        raise DataError('the file has a header but no data rows')
    return header, rows, lines, ragged


def _name_problem(name):
    """Why ``name`` cannot be a column or class name, or None.

    Names travel into the page and into exported scripts; they may be any printable text up to ``csv_max_name``
    characters, but no control character (Unicode category Cc: line breaks, tabs, escapes…), line or paragraph
    separator (U+2028, U+2029) or lone surrogate.
    """
    if len(name) > LIMITS['csv_max_name']:
        return f'{name[:20]!r}… ({len(name)} characters): names may have at most {LIMITS["csv_max_name"]} characters'
    for char in name:
        if unicodedata.category(char) in ('Cc', 'Cs') or char in '\u2028\u2029':
            return (f'{name!r}, which holds U+{ord(char):04X}, a control character: names cannot contain line '
                    f'breaks, tabs or other control characters')
    return None


def _check_header(names, line):
    """The header cells, refused if there are too many, an empty one, an unusable one or a repeated one."""
    if len(names) > LIMITS['csv_max_columns']:
        raise DataError(f'the file has {len(names)} columns; at most {LIMITS["csv_max_columns"]} are allowed')
    for i, name in enumerate(names):
        if not name:
            raise DataError(f'column {i + 1} of the header (row {line}) has no name')
        problem = _name_problem(name)
        if problem:
            raise DataError(f'column {i + 1} of the header (row {line}) is named {problem}')
        if name in names[:i]:
            raise DataError(f'the header (row {line}) names column {name!r} twice')
    return names


def _number(cell):
    """The cell as a finite float, or None."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _not_numbers(rows, lines, j):
    """Line numbers of the rows whose cell j is not a finite number."""
    return [line for row, line in zip(rows, lines) if _number(row[j]) is None]


def _is_numeric(rows, j):
    """A column counts as numeric when more than half of its cells are finite numbers (the rest are refused rows)."""
    return 2 * sum(_number(row[j]) is not None for row in rows) > len(rows)


def _feature_names(header, rows, label_column, feature_columns):
    """Chosen feature column names; None means every all-numeric column except the label."""
    if feature_columns is None:
        names = [c for j, c in enumerate(header) if c != label_column and _is_numeric(rows, j)]
        if not names:
            raise DataError('the file has no numeric column besides the label to use as input')
        return names
    names = list(feature_columns)
    if not names:
        raise DataError('choose at least one feature column')
    for i, name in enumerate(names):
        if name not in header:
            raise DataError(f'unknown feature column {name!r}; the columns are {", ".join(map(repr, header))}')
        if name == label_column:
            raise DataError(f'column {name!r} is the label; it cannot also be a feature')
        if name in names[:i]:
            raise DataError(f'feature column {name!r} is chosen twice')
    return names


def _class_labels(cells, label_column, task):
    """Class index per row by sorted unique label value (numbers sort as numbers, else as text), and class names."""
    values = [_number(cell) for cell in cells]
    keys = values if all(v is not None for v in values) else cells
    names = {}
    for key, cell in zip(keys, cells):
        names.setdefault(key, cell)
    order = sorted(names)
    lo, hi = (2, 2) if task == 'binary' else (LIMITS['min_classes'], LIMITS['max_classes'])
    if not lo <= len(order) <= hi:
        allowed = 'exactly 2' if lo == hi else f'{lo} to {hi}'
        raise DataError(f'a {task} label needs {allowed} classes; column {label_column!r} has {len(order)}')
    index = {key: i for i, key in enumerate(order)}
    return np.array([index[key] for key in keys], dtype=np.int64), tuple(names[key] for key in order)


def _row_refusal(row, line, header, cols, label_j, task):
    """Why this row cannot be used (a Refusal), or None: a feature that is not a finite number, an empty label, or a
    regression target that is not a number."""
    for j in cols:
        if _number(row[j]) is None:
            return Refusal(line, header[j], f'{row[j]!r} is not a number' if row[j] else 'the cell is empty')
    if not row[label_j]:
        return Refusal(line, header[label_j], 'the cell is empty')
    if task == 'regression' and _number(row[label_j]) is None:
        return Refusal(line, header[label_j], f'{row[label_j]!r} is not a number')
    return None


def _scale(x):
    """The affine map each column gets: two columns are min-max scaled onto [-5, 5], more are z-scored; a constant
    column becomes zeros. Returns (inputs, divisor, scale, offset) with inputs = x / divisor · scale + offset and
    divisor, scale, offset (D,).

    divisor is each column's largest magnitude: statistics of x / divisor (within ±1) cannot overflow or underflow,
    whether the values are near 1e308 or 1e-310.
    """
    divisor = np.abs(x).max(axis=0)
    divisor = np.where(divisor > 0, divisor, 1.0)
    unit = x / divisor
    if x.shape[1] == 2:
        lo, span = unit.min(axis=0), np.ptp(unit, axis=0)
        scale = np.divide(2 * CSV_PLANE_EXTENT, span, out=np.zeros_like(span), where=span > 0)
        offset = np.where(span > 0, -lo * scale - CSV_PLANE_EXTENT, 0.0)
    else:
        mean, sd = unit.mean(axis=0), unit.std(axis=0)
        scale = np.divide(1.0, sd, out=np.zeros_like(sd), where=sd > 0)
        offset = -mean * scale
    return unit * scale + offset, divisor, scale, offset


def parse_csv(text: str, label_column: str, feature_columns: list[str] | None, task: str) -> Dataset:
    """Parse CSV text (first row = header) into a Dataset: points (N, F) scaled, labels (N,), and the rows refused.

    A row is refused (left out, and listed in ``Dataset.refused`` with its row number, column and reason) when its
    cell count differs from the header's, a chosen feature is not a finite number, its label is empty, or a
    regression target is not a number. If half the rows or more are refused the file is refused, naming the first;
    so is a file whose chosen input columns are constant over the rows kept (no input column carries anything).
    Exactly two features are min-max scaled onto [-5, 5] and shown on the plane; any other count is z-scored,
    (x - mean) / std per column. Class labels (text or numbers) become indices in sorted order; regression targets
    stay as they are.
    """
    task = _task(task)
    header, rows, lines, refused = _read_table(text)
    if not rows:
        raise DataError(f'{refused[0]}; every row was refused')
    if label_column not in header:
        raise DataError(f'unknown label column {label_column!r}; the columns are {", ".join(map(repr, header))}')
    names = _feature_names(header, rows, label_column, feature_columns)
    cols, label_j = [header.index(name) for name in names], header.index(label_column)
    kept = []
    for row, line in zip(rows, lines):
        refusal = _row_refusal(row, line, header, cols, label_j, task)
        if refusal is None:
            problem = None if task == 'regression' else _name_problem(row[label_j])
            if problem:
                raise DataError(f'row {line}, column {label_column!r}: the class name {problem}')
            kept.append(row)
        else:
            refused.append(refusal)
    refused.sort(key=lambda r: r.row)
    total = len(rows) + sum(r.column is None for r in refused)
    if 2 * len(refused) >= total:
        raise DataError(f'{refused[0]}; {len(refused)} of {total} rows were refused, too many to train on')
    x = np.array([[float(row[j]) for j in cols] for row in kept])
    label_cells = [row[label_j] for row in kept]
    if task == 'regression':
        y = np.array([float(cell) for cell in label_cells])
        class_names = ()
    else:
        y, class_names = _class_labels(label_cells, label_column, task)
    if (x == x[0]).all():
        raise DataError(f'the input column{"s" if len(names) > 1 else ""} {", ".join(map(repr, names))} '
                        f'{"hold" if len(names) > 1 else "holds"} the same value in every row used, so the network '
                        'would have no input to learn from; choose a column whose values differ')
    scaled, *scaling = _scale(x)
    return _dataset(scaled, y, task, max(len(class_names), 1), 'csv', columns=names, class_names=class_names,
                    is_plane=len(names) == 2, refused=refused, scaling=scaling)


def preview_csv(text: str, max_rows: int = 20, max_listed: int = 20) -> dict:
    """Header, the first ``max_rows`` well-formed rows as text, whether each column is numeric (more than half its
    cells are numbers), per column the first ``max_listed`` row numbers whose cell is not a number and those whose
    cell is empty, the first
    malformed rows (wrong cell count) as ``{row, reason}``, and the number of data rows."""
    max_rows = _whole(max_rows, 'max_rows', 0, LIMITS['csv_max_rows'])
    header, rows, lines, ragged = _read_table(text)
    return {'columns': list(header), 'rows': rows[:max_rows],
            'numeric': [_is_numeric(rows, j) for j in range(len(header))],
            'not_numbers': [_not_numbers(rows, lines, j)[:max_listed] for j in range(len(header))],
            'empty': [[line for row, line in zip(rows, lines) if not row[j]][:max_listed] for j in range(len(header))],
            'malformed': [{'row': r.row, 'reason': r.reason} for r in ragged[:max_listed]],
            'n_rows': len(rows) + len(ragged)}


# ---- train/test split ------------------------------------------------------------------------------------------------

def split(n: int, train_ratio: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of range(n): (train_idx, test_idx) int64, a permutation cut at round(n * train_ratio).

    For n >= 2 both parts keep at least one index.
    """
    n = _whole(n, 'n', 0, MAX_SPLIT)
    train_ratio = _real(train_ratio, 'train_ratio', 0.1, 0.9)
    seed = _whole(seed, 'seed', 0, MAX_SEED)
    cut = round(n * train_ratio)
    if n >= 2:
        cut = min(max(cut, 1), n - 1)
    order = np.random.default_rng(seed).permutation(n).astype(np.int64)
    return order[:cut], order[cut:]
