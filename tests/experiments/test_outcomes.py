"""Every experiment runs to completion with small settings, and shows the outcome that teaches."""

import json
import math

import numpy as np
import pytest

from tutor.experiments import REGISTRY


def run(name, seed=0, stop=None, **params):
    events = list(REGISTRY[name].run(params, seed=seed, stop=stop))
    check_stream(name, events)
    return events


def check_stream(name, events):
    assert events[0]["event"] == "begin" and events[0]["experiment"] == name
    assert events[-1]["event"] == "finish"
    variants = events[0]["variants"]
    for e in events[1:-1]:
        assert e.get("variant") in variants, e
    json.loads(json.dumps(events, allow_nan=False))  # plain JSON values, no NaN
    fin = events[-1]
    assert set(fin["variants"]) == set(variants)
    assert fin["status"] in ("done", "diverged", "stopped")
    assert fin["message"]["ko"] and fin["message"]["en"]


def of(events, kind, variant=None):
    return [e for e in events if e.get("event") == kind and (variant is None or e.get("variant") == variant)]


def series(events, variant, key):
    return [(e["step"], e[key]) for e in of(events, "step", variant) if e.get(key) is not None]


def final(events, variant="main"):
    return events[-1]["variants"][variant]


# -- chapter 3 ----------------------------------------------------------------------------------------

def test_xor_needs_two_layers():
    one = run("perceptron_gates", gate="xor", layers=1, steps=300)
    assert final(one)["accuracy"] < 1
    assert all(e["accuracy"] < 1 for e in of(one, "step"))  # never, at any step
    two = run("perceptron_gates", gate="xor", layers=2, steps=300)
    assert final(two)["accuracy"] == 1
    b = of(two, "boundary")[-1]
    assert len(b["grid"]) == 32 and len(b["grid"][0]) == 32 and len(b["points"]) == 4
    assert all(0 <= v <= 1 for row in b["grid"] for v in row)


@pytest.mark.parametrize("gate", ["and", "nand", "or"])
def test_one_perceptron_makes_the_other_gates(gate):
    assert final(run("perceptron_gates", gate=gate, layers=1, steps=300))["accuracy"] == 1


def test_linreg_finds_the_line():
    ev = run("linreg_gd", lr=0.1, steps=200)
    f = final(ev)
    assert f["status"] == "done" and abs(f["w"] - 2) < 0.3 and abs(f["b"] - 1) < 0.2
    fits = of(ev, "fit")
    assert fits and len(fits[-1]["x"]) == len(fits[-1]["y_pred"]) == len(fits[-1]["y_true"])


def test_linreg_large_lr_diverges():
    ev = run("linreg_gd", lr=1000)
    assert ev[-1]["status"] == "diverged"
    assert "learning rate" in ev[-1]["message"]["en"] and "학습률" in ev[-1]["message"]["ko"]


def test_learning_rate_too_large_diverges():
    ev = run("learning_rate")
    fin = ev[-1]
    assert fin["status"] == "done"
    v = fin["variants"]
    assert v["too_large"]["status"] == "diverged"
    assert v["too_large"]["message"]["en"].startswith(f"diverged at step {v['too_large']['step']}: ")
    assert v["right"]["status"] == v["too_small"]["status"] == "done"
    assert v["right"]["loss"] < v["too_small"]["loss"]
    # interleaved: the variants race
    first_steps = [e["variant"] for e in of(ev, "step")[:3]]
    assert first_steps == ["too_small", "right", "too_large"]


def test_adam_beats_sgd():
    ev = run("optimizers", steps=300)
    v = ev[-1]["variants"]
    assert all(s["status"] == "done" for s in v.values())
    assert v["adam"]["val_loss"] < v["sgd"]["val_loss"]
    assert v["adam"]["loss"] < v["sgd"]["loss"]
    traj = {e["variant"]: e for e in of(ev, "trajectory")}
    assert set(traj) == {"sgd", "momentum", "rmsprop", "adam"}
    s = traj["adam"]["surface"]
    assert len(s["z"]) == len(s["y"]) and len(s["z"][0]) == len(s["x"])
    # on the saddle surface adam escapes to a minimum (0, ±1); plain SGD is slower to leave the saddle
    x, y = traj["adam"]["points"][-1]
    assert abs(x) < 0.05 and abs(abs(y) - 1) < 0.05

    def escape(points):
        return next(i for i, (_, y) in enumerate(points) if abs(y) > 0.5)
    assert escape(traj["adam"]["points"]) < escape(traj["sgd"]["points"])


def test_init_zeros_and_small_do_not_learn():
    ev = run("init", steps=300)
    v = ev[-1]["variants"]
    assert abs(v["zeros"]["loss"] - math.log(2)) < 0.02
    assert v["he"]["loss"] < 0.5 * v["zeros"]["loss"]
    assert v["xavier"]["loss"] < 0.5 * v["small"]["loss"]
    g = {name: of(ev, "step", name) for name in v}
    gn = {name: next(e["grad_norms"] for e in g[name] if "grad_norms" in e) for name in v}
    assert gn["zeros"][0] == 0.0  # symmetric: the first layer gets no gradient at all
    assert gn["small"][0] < 1e-3 * gn["he"][0]  # vanished


def test_gradcheck_passes_and_catches_a_bug():
    ev = run("gradcheck")
    assert final(ev)["error"] < 1e-6
    rows = of(ev, "gradcheck")[0]["rows"]
    assert len(rows) == 3 and all(r[3] < 1e-6 for r in rows)
    assert all(abs(r[1] - r[2]) <= 1e-6 * (r[1] + r[2]) for r in rows)
    assert final(run("gradcheck", bug="missing_mean"))["error"] > 0.1
    assert final(run("gradcheck", bug="wrong_sign_bias"))["error"] > 1e-3


# -- chapters 4–7 --------------------------------------------------------------------------------------

def test_sigmoid_gradient_vanishes_in_a_10_layer_net():
    ev = run("activations", steps=200)
    start = of(ev, "start", "relu")[0]
    assert len(start["layers"]) == 11  # 10 hidden layers + the output layer
    gn = {a: of(ev, "step", a) for a in ("sigmoid", "tanh", "relu")}
    first = {a: next(e["grad_norms"] for e in gn[a] if "grad_norms" in e) for a in gn}
    assert first["sigmoid"][0] < first["relu"][0] / 100
    assert first["sigmoid"][0] < first["sigmoid"][-1] / 1000  # shrinks from the top layer to the first
    v = ev[-1]["variants"]
    assert v["relu"]["loss"] < v["sigmoid"]["loss"]


def test_batchnorm_helps_a_deep_sigmoid_net():
    v = run("batchnorm", steps=300)[-1]["variants"]
    assert v["batchnorm"]["val_loss"] < 0.5 * v["plain"]["val_loss"]


def test_skip_connections_help_a_deep_net():
    v = run("skip_connections", steps=300, layers=16)[-1]["variants"]
    assert v["residual"]["val_loss"] < 0.5 * v["plain"]["val_loss"]


def test_uat_error_falls_with_width():
    ev = run("uat", widths="2,8,64", steps=2000)
    assert ev[0]["variants"] == ["w2", "w8", "w64"]
    err = [final(ev, w)["error"] for w in ("w2", "w8", "w64")]
    assert err[0] > err[1] > err[2] and err[2] < err[0] / 20
    fit = of(ev, "fit", "w64")[-1]
    assert len(fit["x"]) == len(fit["y_pred"]) == len(fit["y_true"]) == 200


def test_overfitting_val_rises_while_train_falls():
    ev = run("overfitting", steps=1500)
    val = series(ev, "none", "val_loss")
    train = dict(series(ev, "none", "loss"))
    best_step, best_val = min(val, key=lambda p: p[1])
    last_step, last_val = val[-1]
    assert last_val > 1.3 * best_val  # validation loss rose again ...
    assert train[last_step] < 0.5 * train[best_step]  # ... while the training loss kept falling
    v = ev[-1]["variants"]
    for cure in ("dropout", "l2"):
        assert v[cure]["val_loss"] < v["none"]["val_loss"]
    assert v["early_stopping"]["status"] == "stopped" and "early stopping" in v["early_stopping"]["reason"]
    assert v["early_stopping"]["step"] < 1500


