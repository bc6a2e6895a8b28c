import numpy as np
import pytest

from nnplayground.engine.features import FEATURES, LABELS, feature_matrix, validate

POINTS = np.array([[0.0, 0.0], [1.5, -2.0], [-6.0, 6.0], [6.0, 6.0], [-0.3, 4.2]])
X1, X2 = POINTS[:, 0], POINTS[:, 1]
EXPECTED = {
    'x1': X1, 'x2': X2,
    'x1sq': X1 ** 2 / 6, 'x2sq': X2 ** 2 / 6, 'x1x2': X1 * X2 / 6,
    'sinx1': np.sin(X1), 'sinx2': np.sin(X2),
}


@pytest.mark.parametrize('name', FEATURES)
def test_each_feature_column_is_its_formula(name):
    column = feature_matrix(POINTS, [name])
    assert column.shape == (5, 1) and column.dtype == np.float64 and column.flags.c_contiguous
    assert np.allclose(column[:, 0], EXPECTED[name])


def test_all_features_stay_within_the_plane_range():
    corners = np.array([[x, y] for x in (-6, 0, 6) for y in (-6, 0, 6)], dtype=float)
    m = feature_matrix(corners, FEATURES)
    assert m.shape == (9, 7) and np.abs(m).max() == 6.0


def test_columns_come_in_the_validated_order():
    names = ['sinx2', 'x1', 'x1x2']
    assert validate(names) == ('x1', 'x1x2', 'sinx2')
    m = feature_matrix(POINTS, names)
    assert np.array_equal(m, np.column_stack([EXPECTED[n] for n in validate(names)]))


def test_every_feature_has_a_display_label():
    assert set(LABELS) == set(FEATURES)
    assert LABELS['x1sq'] == 'x₁²' and LABELS['sinx2'] == 'sin x₂'


@pytest.mark.parametrize('names', [[], ['x3'], ['x1', 'x1'], 'x1', ['X1'], [None]])
def test_bad_feature_names_are_refused_naming_the_allowed_ones(names):
    with pytest.raises(ValueError, match='x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2'):
        validate(names)


def test_points_must_be_pairs():
    with pytest.raises(ValueError, match=r'\(N, 2\)'):
        feature_matrix(np.zeros((4, 3)), ['x1'])
    assert feature_matrix(np.zeros((0, 2)), ['x1', 'x2']).shape == (0, 2)
