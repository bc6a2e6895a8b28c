import time

import numpy as np
import pytest

from nnplayground.engine.datasets import (DATASETS, LIMITS, PLANE_EXTENT, DataError, Dataset, from_points, generate,
                             load_digits, parse_csv, preview_csv, split)

PLANE_SETS = [name for name in DATASETS if name != 'digits']
CLASS_SETS = [name for name in PLANE_SETS if DATASETS[name] != 'regression']


# ---- generators ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', PLANE_SETS)
def test_generator_shapes_types_and_plane(name):
    ds = generate(name, 300, 0.5, seed=1)
    assert isinstance(ds, Dataset) and ds.name == name and ds.task == DATASETS[name]
    assert ds.points.shape == (300, 2) and ds.points.dtype == np.float64 and ds.points.flags.c_contiguous
    assert ds.labels.shape == (300,)
    assert ds.is_plane and ds.columns == ('x1', 'x2')
    assert np.all(np.abs(ds.points) <= PLANE_EXTENT)


@pytest.mark.parametrize('name', PLANE_SETS)
def test_generator_is_reproducible_from_its_seed(name):
    for noise in (0.0, 0.3):
        a, b, c = (generate(name, 200, noise, seed) for seed in (7, 7, 8))
        assert np.array_equal(a.points, b.points) and np.array_equal(a.labels, b.labels)
        assert not np.array_equal(a.points, c.points)


@pytest.mark.parametrize('name', PLANE_SETS)
def test_noise_slider_changes_the_data(name):
    clean, noisy = generate(name, 200, 0.0, 3), generate(name, 200, 0.5, 3)
    changed = noisy.labels if DATASETS[name] == 'regression' else noisy.points
    assert not np.allclose(changed, clean.labels if DATASETS[name] == 'regression' else clean.points)


@pytest.mark.parametrize('name', CLASS_SETS)
def test_classes_are_balanced(name):
    ds = generate(name, 301, 0.2, 5)
    counts = np.bincount(ds.labels, minlength=ds.n_classes)
    assert ds.labels.dtype == np.int64 and len(counts) == ds.n_classes
    assert counts.max() - counts.min() <= 1
    assert ds.class_names == tuple(str(k) for k in range(ds.n_classes))


@pytest.mark.parametrize('name', ['circle', 'xor', 'gauss', 'spiral', 'moons'])
def test_binary_sets_have_labels_zero_and_one(name):
    ds = generate(name, 100, 0.1, 0)
    assert ds.task == 'binary' and ds.n_classes == 2 and set(ds.labels.tolist()) == {0, 1}


def test_clean_binary_sets_are_separated_the_way_their_names_say():
    circle = generate('circle', 400, 0.0, 0)
    radius = np.hypot(*circle.points.T)
    assert radius[circle.labels == 1].max() < radius[circle.labels == 0].min()
    xor = generate('xor', 400, 0.0, 0)
    assert np.array_equal(xor.labels == 1, xor.points[:, 0] * xor.points[:, 1] > 0)
    gauss = generate('gauss', 400, 0.0, 0)
    assert gauss.points[gauss.labels == 0].mean(axis=0) @ gauss.points[gauss.labels == 1].mean(axis=0) < -10


@pytest.mark.parametrize('name', ['spiral3', 'blobs'])
@pytest.mark.parametrize('k', range(2, 11))
def test_multiclass_sets_have_k_classes(name, k):
    ds = generate(name, 200, 0.1, 2, n_classes=k)
    assert ds.task == 'multiclass' and ds.n_classes == k
    assert set(ds.labels.tolist()) == set(range(k))


@pytest.mark.parametrize('name', ['plane', 'bumps'])
def test_regression_targets_span_about_minus_one_to_one(name):
    ds = generate(name, 2000, 0.0, 4)
    assert ds.task == 'regression' and ds.n_classes == 1 and ds.class_names == ()
    assert ds.labels.dtype == np.float64
    assert -1.05 <= ds.labels.min() < -0.8 and 0.8 < ds.labels.max() <= 1.05