def test_cross_entropy_learns_from_confident_mistakes():
    ev = run("mse_vs_ce", steps=200)

    def reach(variant):
        return next((e["step"] for e in of(ev, "step", variant) if e["val_accuracy"] >= 0.95), math.inf)
    assert reach("cross_entropy") < reach("mse") / 5
    g = {v: of(ev, "step", v)[0]["grad_w"] for v in ("mse", "cross_entropy")}
    assert g["mse"] < g["cross_entropy"] / 10


def test_softmax_digits_accuracy_and_confusion():
    ev = run("softmax_digits", epochs=8)
    f = final(ev)
    assert f["test_accuracy"] > 0.9
    c = of(ev, "confusion")[0]
    m = np.array(c["matrix"])
    assert m.shape == (10, 10) and c["rows"] == "actual" and c["labels"] == list(range(10))
    assert m.sum() == f["n_test"] == 359
    assert np.trace(m) / m.sum() == pytest.approx(f["test_accuracy"])


@pytest.mark.parametrize("params", [
    {},
    {"dataset": "xor", "features": "x1x2", "hidden": "", "steps": 1500},
    {"dataset": "spiral", "features": "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2", "hidden": "8,8", "activation": "relu",
     "regularization": "l2", "reg_rate": 0.001, "noise": 0.2, "test_ratio": 0.3, "batch_size": 20, "steps": 500},
    {"dataset": "gaussian", "regularization": "l1", "reg_rate": 0.01, "activation": "linear", "steps": 500},
])
def test_playground(params):
    ev = run("playground", **params)
    f = final(ev)
    assert f["status"] == "done"
    b = of(ev, "boundary")
    assert b and b[-1]["step"] == f["step"]
    assert all(0 <= v <= 1 for row in b[-1]["grid"] for v in row)
    assert any("val_loss" in e for e in of(ev, "step"))
    if params.get("dataset") == "xor":
        assert f["test_accuracy"] > 0.95  # x1·x2 alone separates XOR with no hidden layer


def test_playground_large_lr_diverges_and_says_so():
    ev = run("playground", lr=3.0, activation="linear", hidden="4,4", steps=2000)
    assert ev[-1]["status"] == "diverged"
    assert "learning rate" in ev[-1]["message"]["en"]


# -- stopping and reproducibility ----------------------------------------------------------------------

def test_stop_is_immediate():
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] > 20

    ev = list(REGISTRY["optimizers"].run({"steps": 5000}, seed=0, stop=stop))
    assert ev[-1]["event"] == "finish" and ev[-1]["status"] == "stopped"
    assert len(of(ev, "step")) <= 25
    assert all(s["status"] == "stopped" for s in ev[-1]["variants"].values())


def test_same_seed_same_run_other_seed_other_run():
    def strip(events):
        return [e for e in events if e["event"] not in ("boundary",)]
    a = strip(run("init", seed=3, steps=60))
    b = strip(run("init", seed=3, steps=60))
    c = strip(run("init", seed=4, steps=60))
    assert a == b
    assert a != c


