"""The training loop: its events, reproducibility, divergence, early stopping, stopping on request."""

import json

import numpy as np

from tutor import nn
from tutor.nn import data, optim
from tutor.nn.train import fit, train


def small_problem(seed=0):
    nn.manual_seed(seed)
    s = data.playground("circle", n=300, noise=0.1, test_ratio=1 / 3, seed=seed)  # 200 to train on
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
    return model, s


def run(**kwargs):
    model, s = small_problem()
    return list(train(model, nn.BCEWithLogitsLoss(), optim.Adam(0.01), s.X_train, s.y_train,
                      X_val=s.X_test, y_val=s.y_test, **kwargs))


def test_event_stream_is_json_and_well_formed():
    events = run(epochs=30, batch_size=20, log_every=5, grad_norms_every=20, weight_norms_every=40)
    for e in events:
        assert json.loads(json.dumps(e)) == e  # plain JSON types only
    start, steps, end = events[0], events[1:-1], events[-1]
    assert start["event"] == "start" and start["total_steps"] == 300 and start["steps_per_epoch"] == 10
    assert start["layers"] == ["0:Linear", "2:Linear", "4:Linear"]
    assert start["num_params"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    assert all(e["event"] == "step" for e in steps) and end["event"] == "end"
    assert [e["step"] for e in steps] == sorted({*range(5, 301, 5), *range(10, 301, 10)})
    assert all(isinstance(e["loss"], float) and 0 <= e["accuracy"] <= 1 for e in steps if e["step"] % 5 == 0)
    evals = [e for e in steps if "val_loss" in e]
    assert [e["step"] for e in evals] == list(range(10, 301, 10))  # once per epoch
    assert [e["epoch"] for e in evals] == list(range(1, 31))
    norms = [e for e in steps if "grad_norms" in e]
    assert [e["step"] for e in norms] == list(range(20, 301, 20))
    assert all(len(e["grad_norms"]) == 3 and min(e["grad_norms"]) > 0 for e in norms)
    assert [e["step"] for e in steps if "weight_norms" in e] == list(range(40, 301, 40))
    assert end["status"] == "done" and end["step"] == 300 and end["epoch"] == 30
    assert end["val_accuracy"] > 0.9 and end["loss"] < steps[0]["loss"]


def test_runs_are_reproducible_bit_for_bit():
    a = run(epochs=5, batch_size=16, grad_norms_every=7)
    b = run(epochs=5, batch_size=16, grad_norms_every=7)
    assert a == b
    c = run(epochs=5, batch_size=16, grad_norms_every=7, seed=1)  # other batch order
    assert c != a


def test_divergence_is_an_event_not_an_exception():
    nn.manual_seed(0)
    X, y = data.noisy_line()
    end = fit(nn.Linear(1, 1), nn.MSELoss(), optim.SGD(lr=1000.0), X, y, steps=500)
    assert end["status"] == "diverged" and 1 < end["step"] < 500
    assert "at step" in end["reason"]
    json.dumps(end)


def test_early_stopping_restores_the_best_weights():
    nn.manual_seed(0)
    s = data.playground("xor", n=60, noise=0.5, test_ratio=0.5)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    loss = nn.BCEWithLogitsLoss()
    events = list(train(model, loss, optim.Adam(0.01), s.X_train, s.y_train, X_val=s.X_test,
                        y_val=s.y_test, epochs=500, patience=20))
    end = events[-1]
    assert end["status"] == "stopped" and "early stopping" in end["reason"]
    assert end["step"] == end["best_step"] + 20 < 500
    vals = {e["step"]: e["val_loss"] for e in events if "val_loss" in e}
    assert min(vals.values()) == vals[end["best_step"]] == end["best_loss"]
    restored = loss(model(s.X_test, train=False), s.y_test)
    assert abs(restored - end["best_loss"]) < 1e-6


def test_stop_callback_and_penalty():
    calls = []
    events = run(steps=100, stop=lambda: len(calls) > 30 or calls.append(1), penalty=optim.L2(1e-3))
    assert events[-1]["status"] == "stopped" and events[-1]["step"] == 31


def test_train_restores_input_gradient_flag_and_works_on_a_single_layer():
    X, y = data.logic_gate("AND")
    model = nn.Linear(2, 1)
    end = fit(model, nn.BCEWithLogitsLoss(), optim.SGD(lr=1.0), X, y, steps=10)
    assert end["status"] == "done" and model.needs_input_grad
