"""The engine really learns: the classic results every lesson relies on."""

import numpy as np
import pytest

from tutor import nn
from tutor.nn import data, optim
from tutor.nn.train import evaluate, fit


def train_gate(gate, hidden=None, steps=2000):
    nn.manual_seed(0)
    X, y = data.logic_gate(gate)
    layers = [nn.Linear(2, 1)] if hidden is None else [nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1)]
    model = nn.Sequential(*layers)
    loss = nn.BCEWithLogitsLoss()
    end = fit(model, loss, optim.Adam(0.05), X, y, steps=steps)
    assert end["status"] == "done"
    return evaluate(model, loss, X, y)[1]


@pytest.mark.parametrize("gate", ["AND", "NAND", "OR"])
def test_a_single_perceptron_learns_linearly_separable_gates(gate):
    assert train_gate(gate) == 1.0


def test_a_single_perceptron_cannot_learn_xor():
    # no line separates {01, 10} from {00, 11}: at best 3 of 4 are right
    assert train_gate("XOR") <= 0.75


def test_two_layers_learn_xor():
    assert train_gate("XOR", hidden=4) == 1.0


def test_mlp_reaches_97_percent_on_digits():
    s = data.digits()
    X_train, X_test = data.standardize(s.X_train, s.X_test)
    nn.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
    end = fit(model, nn.SoftmaxCrossEntropyLoss(), optim.AdamW(3e-3, weight_decay=0.01), X_train,
              s.y_train, X_val=X_test, y_val=s.y_test, epochs=30, batch_size=32, seed=1)
    assert end["status"] == "done"
    assert end["val_accuracy"] >= 0.97


def test_small_cnn_reaches_97_percent_on_digits():
    s = data.digits(images=True)
    X_train, X_test = data.standardize(s.X_train, s.X_test, per_feature=False)
    nn.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 × 4 × 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 × 2 × 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )
    end = fit(model, nn.SoftmaxCrossEntropyLoss(), optim.Adam(2e-3), X_train, s.y_train,
              X_val=X_test, y_val=s.y_test, epochs=12, batch_size=32)
    assert end["status"] == "done"
    assert end["val_accuracy"] >= 0.97


def test_one_hidden_layer_fits_sin():
    X, y = data.function_1d("sin", n=200)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    end = fit(model, nn.MSELoss(), optim.Adam(0.01), X, y, steps=2000)
    assert evaluate(model, nn.MSELoss(), X, y)[0] < 1e-3
    assert end["loss"] < 1e-3


def test_rnn_gradient_vanishes_through_time():
    """dL/dx_t for a loss on the last hidden state: early inputs get orders of magnitude less."""
    nn.manual_seed(0)
    T = 30
    rnn = nn.RNN(1, 16).to(np.float64)
    x = np.random.default_rng(0).standard_normal((64, T, 1))
    h = rnn(x)
    dout = np.zeros_like(h)
    dout[:, -1] = 1.0  # L = Σ h_T
    dx = rnn.backward(dout)
    per_step = np.linalg.norm(dx[:, :, 0], axis=0)  # ‖dL/dx_t‖ for t = 1..T
    assert per_step[0] < 1e-3 * per_step[-1]
    # and the decay is steady, step after step (no single cliff)
    assert per_step[T // 2] < 1e-1 * per_step[-1] and per_step[0] < 1e-1 * per_step[T // 2]