def test_batch_size_sgd_is_noisier_and_minibatch_beats_full_batch_at_equal_compute():
    ev = run("batch_size")
    f = ev[-1]["variants"]
    assert ev[-1]["status"] == "done"
    n, epochs = REGISTRY["batch_size"].params["n"].default, REGISTRY["batch_size"].params["epochs"].default
    # equal compute: every variant processed epochs × n examples, with very different update counts
    assert {v: f[v]["step"] for v in f} == {v: epochs * n for v in f}
    assert (f["full_batch"]["updates"], f["minibatch"]["updates"], f["sgd"]["updates"]) == \
        (epochs, epochs * n // 32, epochs * n)
    # the race is merged by compute: examples processed never go back
    steps = [e["step"] for e in of(ev, "step")]
    assert steps == sorted(steps)
    assert f["minibatch"]["loss"] < f["full_batch"]["loss"]

    def tail(variant):
        loss = np.array([v for _, v in series(ev, variant, "loss")])
        return loss[len(loss) // 2:]
    # full-batch GD on this convex loss with a small rate never goes up; batch 1 jitters up and down
    assert np.all(np.diff(tail("full_batch")) <= 0)
    assert np.sum(np.diff(tail("sgd")) > 0) >= 5
    # roughness (mean squared second difference): a smooth curve bends little from report to report
    def rough(variant):
        return float(np.mean(np.diff(tail(variant), 2) ** 2))
    assert rough("sgd") > 2 * rough("full_batch") and rough("sgd") > 100 * rough("minibatch")


def test_softmax_digits_validates_on_its_own_split_and_scores_the_test_set_once(monkeypatch):
    """Train, validation and test are disjoint; the curves are validation, not test. Proof by poison:
    with the test labels deliberately wrong, validation accuracy stays high (it never sees them)
    while the final test score collapses (it is computed on them, once, at the end)."""
    from tutor.experiments import fitting

    fit, (X_test, y_test) = fitting.digits_splits(0)
    rows = [{x.tobytes() for x in X} for X in (fit.X_train, fit.X_test, X_test)]
    assert not (rows[0] & rows[1]) and not (rows[0] & rows[2]) and not (rows[1] & rows[2])
    assert (len(fit.X_train), len(fit.X_test), len(X_test)) == (1150, 288, 359)
    assert len(fit.X_train) + len(fit.X_test) + len(X_test) == 1797

    honest = run("softmax_digits", epochs=4)
    start = of(honest, "start")[0]
    assert (start["n_train"], start["n_val"]) == (1150, 288)
    f = final(honest)
    assert (f["n_train"], f["n_val"], f["n_test"]) == (1150, 288, 359)

    honest_splits = fitting.digits_splits

    def poisoned(seed):
        fit, (X, y) = honest_splits(seed)
        return fit, (X, (y + 1) % 10)
    monkeypatch.setattr(fitting, "digits_splits", poisoned)
    ev = run("softmax_digits", epochs=4)
    # the validation curve is the honest run's, step for step: it never touched the test labels
    assert series(ev, "main", "val_accuracy") == series(honest, "main", "val_accuracy")
    assert min(v for _, v in series(ev, "main", "val_accuracy")[-3:]) > 0.85
    assert final(ev)["test_accuracy"] < 0.1 < 0.85 < f["test_accuracy"]
    assert len(of(ev, "confusion")) == 1 and ev.index(of(ev, "confusion")[0]) > max(
        i for i, e in enumerate(ev) if e["event"] == "step")


def test_accuracy_moves_in_jumps_while_the_cross_entropy_falls_smoothly():
    ev = run("accuracy_vs_loss")
    assert ev[-1]["status"] == "done"
    f = ev[-1]["variants"]["cross_entropy"]
    n, steps = REGISTRY["accuracy_vs_loss"].params["n"].default, REGISTRY["accuracy_vs_loss"].params["steps"].default
    ce = [v for _, v in series(ev, "cross_entropy", "loss")]
    err = [v for _, v in series(ev, "zero_one", "loss")]
    acc = [v for _, v in series(ev, "cross_entropy", "accuracy")]
    assert len(ce) == len(err) == steps
    # the two curves are one run: the 0-1 loss is 1 − accuracy of the same step
    assert all(abs(e - (1 - a)) < 1e-12 for e, a in zip(err, acc))
    # the cross-entropy never rises; the accuracy is a multiple of 1/n and changes on few steps
    assert all(b <= a for a, b in zip(ce, ce[1:])) and f["loss_rises"] == 0
    assert all(abs(a * n - round(a * n)) < 1e-9 for a in acc)
    changes = sum(b != a for a, b in zip(acc, acc[1:]))
    assert changes < steps // 4
    # a long plateau in accuracy while the loss goes on falling, and accuracy even drops sometimes
    assert f["longest_plateau"] >= 30 and f["plateau_loss_drop"] > 0
    assert f["accuracy_drops"] >= 1 and f["best_accuracy"] > f["accuracy"] > f["start_accuracy"]
    assert f["loss"] < f["start_loss"] / 2


def test_validation_train_falls_validation_turns_up_and_the_test_pick_is_optimistic():
    from tutor.experiments.validation import folds_of
    ev = run("validation")
    f = final(ev)
    assert ev[-1]["status"] == "done"
    steps = of(ev, "step")
    D = REGISTRY["validation"].params["max_degree"].default
    assert [s["step"] for s in steps] == list(range(1, D + 1)) and len(of(ev, "fit")) == D
    train = [s["loss"] for s in steps]
    val = [s["val_loss"] for s in steps]
    # nested least-squares models: the training loss never rises with the degree
    assert all(b <= a + 1e-12 for a, b in zip(train, train[1:]))
    assert f["train_pick_degree"] == D
    # validation turns back up: its minimum is inside the sweep and the top degree is clearly worse
    v = f["chosen_degree"]
    assert 1 < v < D and val[v - 1] == min(val) == f["best_loss"] and val[-1] > 1.3 * val[v - 1]
    # each fold score is the mean over its fold; the validation loss is their mean
    assert len(f["val_folds"]) == len(f["test_loss"]) == len(f["true_loss"]) == D
    assert all(len(folds) == f["folds"] and s["val_loss"] == pytest.approx(np.mean(folds))
               for s, folds in zip(steps, f["val_folds"]))
    assert f["chosen_test_loss"] == f["test_loss"][v - 1] and f["test_pick_test_loss"] == min(f["test_loss"])
    # the steps carry only what the contract declares for a step
    assert all(set(s) <= {"event", "variant", "step", "epoch", "loss", "val_loss"} for s in steps)
    # every example is validated exactly once
    idx = np.concatenate(folds_of(np.random.default_rng(0), 40, 5))
    assert sorted(idx.tolist()) == list(range(40))
    # on average over fresh draws: the test score of the validation pick is about its true loss,
    # the best test score (chosen on the test set) is optimistic by clearly more than that
    honest = abs(f["mc_val_pick_test_loss"] - f["mc_val_pick_true_loss"])
    optimism = f["mc_test_pick_true_loss"] - f["mc_test_pick_test_loss"]
    assert honest < 0.005 and optimism > 0.008 and optimism > 3 * honest
    # the seed-0 picture: the degree chosen on the test set reports a lower test loss than its true loss
    assert f["test_pick_test_loss"] < f["test_pick_true_loss"]
    assert f["test_pick_test_loss"] <= f["chosen_test_loss"]


def test_activations_reports_dead_relu_units_and_leaky_relu_keeps_them_alive():
    from tutor import nn
    from tutor.experiments.deep import dead_fraction
    # the measure itself: a unit is dead when its activation is 0 on every input
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [-1.0, -1.0]], dtype=np.float32)
    lin = nn.Linear(2, 2)
    lin.params["W"][...] = np.array([[0.5, 1.0], [-1.0, 1.0]])   # columns: unit 1, unit 2
    lin.params["b"][...] = np.array([-2.0, 0.0])                 # unit 1: z < 0 on all four inputs
    assert dead_fraction(nn.Sequential(lin, nn.ReLU(), nn.Linear(2, 1)), X) == 0.5
    assert dead_fraction(nn.Sequential(lin, nn.LeakyReLU(), nn.Linear(2, 1)), X) == 0.0
    # the defaults: the same three variants as before, each reporting its dead fraction
    ev = run("activations", steps=60)
    assert ev[0]["variants"] == ["sigmoid", "tanh", "relu"]
    for v in ("sigmoid", "tanh", "relu"):
        f = final(ev, v)
        assert 0 <= f["start_dead_fraction"] <= 1 and 0 <= f["dead_fraction"] <= 1
        measured = [e for e in of(ev, "step", v) if "grad_norms" in e]
        assert len(f["dead_fractions"]) == len(measured) and all(0 <= d <= 1 for d in f["dead_fractions"])
    assert final(ev, "sigmoid")["dead_fraction"] == final(ev, "tanh")["dead_fraction"] == 0
    # four times the default learning rate (what lesson 04-01 runs): ReLU and Leaky ReLU, from the
    # very same initial weights, both end flat near ln 2 (a constant p = 0.5), but only ReLU's units
    # died: the dead fraction tells the two causes apart where the loss curve cannot
    ev = run("activations", acts="relu_family", lr=0.2)
    assert ev[0]["variants"] == ["relu", "leaky_relu", "gelu"]
    relu, leaky = final(ev, "relu"), final(ev, "leaky_relu")
    assert relu["dead_fraction"] > 0.5 > relu["start_dead_fraction"]
    assert leaky["dead_fraction"] == leaky["start_dead_fraction"] == 0
    for f in (relu, leaky):
        assert f["status"] == "done" and abs(f["val_loss"] - math.log(2)) < 0.02
    dead = relu["dead_fractions"]
    assert len(dead) >= 10 and dead[-1] > dead[0]   # units die as training goes on


def test_qlearning_finds_the_shortest_path_unless_gamma_is_zero_and_learns_it_even_at_random():
    from tutor.experiments.qlearning import true_value
    ev = run("qlearning")   # defaults: ε = 0.1, γ = 0.9, 200 episodes in a 4 × 4 grid
    costs = [c for _, c in series(ev, "main", "loss")]
    assert len(costs) == 200 and all(c >= 6 and c == int(c) for c in costs)   # moves: 6 at best
    assert costs[0] > 20 and final(ev)["mean_cost_last20"] < 8                 # it learns the path
    f = final(ev)
    assert f["greedy_moves"] == 6 and f["value_start"] == pytest.approx(true_value(6, 0.9), abs=1e-3)
    assert f["policy"][3][3] == "G" and f["return_best"] == -6
    # γ = 0: every move's target is −1, every Q the same, the greedy policy never reaches the goal
    myopic = final(run("qlearning", gamma=0.0))
    assert myopic["greedy_moves"] == -1 and myopic["mean_cost_last20"] > 30
    assert all(v == pytest.approx(-1.0) for row in myopic["values"] for v in row if v != 0.0)
    # ε = 1: behaviour is random (the curve stays high), yet off-policy Q-learning learns the path
    rand = final(run("qlearning", epsilon=1.0))
    assert rand["mean_cost_last20"] > 30 and rand["greedy_moves"] == 6
    # ε = 0: the optimistic start (Q = 0 above every true value) explores on its own
    assert final(run("qlearning", epsilon=0.0))["mean_cost_last20"] == 6.0


def test_similarity_the_neurons_sum_is_the_cosine_formula_and_cosine_ignores_length():
    from tutor.experiments.similarity import sweep
    # the sum of products equals ‖w‖‖x‖cos θ at every angle, for any template and length
    angles, X, dots, formula, norm_w = sweep(-1.5, 2.0, 3.0, 7)
    assert norm_w == 2.5 and np.allclose(np.linalg.norm(X, axis=1), 3.0) and np.allclose(dots, formula)
    assert angles[0] == 0 and angles[-1] <= 360
    # the defaults (w = (3, 4), ‖x‖ = 2): largest when x points along w, 0 across it, smallest against it
    ev = run("similarity")
    assert ev[0]["variants"] == ["dot", "cosine"]
    dot, cos = final(ev, "dot"), final(ev, "cosine")
    assert (dot["peak"], dot["peak_angle"], dot["trough"], dot["trough_angle"]) == (10.0, 0.0, -10.0, 180.0)
    assert (cos["peak"], cos["trough"]) == (1.0, -1.0)
    assert dot["zero_angles"] == cos["zero_angles"] == [90.0, 270.0]
    assert dot["max_formula_gap"] < 1e-9 and cos["max_formula_gap"] < 1e-9
    fits = of(ev, "fit", "dot")
    assert len(fits) == 25 and len(fits[-1]["x"]) == 25 and fits[-1]["x"][6] == 90.0
    # a longer input doubles the dot product; the cosine similarity does not move
    ev4 = run("similarity", length=4.0)
    assert final(ev4, "dot")["peak"] == 20.0 and final(ev4, "cosine")["peak"] == 1.0
    assert of(ev4, "fit", "cosine")[-1]["y_pred"] == of(ev, "fit", "cosine")[-1]["y_pred"]
    # a zero template has no direction: every output is 0, nothing is NaN
    f = final(run("similarity", w1=0.0, w2=0.0), "cosine")
    assert f["peak"] == f["trough"] == 0 and f["norm_w"] == 0