def test_plane_target_is_a_tilted_plane():
    ds = generate('plane', 50, 0.0, 9)
    design = np.column_stack([ds.points, np.ones(50)])
    coef, *_ = np.linalg.lstsq(design, ds.labels)
    assert np.allclose(design @ coef, ds.labels) and abs(coef[0]) > 0.05 and abs(coef[1]) > 0.05


def test_bumps_do_not_move_with_the_seed():
    a, b = generate('bumps', 500, 0.0, 1), generate('bumps', 500, 0.0, 2)
    pts = np.vstack([a.points, b.points])
    y = np.concatenate([a.labels, b.labels])
    near_top_left = np.hypot(pts[:, 0] + 2.5, pts[:, 1] - 2.5) < 0.7
    assert near_top_left.sum() > 5 and np.all(y[near_top_left] > 0.8)


@pytest.mark.parametrize('kwargs, allowed', [
    (dict(n_points=0), '10 to 2000'), (dict(n_points=10**9), '10 to 2000'), (dict(n_points=50.5), '10 to 2000'),
    (dict(noise=-1), '0.0 to 0.5'), (dict(noise=float('nan')), '0.0 to 0.5'), (dict(noise=float('inf')), '0.0 to 0.5'),
    (dict(n_classes=11), '2 to 10'), (dict(n_classes=1), '2 to 10'), (dict(seed=-1), 'from 0'),
    (dict(name='donut'), 'circle, xor'), (dict(name=['circle']), 'circle, xor'),
])
def test_bad_generator_input_names_the_allowed_range(kwargs, allowed):
    args = dict(name='spiral3', n_points=100, noise=0.1, seed=0) | kwargs
    with pytest.raises(DataError, match=allowed):
        generate(**args)


# ---- digits --------------------------------------------------------------------------------------------------------

def test_digits_are_1797_images_of_64_pixels_in_ten_classes():
    ds = load_digits()
    assert ds.points.shape == (1797, 64) and ds.points.dtype == np.float64
    assert ds.points.min() == 0.0 and ds.points.max() == 1.0
    counts = np.bincount(ds.labels)
    assert len(counts) == 10 and counts.min() >= 170 and counts.max() <= 190
    assert ds.task == 'multiclass' and ds.n_classes == 10 and not ds.is_plane
    assert ds.columns[0] == 'p0' and ds.columns[-1] == 'p63' and ds.class_names == tuple('0123456789')


def test_digits_from_generate_ignore_size_and_noise_and_cannot_be_spoilt():
    ds = generate('digits', 50, 0.5, 3)
    assert ds.points.shape == (1797, 64)
    ds.points[:] = -1.0
    assert load_digits().points.min() == 0.0


# ---- hand-placed points ----------------------------------------------------------------------------------------------

def test_drawn_points_make_a_plane_dataset():
    ds = from_points([(1, 2), (-3.5, 6)], [1, 0], 'binary')
    assert ds.points.dtype == np.float64 and ds.points.shape == (2, 2) and ds.labels.dtype == np.int64
    assert ds.labels.tolist() == [1, 0] and ds.is_plane and ds.n_classes == 2
    reg = from_points([(0, 0)], [2.5], 'regression')
    assert reg.labels.dtype == np.float64 and reg.n_classes == 1


def test_empty_canvas_is_allowed():
    ds = from_points([], [], 'multiclass', n_classes=4)
    assert ds.points.shape == (0, 2) and ds.labels.shape == (0,) and ds.n_classes == 4


