"""The one-weight worked example (CONCEPTS item 10) through the real engine."""
import numpy as np
import pytest

from nnplayground.engine.config import ConfigError
from nnplayground.engine.one_weight import OneWeight


def test_worked_example_slope_8_step_to_4_2_optimum_3():
    view = OneWeight()
    start = view.path[0]
    assert start["w"] == 5.0 and start["slope"] == pytest.approx(8.0, abs=1e-12)
    assert start["loss"] == pytest.approx(8.0) and start["step"] == pytest.approx(-0.8)
    path = view.step()
    assert path[1]["w"] == pytest.approx(4.2, abs=1e-12)
    view.step(60)
    assert view.w == pytest.approx(view.optimum, abs=1e-6) and view.optimum == 3.0


def test_loss_curve_is_the_parabola_half_wx_minus_t_squared():
    view = OneWeight()
    ws = np.linspace(-2, 8, 41)
    np.testing.assert_allclose(view.loss_at(ws), 0.5 * (ws * 2 - 6) ** 2, rtol=1e-12)
    assert view.w == 5.0, "evaluating the curve must not move the weight"


def test_learning_rate_crawls_overshoots_and_diverges():
    crawl = OneWeight(learning_rate=0.01)
    crawl.step(5)
    assert 4.0 < crawl.w < 5.0                       # still far from 3
    overshoot = OneWeight(learning_rate=0.4)
    ws = [p["w"] for p in overshoot.step(4)]
    assert ws[1] < 3.0 < ws[2]                       # jumps past the optimum, back and forth
    assert abs(ws[4] - 3.0) < abs(ws[1] - 3.0)       # ... yet still closes in
    diverge = OneWeight(learning_rate=0.6)
    ws = [abs(p["w"] - 3.0) for p in diverge.step(6)]
    assert all(b > a for a, b in zip(ws, ws[1:]))     # each step lands further away


def test_changing_settings_keeps_the_weight_and_momentum_differs():
    view = OneWeight()
    view.step(2)
    w = view.w
    view.configure(optimizer="momentum", learning_rate=0.05)
    assert view.w == w
    plain = OneWeight(learning_rate=0.05)
    momentum = OneWeight(learning_rate=0.05, optimizer="momentum")
    assert plain.step(3)[-1]["w"] != momentum.step(3)[-1]["w"]


def test_huber_slope_is_clipped():
    view = OneWeight(loss="huber", huber_delta=1.0)
    assert view.path[0]["slope"] == pytest.approx(2.0)   # |r| = 4 > δ: slope δ·x = 2


def test_bad_values_are_refused():
    with pytest.raises(ConfigError):
        OneWeight(x=0.0)
    with pytest.raises(ConfigError):
        OneWeight(w=float("nan"))
    with pytest.raises(ConfigError):
        OneWeight().configure(hidden=(3,))


@pytest.mark.parametrize("rate, verdict", [(0.01, "crawling"), (0.1, "good"), (0.4, "overshooting"),
                                           (0.5, "bouncing"), (0.6, "diverging"), (1.2, "diverging")])
def test_verdict_names_what_the_learning_rate_does(rate, verdict):
    """Plain GD on ½(2w − 6)²: w − 3 shrinks by the factor 1 − 4η each step (|1 − 4η| > 1 diverges)."""
    view = OneWeight(learning_rate=rate)
    view.step(250)
    assert view.verdict() == verdict
    factor = 1 - 4 * rate
    if abs(factor) < 1:
        k = view.settled_at()
        assert k is not None and abs(view.path[k]["w"] - 3) < 1e-3
        assert abs(view.path[k - 1]["w"] - 3) == pytest.approx(2 * abs(factor) ** (k - 1), rel=1e-9)


def test_divergence_stops_the_path_and_is_flagged():
    view = OneWeight(learning_rate=1.2)                  # factor −3.8: |w − 3| = 2·3.8^k
    path = view.step(100)
    assert view.diverged and len(path) < 100
    assert all(np.isfinite(p["w"]) and np.isfinite(p["loss"]) for p in path)
    assert view.step(5) == path                          # no further steps after running away


def test_momentum_passing_through_the_optimum_is_not_settled():
    view = OneWeight(optimizer="momentum")               # step 2 lands at 3.0 with speed still on it
    view.step(3)
    assert abs(view.path[2]["w"] - 3) < 1e-3 and abs(view.path[3]["w"] - 3) > 0.1
    assert view.settled_at() is None