def test_entropy_cross_entropy_floors_at_the_target_entropy_and_kl_goes_to_zero():
    from tutor.experiments.entropy import cross_entropy, entropy, kl
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.5, 0.3, 0.2])
    assert math.isclose(cross_entropy(p, q), entropy(p) + kl(p, q))   # H(p, q) = H(p) + KL
    assert kl(p, q) > 0 and kl(q, p) > 0 and not math.isclose(kl(p, q), kl(q, p))
    # a soft target: the cross-entropy falls to H(p), not to 0; KL falls to 0; the gap is H(p)
    ev = run("entropy")
    assert ev[0]["variants"] == ["cross_entropy", "kl", "entropy_q", "entropy_p"]
    f = final(ev, "cross_entropy")
    h = -(0.7 * math.log(0.7) + 0.2 * math.log(0.2) + 0.1 * math.log(0.1))
    assert math.isclose(f["target_entropy"], h) and math.isclose(f["start_entropy_q"], math.log(3))
    assert f["final_cross_entropy"] - h < 1e-3 and f["final_kl"] < 1e-3 and f["max_gap_error"] < 1e-12
    ce, k = series(ev, "cross_entropy", "loss"), series(ev, "kl", "loss")
    assert all(b[1] <= a[1] + 1e-15 for a, b in zip(ce, ce[1:]))     # the loss never rises
    assert all(c[1] >= h - 1e-12 for c in ce)                       # and never goes below H(p)
    assert all(math.isclose(c[1] - kk[1], h, abs_tol=1e-12) for c, kk in zip(ce, k))
    # a one-hot target from a confidently wrong start: H(q) rises first, then falls (sharpening),
    # and the cross-entropy (= KL, as H(p) = 0) is still above 0 after the run
    f = final(run("entropy", target="onehot", start="wrong"), "entropy_q")
    assert f["target_entropy"] == 0 and f["entropy_peak"] > 4 * f["start_entropy_q"]
    assert 0 < f["entropy_peak_step"] < 100 and f["final_entropy_q"] < f["entropy_peak"]
    assert math.isclose(f["final_cross_entropy"], f["final_kl"]) and 0 < f["final_kl"] < 0.1
    assert f["kl_below_001_step"] is None


def test_steepest_the_gradient_direction_drops_most_per_step_and_90_degrees_nothing():
    ev = run("steepest")
    assert ev[0]["variants"] == ["angle_0", "angle_30", "angle_60", "angle_90"]
    f = {v: final(ev, v) for v in ev[0]["variants"]}
    # the same start, f(2, 1) = (4 + 4·1)/2 = 4, ‖∇f‖ = ‖(2, 4)‖ = √20, every walker took 40 steps
    for v in f.values():
        assert v["status"] == "done" and v["step"] == 40
        assert v["start_loss"] == 4.0 and math.isclose(v["grad_norm"], math.sqrt(20))
    # one step of length η lowers f by about η‖∇f‖cos θ (the error is η², second order)
    for v in f.values():
        assert math.isclose(v["predicted_first_drop"], 0.05 * math.sqrt(20) * math.cos(math.radians(v["angle"])),
                            abs_tol=1e-12)
        assert abs(v["first_drop"] - v["predicted_first_drop"]) < 0.05**2 * 4
    firsts = [f[v]["first_drop"] for v in ("angle_0", "angle_30", "angle_60", "angle_90")]
    assert firsts == sorted(firsts, reverse=True)
    # 90°: along the contour, the first-order change is zero; only the curvature (η²) shows
    assert abs(f["angle_90"]["first_drop"]) < 0.05**2 * 4
    # after 40 steps: the order holds, the gradient walker is nearly at the bottom, the 90° one is not lower
    drops = [f[v]["drop"] for v in ("angle_0", "angle_30", "angle_60", "angle_90")]
    assert drops == sorted(drops, reverse=True)
    assert f["angle_0"]["loss"] < 0.2 and f["angle_90"]["loss"] >= 4.0
    # every curve starts at the start and the paths are drawn on the surface
    for v in f:
        assert series(ev, v, "loss")[0] == (0, 4.0)
        assert len(series(ev, v, "loss")) == 41
        assert of(ev, "trajectory", v)[0]["surface"]["z"]


def test_taylor_error_shrinks_with_the_order_inside_the_radius_and_grows_outside():
    # eˣ at x = 1: Tₙ(1) = Σ 1/k!, each order closer to e (the default run lesson 01-05 shows)
    ev = run("taylor")
    assert ev[0]["variants"] == ["n1", "n2", "n3", "n5"]
    errors = [final(ev, v)["error"] for v in ev[0]["variants"]]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 0.002
    for v, n in (("n1", 1), ("n5", 5)):
        f = final(ev, v)
        assert f["order"] == n and f["true"] == pytest.approx(math.e)
        assert f["value"] == pytest.approx(sum(1 / math.factorial(k) for k in range(n + 1)))
    # the error curve grows with the distance from the centre, and a picture per order
    for v in ev[0]["variants"]:
        errs = [y for _, y in series(ev, v, "loss")]
        assert len(errs) == 40 and errs == sorted(errs)
        assert len(of(ev, "fit", v)) == 1
    # ln(1 + x) at x = 1.5, outside its radius of convergence 1: more terms, a worse value
    ev = run("taylor", function="ln1p", x=1.5, orders="2,5,10")
    errors = [final(ev, v)["error"] for v in ("n2", "n5", "n10")]
    assert errors == sorted(errors) and errors[-1] > 3
    # sin has no even terms: orders 1 and 2 are the same polynomial
    ev = run("taylor", function="sin", orders="1,2")
    assert final(ev, "n1")["value"] == final(ev, "n2")["value"] == 1.0


def test_features_only_the_hand_made_feature_or_a_net_solves_the_circle():
    from tutor.experiments.features import circle, with_r2
    ev = run("features")
    assert ev[0]["variants"] == ["linear", "linear_r2", "mlp"]
    lin, r2, net = final(ev, "linear"), final(ev, "linear_r2"), final(ev, "mlp")
    # a straight line cannot separate a disc from the ring around it: about a coin toss
    assert lin["test_accuracy"] < 0.7 and lin["train_accuracy"] < 0.75
    # one hand-made feature, x1² + x2², makes the classes linearly separable; a small net finds a
    # curved boundary from x1, x2 alone
    for f in (r2, net):
        assert f["status"] == "done" and f["train_accuracy"] == 1.0 and f["test_accuracy"] == 1.0
    assert r2["features"] == ["x1", "x2", "x1^2+x2^2"] and net["features"] == lin["features"] == ["x1", "x2"]
    assert r2["num_params"] == 4 and lin["num_params"] == 3 and net["num_params"] > 20
    # separable by a threshold on r² alone: every inside point has a smaller r² than every outside one
    X, y, _, _ = circle({"n": 400, "noise": 0.0}, 0)
    r = with_r2(X)[:, 2]
    assert r[y[:, 0] == 1].max() < r[y[:, 0] == 0].min()
    assert np.allclose(with_r2(X)[:, :2], X)
    # the finish message says the three test accuracies and parameter counts
    msg = ev[-1]["message"]
    assert "100%" in msg["ko"] and f"{100 * lin['test_accuracy']:.0f}%" in msg["en"] and "3, 4, " in msg["en"]