@pytest.mark.parametrize('points, labels, task, message', [
    ([(7, 0)], [0], 'binary', '-6.0 to 6.0'),
    ([(float('nan'), 0)], [0], 'binary', 'finite'),
    ([(0, 0)], [2], 'binary', 'from 0 to 1'),
    ([(0, 0)], [0.5], 'binary', 'whole number'),
    ([(0, 0)], [float('inf')], 'regression', 'finite'),
    ([(0, 0, 0)], [0], 'binary', r'\(N, 2\)'),
    ([(0, 0)], [0, 1], 'binary', r'\(N, 2\)'),
    ([('a', 0)], [0], 'binary', 'number pairs'),
    ([(0, 0)] * 2001, [0] * 2001, 'binary', 'at most 2000'),
    ([(0, 0)], [0], 'ranking', 'binary, multiclass, regression'),
])
def test_bad_drawn_points_are_refused(points, labels, task, message):
    with pytest.raises(DataError, match=message):
        from_points(points, labels, task)


# ---- CSV -----------------------------------------------------------------------------------------------------------

GOOD_CSV = """age,height,weight,smoker
31,170,65,no
45,182,90,yes
27,165,58,no
52,175,80,yes
"""


def test_good_csv_parses_with_numeric_features_and_text_classes():
    ds = parse_csv(GOOD_CSV, 'smoker', None, 'binary')
    assert ds.columns == ('age', 'height', 'weight') and ds.points.shape == (4, 3)
    assert ds.class_names == ('no', 'yes') and ds.labels.tolist() == [0, 1, 0, 1]
    assert ds.task == 'binary' and ds.n_classes == 2 and ds.name == 'csv'


def test_many_features_are_z_scored_and_constant_columns_become_zero():
    text = 'a,b,c,y\n1,10,5,0\n2,20,5,1\n3,60,5,0\n'
    ds = parse_csv(text, 'y', None, 'binary')
    assert not ds.is_plane
    assert np.allclose(ds.points[:, :2].mean(axis=0), 0) and np.allclose(ds.points[:, :2].std(axis=0), 1)
    assert np.all(ds.points[:, 2] == 0)
    assert np.allclose(ds.points[:, 0], [-1.224744871, 0, 1.224744871])


@pytest.mark.parametrize('n_features', [1, 2, 3])
def test_huge_and_tiny_values_scale_without_overflow(n_features):
    columns = [[1e308, -1e308, 5e307], [1e-310, 3e-310, 2e-310], [7.0, 8.0, 9.0]][:n_features]
    text = ','.join('abc'[:n_features]) + ',y\n' + ''.join(','.join(map(repr, row)) + f',{i % 2}\n'
                                                          for i, row in enumerate(zip(*columns)))
    ds = parse_csv(text, 'y', None, 'binary')
    same_shape = np.array([1.0, -1.0, 0.5])
    expected = [5.0, -5.0, 2.5] if n_features == 2 else (same_shape - same_shape.mean()) / same_shape.std()
    assert np.all(np.isfinite(ds.points)) and ds.points[:, 0] == pytest.approx(expected, abs=1e-4)


def test_two_features_are_put_on_the_plane_within_five():
    ds = parse_csv(GOOD_CSV, 'smoker', ['weight', 'age'], 'binary')
    assert ds.is_plane and ds.columns == ('weight', 'age')
    assert ds.points.min(axis=0).tolist() == [-5.0, -5.0] and ds.points.max(axis=0).tolist() == [5.0, 5.0]
    assert ds.points[0].tolist() == pytest.approx([-5 + 10 * 7 / 32, -5 + 10 * 4 / 25])


def test_numeric_classes_sort_as_numbers_and_regression_targets_stay_raw():
    text = 'x,y,digit,price\n' + ''.join(f'{i},{i % 3},{d},{i * 1.5}\n' for i, d in enumerate([10, 9, 2, 10, 2]))
    multi = parse_csv(text, 'digit', ['x', 'y'], 'multiclass')
    assert multi.class_names == ('2', '9', '10') and multi.labels.tolist() == [2, 1, 0, 2, 0]
    reg = parse_csv(text, 'price', ['x', 'y', 'digit'], 'regression')
    assert reg.labels.tolist() == [0.0, 1.5, 3.0, 4.5, 6.0] and reg.class_names == ()


