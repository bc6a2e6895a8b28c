"""A network that cannot move (engine/diagnosis.py): dead ReLUs counted against the NumPy reference, the stall
measured from the loss history, and the diagnosis of a real stuck network and of one that learns."""
import numpy as np
import pytest

import reference as ref
from nnplayground.engine import Trainer
from nnplayground.engine.activations import CODES
from nnplayground.engine.diagnosis import CHUNK, STALL_EPOCHS, diagnose, dead_units, stalled_epochs
from nnplayground.engine.layout import build_layout


def reference_dead(net, x):
    """Per hidden layer: ReLU units whose z ≤ 0 on every row (plain NumPy, float64)."""
    zs, _ = ref.forward(net, x)
    return [int((z <= 0).all(axis=0).sum()) if name == "relu" else 0
            for z, name in zip(zs[:-1], net.activations[:-1])]


def flat(net):
    """The reference network's weights and biases in the engine's flat layout."""
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(net.weights, net.biases)])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_rows", [1, 37, CHUNK + 1, 3 * CHUNK + 5])
def test_dead_units_match_the_reference(seed, n_rows):
    rng = np.random.default_rng(seed)
    sizes = (int(rng.integers(1, 5)),) + tuple(int(w) for w in rng.integers(1, 9, size=int(rng.integers(1, 4)))) + (2,)
    hidden = [str(rng.choice(["relu", "relu", "tanh", "leaky_relu"])) for _ in sizes[1:-1]]
    acts = hidden + ["softmax"]
    weights = [rng.normal(0, 1, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    # some units pushed far below zero (dead everywhere), some far above (alive everywhere), the rest in between
    biases = [rng.choice([-50.0, 0.0, 0.3, 50.0], size=b) for b in sizes[1:]]
    net = ref.Net(weights, biases, acts)
    x = rng.normal(0, 2, (n_rows, sizes[0]))
    layout = build_layout(sizes, [CODES[a] for a in acts])
    got = dead_units(flat(net), layout.table, x)
    assert got.shape == (len(sizes) - 2,) and got.dtype == np.int64
    assert got.tolist() == reference_dead(net, x)


def test_dead_units_of_a_layer_silenced_by_hand_and_of_no_rows():
    sizes, acts = (2, 3, 4, 1), ["relu", "relu", "sigmoid"]
    net = ref.Net([np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 1))],
                  [np.array([-100.0, 0.0, 0.0]), np.array([-1e3, -1e3, 5.0, -1e3]), np.zeros(1)], acts)
    layout = build_layout(sizes, [CODES[a] for a in acts])
    x = np.array([[1.0, 2.0], [0.5, -0.2], [3.0, 1.0]])
    assert dead_units(flat(net), layout.table, x).tolist() == [1, 3] == reference_dead(net, x)
    assert dead_units(flat(net), layout.table, np.zeros((0, 2))).tolist() == [0, 0]


def rows(losses, start=0, every=10):
    return [{"epoch": start + every * i, "train_loss": loss} for i, loss in enumerate(losses)]


def test_the_stall_is_counted_from_the_last_fall_of_one_percent():
    assert stalled_epochs([], 50) == 0
    assert stalled_epochs(rows([0.693] * 20), 190) == 190                   # never moved
    assert stalled_epochs(rows([0.9 * 0.98 ** i for i in range(30)]), 290) == 0    # falls 2 % a row
    # falls, then creeps by 0.5 % a row: the creep adds up, 1 % below the mark every second row
    creeping = [0.5, 0.4] + [0.4 * 0.995 ** i for i in range(1, 11)]
    assert stalled_epochs(rows(creeping), 110) == 10
    # falls to 0.3 at epoch 40, then tiny wiggles and a non-finite row: stalled since epoch 40
    losses = [0.7, 0.6, 0.5, 0.4, 0.3] + [0.299, None, 0.2995, 0.2999, 0.298]
    assert stalled_epochs(rows(losses), 95) == 55


def test_a_spiral_behind_dead_two_unit_relu_layers_is_diagnosed():
    trainer = Trainer(dataset="spiral", hidden=(6, 2, 2), activation="relu", seed=0)
    assert diagnose(trainer) is None                          # no history yet
    trainer.train(STALL_EPOCHS // 2)
    assert diagnose(trainer) is None                          # not stalled long enough yet
    for _ in range(STALL_EPOCHS // 10 + 1):
        trainer.train(10)
    found = diagnose(trainer)
    assert found is not None and found["stalled_epochs"] >= STALL_EPOCHS
    assert abs(found["loss"] - 0.693) < 0.01 and trainer.metrics()["train"]["accuracy"] < 0.6
    n = trainer.layout.n_layers
    expected = reference_dead(ref.Net([trainer.weights(l) for l in range(n)], [trainer.bias(l) for l in range(n)],
                                      list(trainer.config.layer_activations)), trainer.x_train)
    assert found["dead"] == [{"layer": h + 1, "units": width, "dead": k}
                             for h, (width, k) in enumerate(zip((6, 2, 2), expected)) if k]
    assert {"layer": 3, "units": 2, "dead": 2} in found["dead"]
    assert found["narrow"] == [{"layer": 2, "units": 2}, {"layer": 3, "units": 2}]


def test_a_network_that_learns_gets_no_diagnosis():
    trainer = Trainer(dataset="xor", hidden=(8, 8), activation="relu", optimizer="adam", learning_rate=0.01, seed=2)
    for _ in range(40):
        trainer.train(10)
    assert trainer.metrics()["train"]["accuracy"] >= 0.95
    assert diagnose(trainer) is None