def test_compute_loops_and_numpy_agree_and_numpy_is_faster():
    from tutor.experiments.compute import matmul_loops
    A, B = [[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]
    assert matmul_loops(A, B) == [[19.0, 22.0], [43.0, 50.0]]
    ev = run("compute", n=80)
    assert ev[0]["variants"] == ["loops", "numpy"]
    loops, fast = final(ev, "loops"), final(ev, "numpy")
    for f in (loops, fast):
        assert f["status"] == "done" and f["multiply_adds"] == 80 ** 3 and f["flops"] == 2 * 80 ** 3
        assert f["seconds"] > 0 and f["gflops_per_second"] == pytest.approx(f["flops"] / f["seconds"] / 1e9)
    assert fast["max_abs_difference"] < 1e-9                      # the same product, up to rounding
    assert fast["speedup"] == pytest.approx(loops["seconds"] / fast["seconds"]) and fast["speedup"] > 1
    assert len(of(ev, "step", "loops")) == 20 and of(ev, "step", "loops")[-1]["step"] == 80
    fin = ev[-1]
    assert "numpy" in fin["message"]["ko"] and "배" in fin["message"]["ko"] and "times faster" in fin["message"]["en"]


def test_mle_map_both_converge_to_p_and_map_is_pulled_to_the_prior_early():
    from tutor.experiments.mle_map import flips_of, map_estimate
    ev = run("mle_map")   # defaults: p = 0.7, 1000 flips, Beta(11, 11) prior (mode 0.5)
    assert ev[0]["variants"] == ["mle", "map", "true_p"]
    mle, mp = dict(series(ev, "mle", "loss")), dict(series(ev, "map", "loss"))
    flips = flips_of(0.7, 1000, 0)
    for n in (1, 10, 100, 1000):   # the curves are exactly k/n and (k + 10)/(n + 20)
        k = int(flips[:n].sum())
        assert mle[n] == pytest.approx(k / n) and mp[n] == pytest.approx((k + 10) / (n + 20))
    assert mp[0] == 0.5 and 0 not in mle   # before any flip: only the prior's mode exists
    # early, MAP sits between the prior's mode and the MLE; one flip sends the MLE to 0 or 1
    assert mle[1] in (0.0, 1.0) and abs(mp[1] - 0.5) < 0.05
    for n in range(1, 1001):
        assert min(0.5, mle[n]) - 1e-12 <= mp[n] <= max(0.5, mle[n]) + 1e-12
    # late, both are near p and near each other: the prior's 20 pseudo-flips are outweighed
    f_mle, f_map = final(ev, "mle"), final(ev, "map")
    assert f_mle["error"] < 0.03 and f_map["error"] < 0.04 and abs(f_mle["estimate"] - f_map["estimate"]) < 0.01
    assert abs(mle[10] - mp[10]) > 4 * abs(mle[1000] - mp[1000])
    # a flat prior, Beta(1, 1), makes MAP the MLE
    ev = run("mle_map", flips=50, prior_a=1.0, prior_b=1.0)
    assert series(ev, "map", "loss") == series(ev, "mle", "loss")
    assert map_estimate(3, 4, 1.0, 1.0) == 0.75


def test_vanishing_sigmoid_loses_its_first_layer_and_clipping_tames_an_exploding_relu_net():
    from tutor.experiments.vanishing import gain_init, start_grad_norms
    ev = run("vanishing")   # defaults: 15 hidden layers of 32, each activation with its matched init
    assert ev[0]["variants"] == ["sigmoid", "tanh", "relu"]
    sig, relu = final(ev, "sigmoid"), final(ev, "relu")
    # at step 0 the sigmoid's first layer gets ten orders of magnitude less than its last; ReLU's does not
    assert sig["first_last_ratio"] < 1e-9 and relu["first_last_ratio"] > 0.05
    norms = sig["start_grad_norms"]
    assert len(norms) == 16 and all(a < b for a, b in zip(norms, norms[1:]))   # shrinks layer by layer downwards
    assert sig["start_total_norm"] == pytest.approx(math.sqrt(sum(n * n for n in norms)))
    assert sig["val_loss"] > 0.6 > 0.2 > relu["val_loss"]                     # stuck near ln 2 vs learned
    assert all(len(e["grad_norms"]) == 16 for e in of(ev, "step") if "grad_norms" in e)
    assert "5.6e-11" in ev[-1]["message"]["en"] and "0.23" in ev[-1]["message"]["ko"]
    # too-large ReLU weights (gain 2 > He's √2): without clipping it diverges within a few steps;
    # clipped to norm 1 it learns. Both start from the same weights, so the same step-0 gradient.
    ev = run("vanishing", case="exploding", clip=1.0)
    assert ev[0]["variants"] == ["no_clip", "clip"]
    raw, clipped = final(ev, "no_clip"), final(ev, "clip")
    assert raw["status"] == "diverged" and raw["step"] < 20
    assert clipped["status"] == "done" and clipped["val_loss"] < 0.3 and clipped["clipped_steps"] > 0
    assert raw["start_total_norm"] == clipped["start_total_norm"] > 100
    # the step-0 figure is one forward/backward on the whole training set with those weights
    from tutor import nn
    from tutor.experiments.deep import _circle
    from tutor.experiments.nets import mlp
    X, y, _, _ = _circle({"n": 400, "noise": 0.1}, 0)
    nn.manual_seed(0)
    again = start_grad_norms(mlp([2] + [32] * 15 + [1], activation="relu", init=gain_init(2.0)), X, y)
    assert again == pytest.approx(raw["start_grad_norms"])
    # clip 0 is off: the exploding case then runs its unclipped net only
    assert REGISTRY["vanishing"].variant_names({"case": "exploding", "clip": 0.0}) == ["no_clip"]


def test_cures_relu_and_batchnorm_learn_where_the_plain_sigmoid_net_and_he_alone_stall():
    ev = run("cures")   # defaults: 10 sigmoid layers of 32, momentum SGD, lr 0.1, 600 steps
    assert ev[0]["variants"] == ["plain", "relu", "he", "batchnorm", "skip"]
    f = {v: final(ev, v) for v in ev[0]["variants"]}
    assert f["plain"]["val_loss"] > 0.6 and f["he"]["val_loss"] > 0.6        # near ln 2: nothing learned
    assert f["relu"]["val_loss"] < 0.2 and f["batchnorm"]["val_loss"] < 0.2
    assert f["skip"]["val_loss"] < f["plain"]["val_loss"] - 0.1
    # every cure raises the first layer's share of the gradient at step 0
    assert f["plain"]["first_last_ratio"] < 1e-7
    assert all(f[v]["first_last_ratio"] > 100 * f["plain"]["first_last_ratio"] for v in ("relu", "he", "batchnorm", "skip"))
    # bars for the Linear layers only, the same eleven in every variant (batch norm's own layers left out)
    assert all(e["layers"] == [f"L{i}" for i in range(1, 12)] for e in of(ev, "start"))
    assert all(len(e["grad_norms"]) == 11 for e in of(ev, "step") if "grad_norms" in e)
    assert all(len(f[v]["first_grad_norms"]) == 11 == len(f[v]["start_grad_norms"]) for v in f)
    # the same net at another learning rate ranks the cures differently: one run is not a verdict
    f2 = {v: final(ev2, v) for ev2 in [run("cures", lr=0.2)] for v in ev2[0]["variants"]}
    assert f2["skip"]["val_loss"] < 0.2 < f2["relu"]["val_loss"]


def test_bn_eval_forgetting_evaluation_mode_breaks_small_or_skewed_batches():
    ev = run("bn_eval")
    acc = {v: final(ev, v)["val_accuracy"] for v in ("eval_mode", "train_full", "train_sorted", "train_single")}
    # a large shuffled batch is nearly as good as the running averages; one-class batches and single
    # examples normalised by their own statistics fall towards chance
    assert acc["eval_mode"] > 0.9 and acc["train_full"] > acc["eval_mode"] - 0.05
    assert acc["train_sorted"] < acc["eval_mode"] - 0.25
    single = final(ev, "train_single")
    assert single["class1_share"] in (0.0, 1.0)          # one answer for every example
    assert acc["train_single"] < 0.6


def test_landscape_without_skips_is_rougher():
    ev = run("landscape")
    plain, residual = final(ev, "plain"), final(ev, "residual")
    assert plain["roughness"] > 2.5 * residual["roughness"]
    assert plain["nonconvex_share"] > 2 * residual["nonconvex_share"]
    maps = {e["variant"]: e for e in of(ev, "heatmap")}
    assert set(maps) == {"plain", "residual"}
    for e in maps.values():
        assert len(e["grid"]) == len(e["grid"][0]) == 21 and e["mark"] == [0.0, 0.0] and e["log"]
        # the trained point is the lowest point of both slices
        assert min(min(row) for row in e["grid"]) == e["grid"][10][10]


def test_depth_width_equal_budget_built_deep_fits_trained_ones_do_not():
    from tutor.experiments.depth_width import params_deep, params_wide, sawtooth
    import numpy as np
    ev = run("depth_width", compositions=4, steps=1500)
    assert ev[0]["variants"] == ["deep_built", "deep", "wide"]
    ends = {v: final(ev, v) for v in ("deep_built", "deep", "wide")}
    starts = {v: of(ev, "start", v)[0] for v in ends}
    # the same budget, printed in start and in end: 6k + 1 = 3·2k + 1 = 25
    assert params_deep(4) == params_wide(8) == 25
    assert all(starts[v]["num_params"] == ends[v]["num_params"] == 25 for v in ends)
    assert all(ends[v]["units"] == 8 for v in ends)
    # built by hand: the sawtooth, exactly up to rounding; the trained ones stay near 1/12
    assert ends["deep_built"]["error"] < 1e-10
    assert ends["deep"]["error"] > 0.05 and ends["wide"]["error"] > 0.05
    u = np.linspace(0, 1, 4097)
    slopes = np.round(np.diff(sawtooth(u, 4)) / np.diff(u), 6)
    assert set(slopes) == {16.0, -16.0} and int(np.sum(slopes[1:] != slopes[:-1])) + 1 == 16


def test_learnable_layer_formula_recovers_constants_and_extrapolates():
    from tutor.experiments.learnable_layer import DampedOscillation
    from tutor.nn import gradcheck
    import numpy as np
    ev = run("learnable_layer")
    assert ev[0]["variants"] == ["formula", "mlp"]
    f, m = final(ev, "formula"), final(ev, "mlp")
    assert abs(f["A"] - 1.0) < 0.1 and abs(f["gamma"] - 0.3) < 0.05
    assert abs(f["omega"] - 2.0) < 0.05 and abs(f["phi"] - 0.5) < 0.1
    assert f["num_params"] == 4 and m["num_params"] == 1153
    assert f["train_error"] < 0.01 and m["train_error"] < 0.01            # both fit the data
    assert m["extrapolation_error"] > 100 * f["extrapolation_error"]      # only one knows the law
    fit = of(ev, "fit", "formula")[-1]
    assert len(fit["x"]) == len(fit["y_pred"]) == len(fit["y_true"]) and len(fit["points"]) == 60
    layer = DampedOscillation(A=0.8, gamma=0.2, omega=1.7, phi=0.4)
    assert gradcheck.gradcheck(layer, np.linspace(0, 6, 13).reshape(-1, 1)) < 1e-6


def test_remedies_every_cure_ends_below_the_overfitting_baseline():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, "blas"):   # small matrices: one BLAS thread, as the run panel's child uses
        ev = run("remedies")
    names = ["baseline", "more_data", "augment", "l2", "dropout", "early_stopping"]
    assert ev[0]["variants"] == names
    ends = {v: final(ev, v) for v in names}
    base = ends["baseline"]
    # the baseline overfits: its validation loss ends well above its best, its training loss far below
    assert base["end_val_loss"] > base["best_loss"] + 0.03 and base["best_step"] < 1000
    assert base["gap"] > 0.1 and base["end_train_loss"] < 0.05
    # every cure ends below the baseline; more data reaches the lowest validation loss of all
    assert all(ends[v]["end_val_loss"] < base["end_val_loss"] for v in names[1:])
    assert min(ends, key=lambda v: ends[v]["best_loss"]) == "more_data"
    assert ends["more_data"]["n_train"] == 200 and ends["augment"]["n_train"] == 220
    # no model beats the noise on average: the noise floor 0.3² lies below every validation loss
    assert all(abs(ends[v]["noise_floor"] - 0.09) < 1e-12 and 0.09 < ends[v]["best_loss"] for v in names)
    # early stopping is the baseline stopped at its best step (same data, same start): restored weights
    es = ends["early_stopping"]
    assert es["status"] == "stopped" and es["best_step"] == base["best_step"] < es["step"] < 2000
    assert es["end_val_loss"] == pytest.approx(base["best_loss"], abs=1e-6)