def test_bad_rows_are_left_out_and_each_refusal_names_its_row_and_column():
    text = GOOD_CSV + '33,abc,70,no\n' + '40,180\n' + '41,,75,yes\n' + '29,160,55,\n' + '38,171,72,yes\n'
    ds = parse_csv(text, 'smoker', ['age', 'height'], 'binary')
    assert ds.points.shape == (5, 2) and ds.labels.tolist() == [0, 1, 0, 1, 1]
    assert [str(r) for r in ds.refused] == [
        "row 6, column 'height': 'abc' is not a number", 'row 7 has 2 cells but the header has 4 columns',
        "row 8, column 'height': the cell is empty", "row 9, column 'smoker': the cell is empty"]
    # the same rows without the refused ones give the same numbers
    clean = parse_csv(GOOD_CSV + '38,171,72,yes\n', 'smoker', ['age', 'height'], 'binary')
    assert np.array_equal(ds.points, clean.points) and clean.refused == ()


def test_a_file_with_half_its_rows_refused_is_refused_naming_the_first():
    text = GOOD_CSV + ''.join(f'{30 + i},tall,70,no\n' for i in range(4))
    with pytest.raises(DataError, match=r"row 6, column 'height': 'tall' is not a number; 4 of 8 rows"):
        parse_csv(text, 'smoker', ['age', 'height'], 'binary')


def test_row_numbers_count_blank_lines_like_an_editor():
    text = 'a,b,y\n1,2,0\n\n3,x,1\n'
    with pytest.raises(DataError, match=r"row 4, column 'b'"):
        parse_csv(text, 'y', ['a', 'b'], 'binary')


def test_text_columns_are_left_out_when_features_are_not_chosen():
    ds = parse_csv('name,a,b,y\nann,1,2,0\nbob,3,4,1\n', 'y', None, 'binary')
    assert ds.columns == ('a', 'b') and ds.is_plane


def test_ragged_row_is_named():
    with pytest.raises(DataError, match='row 3 has 2 cells but the header has 4 columns'):
        parse_csv('a,b,c,y\n1,2,3,0\n4,5\n', 'y', None, 'binary')
    with pytest.raises(DataError, match='row 2 has 1 cells but the header has 2 columns; every row was refused'):
        parse_csv('a,y\n1\n', 'y', None, 'binary')


def test_a_million_rows_are_refused_quickly():
    text = 'a,b,y\n' + '1,2,0\n' * 10**6
    start = time.perf_counter()
    with pytest.raises(DataError, match='1,000,000 bytes'):
        parse_csv(text, 'y', None, 'binary')
    assert time.perf_counter() - start < 0.5


def test_too_many_rows_under_the_byte_limit_are_refused():
    text = 'a,y\n' + '1,0\n' * (LIMITS['csv_max_rows'] + 1)
    with pytest.raises(DataError, match='more than 10,000 data rows'):
        parse_csv(text, 'y', None, 'binary')
    assert parse_csv('a,y\n' + '1,0\n2,1\n' * 5000, 'y', None, 'binary').points.shape == (10_000, 1)


def test_too_many_bytes_are_refused():
    text = 'a,y\n1,' + '0' * LIMITS['csv_max_bytes'] + '\n'
    with pytest.raises(DataError, match='1,000,000 bytes'):
        parse_csv(text, 'y', None, 'regression')


def test_too_many_columns_are_refused():
    text = ','.join(f'c{i}' for i in range(66)) + '\n' + ','.join('1' * 66) + '\n'
    with pytest.raises(DataError, match='at most 65'):
        parse_csv(text, 'c0', None, 'regression')


