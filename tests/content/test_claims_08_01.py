"""Recompute every number and identity of lesson 08-01 (CNN vs MLP) and its questions in
quizzes/ch08-cnn-basics.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one. Parameter counts are checked against real ``tutor.nn`` layers; the
permutation claim (an MLP cannot tell a fixed pixel scramble from the original) and translation
equivariance are checked with ``tutor.nn.Linear`` and ``tutor.nn.Conv2d`` on the 8×8 digits. The
run's figures are pinned separately (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load, run_checks, states)  # same folder
from tutor import nn
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments.cnn_vs_mlp import make_cnn, make_mlp, shift_images
from tutor.nn import data, optim

LESSON = "lessons/08-cnn/01-cnn-vs-mlp.yaml"
BANK = "quizzes/ch08-cnn-basics.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def n_params(layer) -> int:
    return int(sum(p.size for p in layer.params.values()))


def a_digit() -> np.ndarray:
    return data.digits(images=True).X_train[:1]          # (1, 1, 8, 8)


def correlate_1d(x, w) -> np.ndarray:
    """y[i] = Σ_u w[u] x[i + u] (no flip), i = 0 … len(x) − len(w)."""
    k = len(w)
    return np.array([sum(w[u] * x[i + u] for u in range(k)) for i in range(len(x) - k + 1)], float)


# -- how an MLP sees an image ------------------------------------------------------------------------

def test_the_four_pixel_dot_product_and_its_scramble():
    x, w = np.array([1, 0, 2, 4.0]), np.array([2, -1, 3, 0.5])
    order = [2, 0, 3, 1]                                  # (x3, x1, x4, x2)
    assert float(w @ x) == float(w[order] @ x[order]) == 10
    assert list(x[order]) == [2, 1, 4, 0] and list(w[order]) == [3, 2, 0.5, -1]
    states(prose("How does an MLP see an image"), "(1, 0, 2, 4)", "(2, -1, 3, 0.5)", "(2, 1, 4, 0)",
           "(3, 2, 0.5, -1)", "= 10")


def test_an_mlp_with_permuted_weights_computes_the_same_function_and_learns_the_same_way():
    """Scramble every image's pixels in one fixed order and the first layer's weight columns the
    same way: the outputs are identical; trained from those starts, the two stay identical."""
    split = data.digits(seed=0)
    X, y = split.X_train[:256], split.y_train[:256]
    order = np.random.default_rng(3).permutation(64)
    nn.manual_seed(0)
    a = make_mlp(24)
    b = make_mlp(24)
    b.flat_params[...] = a.flat_params
    # Linear's W is (in, out): the row of pixel i moves with pixel i
    b.layers[1].params["W"][...] = a.layers[1].params["W"][order, :]
    Xp = X[:, order]
    np.testing.assert_allclose(a.forward(X, train=False), b.forward(Xp, train=False), rtol=1e-5, atol=1e-5)
    loss_a, loss_b = nn.SoftmaxCrossEntropyLoss(), nn.SoftmaxCrossEntropyLoss()
    opt_a, opt_b = optim.Adam(0.01), optim.Adam(0.01)
    for _ in range(20):
        la = loss_a.forward(a.forward(X), y)
        a.backward(loss_a.backward())
        opt_a.update(a.params, a.grads)
        lb = loss_b.forward(b.forward(Xp), y)
        b.backward(loss_b.backward())
        opt_b.update(b.params, b.grads)
        assert abs(la - lb) < 1e-4
    np.testing.assert_allclose(a.forward(X, train=False), b.forward(Xp, train=False), rtol=1e-4, atol=1e-4)


def test_a_fixed_detector_loses_half_its_response_when_the_stroke_moves():
    v = np.array([0, 1, 1, 0, 0.0])
    x, moved = np.array([0, 1, 1, 0, 0.0]), np.array([0, 0, 1, 1, 0.0])
    assert v @ x == 2 and v @ moved == 1
    states(prose("How does an MLP see an image"), "v = (0, 1, 1, 0, 0)", "x = (0, 1, 1, 0, 0)",
           "(0, 0, 1, 1, 0)", "= 2", "= 1")


def test_the_sliding_filter_keeps_its_peak_and_moves_it():
    w = [1, 1]
    x, moved = [0, 1, 1, 0, 0], [0, 0, 1, 1, 0]
    assert list(correlate_1d(x, w)) == [1, 2, 1, 0] and list(correlate_1d(moved, w)) == [0, 1, 2, 1]
    # the same with the engine's Conv2d (a 1×2 filter on a 1×5 image)
    conv = nn.Conv2d(1, 1, (1, 2))
    conv.params["W"][...] = 1.0
    conv.params["b"][...] = 0.0
    out = conv.forward(np.array(moved, np.float32).reshape(1, 1, 1, 5), train=False).ravel()
    assert list(out) == [0, 1, 2, 1]
    states(prose("Move the input"), "y = (1, 2, 1, 0)", "y' = (0, 1, 2, 1)", "w = (1, 1)")


# -- parameter counts --------------------------------------------------------------------------------

def test_parameter_count_derivation_line_by_line():
    H, W, C = 8, 8, 1

    def flattening():
        assert a_digit().reshape(1, -1).shape[1] == H * W * C == 64

    def unit_formula():
        lin = nn.Linear(64, 24)
        x = a_digit().reshape(1, -1)
        z = lin.forward(x, train=False)
        Wm, b = lin.params["W"], lin.params["b"]
        assert Wm.shape == (64, 24)                       # one weight per (pixel position, unit)
        manual = [sum(float(x[0, i]) * float(Wm[i, j]) for i in range(64)) + float(b[j]) for j in range(24)]
        np.testing.assert_allclose(z[0], manual, rtol=1e-5, atol=1e-5)

    def fc_formula():
        for (h, w, c, n) in ((8, 8, 1, 24), (4, 5, 3, 7), (32, 32, 3, 100)):
            assert n_params(nn.Linear(h * w * c, n)) == (h * w * c + 1) * n

    def fc_digits():
        assert (8 * 8 * 1 + 1) * 24 == 1560 == n_params(make_mlp(24).layers[1])
        assert (24 + 1) * 10 == 250 and 1560 + 250 == 1810 == n_params(make_mlp(24))

    def conv_formula():
        conv = nn.Conv2d(2, 3, 3, padding=1)
        x = np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32)
        y = conv.forward(x, train=False)
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        Wc, b = conv.params["W"], conv.params["b"]
        for f in range(3):
            for i in range(5):
                for j in range(5):
                    manual = float((Wc[f] * xp[0, :, i:i + 3, j:j + 3]).sum() + b[f])
                    assert abs(float(y[0, f, i, j]) - manual) < 1e-5

    def conv_count():
        for (k, c, K) in ((3, 1, 8), (5, 3, 16), (3, 8, 16), (7, 3, 64)):
            layer = nn.Conv2d(c, K, k)
            assert n_params(layer) == (k * k * c + 1) * K
            # no H or W: the same layer takes a small or a large image
            for size in (k, 3 * k, 40):
                assert layer.forward(np.zeros((1, c, size, size), np.float32), train=False).shape[1] == K

    def conv_digits():
        cnn = make_cnn(8)
        assert (3 ** 2 * 1 + 1) * 8 == 80 == n_params(cnn.layers[0])
        assert (3 ** 2 * 8 + 1) * 16 == 1168 == n_params(cnn.layers[3])
        assert (64 + 1) * 10 == 650 == n_params(cnn.layers[7])
        assert 80 + 1168 + 650 == 1898 == n_params(cnn)

    def fc_photo():
        assert (224 * 224 * 3 + 1) * 24 == 3612696

    def conv_photo():
        assert (3 ** 2 * 3 + 1) * 64 == 1792 == n_params(nn.Conv2d(3, 64, 3))
        assert round(3612696 / 1792) == 2016

    run_checks(derivation(LESSON_DATA, "deriv-08-param-counts"), {
        "d = H \\cdot W \\cdot C": flattening,
        "z_j = \\sum_{i=1}^{d} w_{ji} x_i + b_j": unit_formula,
        "P_{\\text{FC}} = (H W C + 1) \\cdot n": fc_formula,
        "(8 \\cdot 8 \\cdot 1 + 1) \\cdot 24 = 1560": fc_digits,
        "y_f[i, j] = \\sum_{c, u, v} w_{f c u v} \\, x_c[i + u, j + v] + b_f": conv_formula,
        "P_{\\text{conv}} = (k^2 C + 1) \\cdot K": conv_count,
        "(3^2 \\cdot 1 + 1) \\cdot 8 = 80": conv_digits,
        "(224 \\cdot 224 \\cdot 3 + 1) \\cdot 24 = 3612696": fc_photo,
        "(3^2 \\cdot 3 + 1) \\cdot 64 = 1792": conv_photo,
    })
    d = derivation(LESSON_DATA, "deriv-08-param-counts")
    states(both(d["conclusion"]), "2016")
    whys = {s["math"]: both(s["why"]) for s in d["steps"]}
    states(whys["(8 \\cdot 8 \\cdot 1 + 1) \\cdot 24 = 1560"], "(24 + 1) \\cdot 10 = 250", "1810")
    states(whys["(3^2 \\cdot 1 + 1) \\cdot 8 = 80"], "(3^2 \\cdot 8 + 1) \\cdot 16 = 1168",
           "(64 + 1) \\cdot 10 = 650", "1898")


def test_the_run_models_are_the_lesson_models():
    p = {k: v.default for k, v in REGISTRY["cnn_vs_mlp"].params.items()}
    assert (p["hidden"], p["filters"], p["shift"], p["permute"]) == (24, 8, 1, False)
    runs = steps_of("run")
    assert [r["experiment"] for r in runs] == ["cnn_vs_mlp", "cnn_vs_mlp"]
    assert runs[0]["set"] == {} and runs[1]["set"] == {"permute": True}
    assert all(check_run_step("cnn_vs_mlp", r["set"]) is None for r in runs)


# -- translation equivariance --------------------------------------------------------------------------

def test_equivariance_derivation_line_by_line():
    rng = np.random.default_rng(1)
    x = np.concatenate([np.zeros(3), rng.standard_normal(6), np.zeros(5)])   # room to move
    w = rng.standard_normal(3)
    s = 2
    y = correlate_1d(x, w)
    moved = np.concatenate([np.zeros(s), x[:-s]])
    y_moved = correlate_1d(moved, w)

    def line1():
        conv = nn.Conv2d(1, 1, (1, 3))
        conv.params["W"][...] = w.reshape(1, 1, 1, 3)
        conv.params["b"][...] = 0.0
        out = conv.forward(x.reshape(1, 1, 1, -1).astype(np.float32), train=False).ravel()
        np.testing.assert_allclose(out, y, rtol=1e-5, atol=1e-5)

    def line2():
        assert all(moved[i] == x[i - s] for i in range(s, len(x)))

    def line3():
        direct = [sum(w[u] * x[i - s + u] for u in range(3)) for i in range(s, len(y_moved))]
        np.testing.assert_allclose(y_moved[s:], direct)

    def line4():
        np.testing.assert_allclose(y_moved[s:], y[:-s])
        # and in 2-D, with the engine's Conv2d on a digit padded with room to move (no ink leaves)
        img = np.pad(a_digit(), ((0, 0), (0, 0), (2, 2), (2, 2)))
        conv = nn.Conv2d(1, 4, 3, padding=1)
        out = conv.forward(img, train=False)
        out_moved = conv.forward(shift_images(img, 1, 2), train=False)   # right 1, down 2
        np.testing.assert_allclose(out_moved[..., 3:-1, 2:-1], out[..., 1:-3, 1:-2], rtol=1e-5, atol=1e-5)

    def line5():
        assert np.isclose(y_moved.max(), y.max())
        img = np.pad(a_digit(), ((0, 0), (0, 0), (2, 2), (2, 2)))
        conv = nn.Conv2d(1, 4, 3, padding=1)
        a = conv.forward(img, train=False).max(axis=(2, 3))
        b = conv.forward(shift_images(img, -1, 1), train=False).max(axis=(2, 3))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)

    run_checks(derivation(LESSON_DATA, "deriv-08-equivariance"), {
        "y[i] = \\sum_{u=0}^{k-1} w[u] \\, x[i + u]": line1,
        "x'[i] = x[i - s]": line2,
        "y'[i] = \\sum_{u=0}^{k-1} w[u] \\, x[i - s + u]": line3,
        "y'[i] = y[i - s]": line4,
        "\\max_i y'[i] = \\max_i y[i]": line5,
    })


def test_the_shift_is_what_the_experiment_scores():
    img = a_digit()
    right = shift_images(img, 1, 0)
    assert np.array_equal(right[..., 1:], img[..., :-1]) and not right[..., 0].any()
    up = shift_images(img, 0, -1)
    assert np.array_equal(up[..., :-1, :], img[..., 1:, :]) and not up[..., -1, :].any()


# -- the bank ------------------------------------------------------------------------------------------

def test_bank_numbers():
    q = QUESTIONS
    assert q["q08-cnn-fc-params"]["answer"] == (32 * 32 * 3 + 1) * 100 == n_params(nn.Linear(3072, 100)) == 307300
    assert (3 ** 2 * 3 + 1) * 100 == 2800
    states(both(q["q08-cnn-fc-params"]["explanation"]), "3072", "307300", "2800")
    assert q["q08-cnn-conv-params"]["answer"] == (5 * 5 * 3 + 1) * 16 == n_params(nn.Conv2d(3, 16, 5)) == 1216
    x = [0, 0, 3, 0, 0, 0, 0]
    moved = [0, 0, 0, 0, 3, 0, 0]
    y, y_moved = correlate_1d(x, [1, 2, 1]), correlate_1d(moved, [1, 2, 1])
    assert list(y) == [3, 6, 3, 0, 0] and list(y_moved) == [0, 0, 3, 6, 3]
    assert q["q08-cnn-shift-1d"]["answer"] == int(np.argmax(y_moved)) == 3
    states(both(q["q08-cnn-shift-1d"]["explanation"]), "(3, 6, 3, 0, 0)", "(0, 0, 3, 6, 3)")
    states(both(q["q08-why-cnn-param-independent"]["explanation"]), "3612696", "1792")


def test_bank_shape():
    ours = {k: v for k, v in QUESTIONS.items() if k.startswith("q08-cnn-") or k.startswith("q08-why-cnn-")
            or k == "q08-gen-dense-conv"}
    check_bank_shape(ours, "q08-", 8, total=8, why=2)
    assert all(q.get("follow_up") for q in ours.values() if q["type"] == "why")


def test_lesson_shape_and_written_arithmetic():
    refs = [s["quiz"]["ref"] for s in LESSON_DATA["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
    assert check_written_arithmetic(all_formulas(LESSON_DATA) + all_formulas(list(QUESTIONS.values()))) >= 8