def test_regularization_l1_histogram_is_sparse_l2_only_shrinks():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, "blas"):
        ev = run("regularization")
    assert ev[0]["variants"] == ["none", "l2", "l1", "dropout"]
    ends = {v: final(ev, v) for v in ("none", "l2", "l1", "dropout")}
    for v in ends:
        h = of(ev, "histogram", v)[-1]
        assert len(h["edges"]) == len(h["counts"]) + 1 == 26 and sum(h["counts"]) == ends[v]["weights"] == 640
        assert h["title"]["ko"] and h["title"]["en"]
    # L1: most first-layer weights under 1e-3; the others (and L2) hardly any
    assert ends["l1"]["sparse_fraction"] > 0.85
    assert all(ends[v]["sparse_fraction"] < 0.05 for v in ("none", "l2", "dropout"))
    mid = lambda v: of(ev, "histogram", v)[-1]["counts"][12]   # the bin around 0
    assert mid("l1") > 0.85 * 640 and mid("l1") > 3 * mid("l2") > 3 * mid("none")
    # L2 shrinks every weight, but to nowhere near 0; L1 kills the useless inputs' weights
    assert ends["l2"]["useless_mean_abs"] < 0.7 * ends["none"]["useless_mean_abs"]
    assert ends["l1"]["useless_mean_abs"] < 0.01 < ends["l2"]["useless_mean_abs"]
    assert ends["l1"]["useless_mean_abs"] < 0.1 * ends["l1"]["useful_mean_abs"]
    # dropping the useless inputs is what the data needed: L1 generalises best here
    assert ends["l1"]["val_loss"] < 0.5 * min(ends[v]["val_loss"] for v in ("none", "l2", "dropout"))


# -- chapter 8: cnn_vs_mlp, feature_maps ------------------------------------------------------------

def test_cnn_vs_mlp_cnn_loses_less_on_shifted_digits_and_scrambling_takes_that_away():
    ev = run("cnn_vs_mlp")
    assert ev[0]["variants"] == ["mlp", "cnn"]
    m, c = final(ev, "mlp"), final(ev, "cnn")
    # about the same size, said in start and in end: (64+1)·24 + (24+1)·10 and 80 + 1168 + 650
    assert m["num_params"] == of(ev, "start", "mlp")[0]["num_params"] == 1810
    assert c["num_params"] == of(ev, "start", "cnn")[0]["num_params"] == 1898
    # on the digits as they are, both are good
    assert m["val_accuracy"] > 0.9 and c["val_accuracy"] > 0.9
    # moved by one pixel, both lose, the MLP clearly more (measured at seed 0: 0.52 vs 0.33)
    assert m["shifted_accuracy"] < m["val_accuracy"] - 0.3
    assert c["shift_drop"] < m["shift_drop"] - 0.1
    assert c["shifted_accuracy"] > m["shifted_accuracy"] + 0.1
    # pixels scrambled in one fixed order: the MLP does not care, the CNN's shift advantage is gone
    scrambled = run("cnn_vs_mlp", permute=True)
    pm, pc = final(scrambled, "mlp"), final(scrambled, "cnn")
    assert abs(pm["shifted_accuracy"] - m["shifted_accuracy"]) < 0.05 and pm["val_accuracy"] > 0.9
    assert pc["shifted_accuracy"] < c["shifted_accuracy"] - 0.1
    assert pc["shifted_accuracy"] < pm["shifted_accuracy"]