@pytest.mark.parametrize('text, label, features, task, message', [
    (GOOD_CSV, 'cancer', None, 'binary', "unknown label column 'cancer'; the columns are 'age'"),
    (GOOD_CSV, 'smoker', ['age', 'shoe'], 'binary', "unknown feature column 'shoe'"),
    (GOOD_CSV, 'smoker', ['age', 'age'], 'binary', "'age' is chosen twice"),
    (GOOD_CSV, 'smoker', ['smoker'], 'binary', 'is the label'),
    (GOOD_CSV, 'smoker', [], 'binary', 'at least one'),
    (GOOD_CSV, 'smoker', None, 'regression', r"row 2, column 'smoker': 'no' is not a number"),
    (GOOD_CSV, 'age', None, 'binary', 'exactly 2 classes'),
    (GOOD_CSV, 'smoker', None, 'guess', 'binary, multiclass, regression'),
    ('a,a,y\n1,2,0\n', 'y', None, 'binary', "names column 'a' twice"),
    ('a,,y\n1,2,0\n', 'y', None, 'binary', 'column 2 of the header'),
    ('', 'y', None, 'binary', 'empty'),
    ('\n \n', 'y', None, 'binary', 'empty'),
    ('a,y\n', 'y', None, 'binary', 'no data rows'),
    ('a,y\n1,0\n2,\n', 'y', None, 'binary', "row 3, column 'y': the cell is empty"),
    ('a,y\n1,0\n2,1\n3,2\n', 'y', None, 'multiclass', None),
    ('a,y\n' + ''.join(f'{i},{i}\n' for i in range(11)), 'y', None, 'multiclass', '2 to 10 classes'),
    ('a,y\n1,0\n1,0\n', 'y', None, 'binary', 'has 1'),
    ('t,y\nx,0\ny,1\n', 'y', None, 'binary', 'no numeric column'),
    ('a,y\ninf,0\n2,1\n', 'y', ['a'], 'binary', "'inf' is not a number"),
])
def test_bad_csv_is_refused_with_a_useful_message(text, label, features, task, message):
    if message is None:      # the valid control case of the table
        assert parse_csv(text, label, features, task).n_classes == 3
        return
    with pytest.raises(DataError, match=message):
        parse_csv(text, label, features, task)


def test_preview_shows_the_first_rows_which_columns_are_numeric_and_which_rows_will_be_refused():
    preview = preview_csv('\ufeffname, score ,y\nann,1.5,a\nbob,2,b\ncid,3,a\ndan,?,\n', max_rows=2)
    assert preview == {'columns': ['name', 'score', 'y'], 'rows': [['ann', '1.5', 'a'], ['bob', '2', 'b']],
                       'numeric': [False, True, False], 'not_numbers': [[2, 3, 4, 5], [5], [2, 3, 4, 5]],
                       'empty': [[], [], [5]], 'malformed': [], 'n_rows': 4}
    ragged = preview_csv('a,b\n1,2\n3\n')
    assert ragged['malformed'] == [{'row': 3, 'reason': 'has 1 cells but the header has 2 columns'}]
    assert ragged['rows'] == [['1', '2']] and ragged['n_rows'] == 2


# ---- split ---------------------------------------------------------------------------------------------------------

def test_split_sizes_cover_everything_once_and_follow_the_seed():
    train, test = split(100, 0.8, seed=4)
    assert len(train) == 80 and len(test) == 20 and train.dtype == test.dtype == np.int64
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(100))
    again, _ = split(100, 0.8, seed=4)
    other, _ = split(100, 0.8, seed=5)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


@pytest.mark.parametrize('n, ratio', [(2, 0.1), (2, 0.9), (3, 0.1), (5, 0.9)])
def test_tiny_splits_keep_both_parts(n, ratio):
    train, test = split(n, ratio, 0)
    assert len(train) >= 1 and len(test) >= 1 and len(train) + len(test) == n


def test_split_of_nothing_or_one_point():
    assert [len(part) for part in split(0, 0.5, 0)] == [0, 0]
    assert sum(len(part) for part in split(1, 0.5, 0)) == 1


@pytest.mark.parametrize('ratio', [0.05, 0.95, float('nan')])
def test_split_ratio_outside_range_is_refused(ratio):
    with pytest.raises(DataError, match='0.1 to 0.9'):
        split(10, ratio, 0)