def test_feature_maps_draws_at_most_eight_pictures_and_the_vertical_filter_wins_on_a_one():
    ev = run("feature_maps")
    v = final(ev)
    assert v["val_accuracy"] > 0.9 and v["digit"] == 1 and v["num_params"] == 4 * 10 + 64 * 10 + 10
    pictures = of(ev, "heatmap", "main")
    names = {p["name"] for p in pictures}
    assert names == {"digit", "hand_vertical", "hand_horizontal", "filters", "map_1", "map_2", "map_3", "map_4"}
    assert all(p["title"]["ko"] and p["title"]["en"] for p in pictures)
    # the learned ones are redrawn during training, the digit and the hand-made maps once
    assert sum(p["name"] == "filters" for p in pictures) >= 3
    assert sum(p["name"] == "digit" for p in pictures) == 1
    last = {p["name"]: p for p in pictures}
    assert len(last["digit"]["grid"]) == 8 and len(last["filters"]["grid"][0]) == 15
    r = v["hand_response"]
    assert v["strongest_hand_filter"] == "vertical" and r["vertical"] > 1.5 * r["horizontal"]


def test_pooling_shrinks_the_head_fourfold_and_max_pooling_resists_shifts_best():
    from tutor.experiments.pooling import SHIFTS, build, shifted
    ev = run("pooling", epochs=3)
    assert ev[0]["variants"] == ["no_downsampling", "stride2", "maxpool"]
    none, stride, pool = final(ev, "no_downsampling"), final(ev, "stride2"), final(ev, "maxpool")
    # the head is (H·W·C + 1)·10: 8×8 maps vs 4×4 maps, C = 8
    assert none["head_params"] == (8 * 8 * 8 + 1) * 10 and stride["head_params"] == pool["head_params"] == (4 * 4 * 8 + 1) * 10
    assert none["map_size"] == 8 and stride["map_size"] == pool["map_size"] == 4
    assert stride["num_params"] == pool["num_params"] == 80 + 1290       # pooling adds no parameter
    for f in (none, stride, pool):
        assert f["status"] == "done" and f["test_accuracy"] > 0.85
        assert f["shift_accuracy"] < f["test_accuracy"]                   # a 1-pixel shift hurts all three
    assert pool["shift_accuracy"] > max(none["shift_accuracy"], stride["shift_accuracy"])
    # shifting moves pixels and blanks the edge it leaves
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    right = shifted(x, 0, 1)
    assert (right[0, 0, :, 0] == 0).all() and (right[0, 0, :, 1:] == x[0, 0, :, :3]).all()
    assert len(SHIFTS) == 4 and build("maxpool", 8)[2].__class__.__name__ == "MaxPool2d"
    assert len(of(ev, "heatmap")) == 3
    assert "1290" in ev[-1]["message"]["en"] and "헤드" in ev[-1]["message"]["ko"]


def test_vgg_stack_two_3x3_see_a_5x5_window_with_fewer_parameters():
    from tutor.experiments.vgg_stack import block, receptive_field
    ev = run("vgg_stack", epochs=2)
    one, two = final(ev, "one_5x5"), final(ev, "two_3x3")
    c = 8
    assert one["block_params"] == 25 * c * c + c and two["block_params"] == 18 * c * c + 2 * c
    assert one["receptive_field"] == two["receptive_field"] == 5
    assert one["num_params"] - two["num_params"] == one["block_params"] - two["block_params"]
    for f in (one, two):
        assert f["status"] == "done" and f["test_accuracy"] > 0.8
    # the measurement counts what it should: one 3×3 sees 3, three stacked 3×3 see 7
    from tutor import nn
    nn.manual_seed(0)
    assert receptive_field([nn.Conv2d(4, 4, 3, padding=1)], 4) == 3
    three = [nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1)]
    assert receptive_field(three, 4) == 7 and len(block("two_3x3", 4)) == 3
    assert "5×5" in ev[-1]["message"]["en"]


def test_grid_detector_finds_most_squares_and_nms_removes_duplicates():
    from tutor.experiments.grid_detector import S, iou, make_images, nms
    ev = run("grid_detector", epochs=15, n=600)
    f = final(ev)
    assert f["status"] == "done" and f["found"] > 0.6 and f["mean_iou"] > 0.6
    assert f["boxes_after_nms"] <= f["boxes_before_nms"] and f["n_objects"] >= 200
    losses = [l for _, l in series(ev, "main", "loss")]
    assert losses[-1] < 0.5 * losses[0]
    # an untrained detector finds (almost) nothing: the figure measures learning
    ev0 = run("grid_detector", epochs=1, n=50)
    assert final(ev0)["found"] < f["found"]
    # IoU and NMS by hand
    assert iou((0, 0, 4, 4), (2, 2, 6, 6)) == pytest.approx(4 / 28) and iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0
    boxes = [(10, 10, 50, 50), (12, 14, 52, 54), (60, 10, 90, 40)]
    assert nms(boxes, [0.9, 0.8, 0.7]) == [0, 2]
    # every target has one object cell per square, its offsets in [0, 1]
    X, T, truth = make_images(50, np.random.default_rng(0), 0.0)
    assert X.shape == (50, 1, 16, 16) and T.shape == (50, 5, S, S)
    assert [int(t[0].sum()) for t in T] == [len(b) for b in truth]
    assert T[:, 1:3].min() >= 0 and T[:, 1:3].max() <= 1
    assert len(of(ev, "heatmap")) == 2


def test_rnn_memory_gradient_fades_with_distance_before_and_after_training():
    from tutor.experiments.rnn_memory import input_grads, make_task
    ev = run("rnn_memory")
    f = final(ev)
    init, trained = f["init_grad_norms"], f["trained_grad_norms"]
    assert len(init) == len(trained) == 20 and f["status"] == "done"
    # the nearest input's gradient is orders of magnitude above the farthest one's, both times
    assert f["init_ratio"] > 1e3 and f["trained_ratio"] > 1e3
    # and it fades on the whole: the far half is far below the near half
    for norms in (init, trained):
        assert max(norms[10:]) < 0.1 * max(norms[:3])
    # training on "the mean of the last 3" puts ≈ 1/3 on each of the 3 nearest inputs
    assert all(abs(g - 1 / 3) < 0.05 for g in trained[:3]) and f["loss"] < 0.01
    # grad_norms are per distance: the layers are named by it
    assert of(ev, "start")[0]["layers"][:2] == ["d=0", "d=1"]
    # the measurement: |∂ŷ/∂x_t| of a linear readout of the last input alone is |w| at d = 0 only
    from tutor import nn
    from tutor.nn import LastStep
    x, y = make_task(4, 5, 2, np.random.default_rng(0))
    assert np.allclose(y[:, 0], x[:, -2:, 0].mean(axis=1))
    nn.manual_seed(0)
    rnn = nn.RNN(1, 1)
    rnn.params["W_h"][...] = 0.0
    rnn.params["W_x"][...] = 1e-4
    rnn.params["b"][...] = 0.0
    g = input_grads(nn.Sequential(rnn, LastStep(), nn.Linear(1, 1)), x)
    assert g[0] > 0 and max(g[1:]) == 0.0


def test_lstm_beats_rnn_on_a_long_memory_at_similar_size():
    from tutor.experiments.lstm_vs_rnn import count, make_task, rnn_hidden_matching
    ev = run("lstm_vs_rnn")
    r, l = final(ev, "rnn"), final(ev, "lstm")
    assert r["status"] == l["status"] == "done"
    # similar parameter counts (within 5 %), as counted by hand and by the engine
    assert abs(r["num_params"] - l["num_params"]) < 0.05 * l["num_params"]
    assert l["num_params"] == count("lstm", 5, 16, 4) == 4 * (16 * (5 + 16) + 16) + 16 * 4 + 4
    assert r["hidden"] == rnn_hidden_matching(5, 16, 4) and r["num_params"] == count("rnn", 5, r["hidden"], 4)
    # the measured margin at the default length 30: the LSTM remembers, the RNN is at chance (1/4)
    assert l["final_accuracy"] > 0.9 and r["final_accuracy"] < 0.4
    assert l["final_accuracy"] - r["final_accuracy"] > 0.5
    # the task: the label is the first symbol, flagged by the marker; the rest is noise
    x, y = make_task(8, 6, 4, np.random.default_rng(0))
    assert x.shape == (8, 7, 5) and np.array_equal(x[:, 0, :4].argmax(axis=1), y)
    assert np.all(x[:, 0, 4] == 1) and np.all(x[:, 1:, 4] == 0)
    # without the forget-gate bias the LSTM does not get there in these steps either
    ev0 = run("lstm_vs_rnn", forget_bias=0.0, steps=300)
    assert final(ev0, "lstm")["final_accuracy"] < 0.5


def test_attention_scaling_unscaled_softmax_saturates_and_its_gradient_fades():
    from tutor.experiments.attention_scaling import dims_up_to, softmax, softmax_backward
    ev = run("attention_scaling")
    s, u = final(ev, "scaled"), final(ev, "unscaled")
    assert s["dims"] == u["dims"] == dims_up_to(512) == [2 ** i for i in range(10)]
    # Var(q·k) = d_k: the unscaled scores' spread grows like √d_k, the scaled ones' stays ≈ 1
    for d, sd_u, sd_s in zip(u["dims"], u["score_std"], s["score_std"]):
        assert abs(sd_u / np.sqrt(d) - 1) < 0.3 and abs(sd_s - 1) < 0.3
    # at d_k = 512 the unscaled softmax is nearly one-hot; the scaled one stays spread (uniform: 1/16)
    assert u["max_weight_last"] > 0.9 and s["max_weight_last"] < 0.35
    assert all(b >= a - 0.05 for a, b in zip(u["max_weight"], u["max_weight"][1:]))  # rises with d_k
    # and the gradient reaching the scores shrinks several-fold; the scaled one keeps its size
    assert u["grad_norm_last"] < 0.25 * s["grad_norm_last"]
    assert max(s["grad_norm"]) < 1.3 * min(s["grad_norm"])
    # both variants drew the same q, k at d_k = 1 (where √d_k = 1): identical numbers
    assert u["max_weight"][0] == s["max_weight"][0]
    # the softmax backward is (diag(α) − ααᵀ) g
    rng = np.random.default_rng(0)
    e, g = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    a = softmax(e)
    J = [np.diag(r) - np.outer(r, r) for r in a]
    assert np.allclose(softmax_backward(a, g), [j @ gi for j, gi in zip(J, g)])


def test_tiny_transformer_reverses_with_positions_and_fails_without():
    from tutor.experiments.tiny_transformer import anti_diagonal
    ev = run("tiny_transformer")
    a, b = final(ev, "with_pe"), final(ev, "no_pe")
    assert a["status"] == b["status"] == "done" and a["num_params"] == b["num_params"]
    # with positions: reversal learned; without: order-blind, far below
    assert a["val_accuracy"] > 0.95 and a["sequence_accuracy"] > 0.9
    assert b["val_accuracy"] < 0.5 and b["sequence_accuracy"] < 0.1
    assert a["val_accuracy"] - b["val_accuracy"] > 0.5
    # the attention looks at the mirrored position s = T−1−t (uniform would be 1/6)
    assert a["anti_diagonal"] > 0.5 and b["anti_diagonal"] < 0.3
    maps = of(ev, "heatmap")
    assert [(m["variant"], m["name"]) for m in maps] == [("with_pe", "attention"), ("no_pe", "attention")]
    grid = np.array(maps[0]["grid"])[::-1]   # the rows come t = T−1 first (drawn t = 0 on top)
    assert maps[0]["y_range"] == [5.0, 0.0]
    assert grid.shape == (6, 6) and np.allclose(grid.sum(axis=1), 1, atol=1e-3)
    assert list(grid.argmax(axis=1)) == [5, 4, 3, 2, 1, 0]
    w = np.zeros((1, 1, 3, 3))
    w[0, 0, [0, 1, 2], [2, 1, 0]] = 1
    assert anti_diagonal(w) == 1.0


def test_seeds_reports_mean_and_standard_error_per_setting():
    ev = run("seeds")
    n, w = final(ev, "narrow"), final(ev, "wide")
    assert n["n_seeds"] == w["n_seeds"] == 8 and len(n["accuracies"]) == 8
    for s in (n, w):
        a = np.array(s["accuracies"])
        assert s["mean"] == pytest.approx(a.mean()) and s["std"] == pytest.approx(a.std(ddof=1))
        assert s["se"] == pytest.approx(a.std(ddof=1) / np.sqrt(8))
    # the seeds matter: runs of one setting differ by several points
    assert max(n["accuracies"]) - min(n["accuracies"]) > 0.1
    # the wider one is ahead on average, but by about one standard error of the difference
    assert w["diff"] == pytest.approx(w["mean"] - n["mean"])
    assert w["diff_se"] == pytest.approx(np.hypot(n["se"], w["se"]))
    assert 0 < w["diff"] and w["z"] < 2
    # pairing by seed (same data at the same index) removes the data's share of the noise
    assert w["paired_se"] < 0.5 * w["diff_se"] and w["paired_z"] > 2
    # and one seed alone would have told anything from "no difference" to a large one
    assert min(w["single_seed_diffs"]) == 0 and max(w["single_seed_diffs"]) > 2 * w["diff"]


def test_seq2seq_plain_falls_with_length_and_attention_does_not():
    from tutor import nn
    from tutor.experiments.seq2seq import Seq2Seq, anti_diagonal, make_batch
    from tutor.nn.gradcheck import gradcheck
    # the hand-written encoder–decoder's backward, with and without attention (float64)
    for att in (False, True):
        nn.manual_seed(0)
        m = Seq2Seq(10, 6, 4, 5, attention=att)
        x = np.random.default_rng(0).integers(0, 10, size=(3, 5))
        assert gradcheck(m, x) < 1e-6
    ev = run("seq2seq")
    p, a = final(ev, "plain"), final(ev, "attention")
    assert p["status"] == a["status"] == "done" and p["lengths"] == a["lengths"] == list(range(2, 9))
    # plain: perfect on short sequences, then falls with length (the bottleneck)
    pl = p["length_accuracy"]
    assert min(pl[:3]) > 0.98 and pl[-1] < 0.8 and pl[-1] < pl[-3] < pl[2]
    # attention: every length, and the longest far above plain
    assert min(a["length_accuracy"]) > 0.97 and a["longest_accuracy"] - p["longest_accuracy"] > 0.2
    # it looks at the mirrored input (uniform would be 1/8)
    assert a["anti_diagonal"] > 0.4 and "anti_diagonal" not in p
    maps = of(ev, "heatmap")
    assert maps and all(m["variant"] == "attention" for m in maps)
    grid = np.array(maps[-1]["grid"])
    assert grid.shape == (8, 8) and np.allclose(grid.sum(axis=1), 1, atol=1e-3)
    # grid[0] is output 8 (drawn at the bottom), so output 1 is on top: row i is output t = 8 − i,
    # whose mirrored input s = 9 − t is column i. It is the brightest cell of most rows (the
    # first and last outputs are fainter)
    assert maps[-1]["y_range"] == [8, 1] and maps[-1]["x_range"] == [1, 8]
    assert sum(int(j) == i for i, j in enumerate(grid.argmax(axis=1))) >= 6
    # the task and the measure
    x, y = make_batch(4, 5, np.random.default_rng(0))
    assert np.array_equal(y, x[:, ::-1])
    w = np.zeros((1, 3, 3))
    w[0, [0, 1, 2], [2, 1, 0]] = 1
    assert anti_diagonal(w) == 1.0
