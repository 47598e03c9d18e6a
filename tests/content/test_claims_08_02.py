"""Recompute every number and identity of lesson 08-02 (how convolution extracts features) and its
questions in quizzes/ch08-cnn-basics.yaml.

The hand computations (one 3×3 window times one filter, the edge filters on a 4×5 image) are
redone with NumPy and with ``tutor.nn.Conv2d``; the output-size derivation is checked line by line
against Conv2d's output shapes; "deep learning does not flip the kernel" is checked against
SciPy's correlate2d and convolve2d. The run's figures are pinned separately
(tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load, run_checks, states, table_rows)  # same folder
from tutor import nn
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments.feature_maps import HORIZONTAL, VERTICAL, apply_filters, make_model, tiled

LESSON = "lessons/08-cnn/02-convolution-features.yaml"
BANK = "quizzes/ch08-cnn-basics.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def conv_valid(image, filt) -> np.ndarray:
    """The engine's Conv2d, no padding, this one filter, no bias."""
    h, w = filt.shape
    conv = nn.Conv2d(1, 1, (h, w))
    conv.params["W"][...] = np.asarray(filt, np.float32).reshape(1, 1, h, w)
    conv.params["b"][...] = 0.0
    x = np.asarray(image, np.float32)
    return conv.forward(x.reshape(1, 1, *x.shape), train=False)[0, 0]


def numbers(cell: str) -> list[float]:
    return [float(t.replace("−", "-")) for t in cell.split(",")]


# -- the sliding dot product -----------------------------------------------------------------------

WINDOW = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 0]], float)
LAPLACE = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)


def test_one_window_times_one_filter_is_one_number():
    product = WINDOW * LAPLACE
    assert product.sum() == 2 == conv_valid(WINDOW, LAPLACE).item()
    for text in prose("A sliding dot product"):
        rows = table_rows(text, 4)[1:]                    # the header row names the columns
        assert [numbers(r[1]) for r in rows] == WINDOW.tolist()
        assert [numbers(r[2]) for r in rows] == LAPLACE.tolist()
        assert [numbers(r[3]) for r in rows] == product.tolist()
    states(prose("A sliding dot product"), "2 - 4 + 3 + 1 = 2")


# -- edge filters -----------------------------------------------------------------------------------

EDGE = np.array([[0, 0, 1, 1, 1]] * 4, float)


def test_the_edge_filters_on_the_4_by_5_image():
    assert VERTICAL.tolist() == [[-1, 0, 1]] * 3 and np.array_equal(HORIZONTAL, VERTICAL.T)
    v, h = conv_valid(EDGE, VERTICAL), conv_valid(EDGE, HORIZONTAL)
    assert v.shape == (4 - 3 + 1, 5 - 3 + 1) == (2, 3)
    assert v.tolist() == [[3, 3, 0], [3, 3, 0]] and not h.any()
    assert conv_valid(1 - EDGE, VERTICAL).tolist() == [[-3, -3, 0], [-3, -3, 0]]      # bright to dark
    # the table: one row of each window, V's value, H's value
    for text in prose("Edge filters"):
        rows = table_rows(text, 4)[1:]
        assert [numbers(r[1]) for r in rows] == [list(EDGE[0, j:j + 3]) for j in range(3)]
        assert [float(r[2]) for r in rows] == list(v[0]) and [float(r[3]) for r in rows] == list(h[0])
    states(prose("Edge filters"), "(0, 0, 1, 1, 1)", "4 - 3 + 1 = 2", "5 - 3 + 1 = 3", "(3, 3, 0)", "-3")


def test_the_experiment_uses_the_same_filters_and_the_engine():
    image = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    maps = apply_filters(image, np.stack([VERTICAL, HORIZONTAL]))
    padded = np.pad(image, 1)
    for m, f in zip(maps, (VERTICAL, HORIZONTAL)):
        np.testing.assert_allclose(m, signal.correlate2d(padded, f, mode="valid"), rtol=1e-5, atol=1e-5)
    # the filters picture: four 3×3 tiles, a blank column between two
    t = tiled(np.arange(36, dtype=float).reshape(4, 3, 3))
    assert t.shape == (3, 15) and np.isnan(t[:, 3::4]).all()


# -- output size ------------------------------------------------------------------------------------

def test_output_size_derivation_line_by_line():
    rng = np.random.default_rng(2)

    def formula():
        x = rng.standard_normal((6, 7)).astype(np.float32)
        w = rng.standard_normal((3, 3)).astype(np.float32)
        y = conv_valid(x, w)
        for i in range(y.shape[0]):
            for j in range(y.shape[1]):
                assert abs(y[i, j] - float((w * x[i:i + 3, j:j + 3]).sum())) < 1e-5

    def positions():
        for n, k in ((8, 3), (5, 3), (7, 5)):
            starts = [i for i in range(n) if i + k - 1 <= n - 1]
            assert starts == list(range(0, n - k + 1))

    def valid_size():
        for n, k in ((4, 3), (5, 3), (8, 3), (28, 5)):
            assert conv_valid(np.zeros((n, n)), np.zeros((k, k))).shape == (n - k + 1, n - k + 1)

    def padded_size():
        for n, k, p in ((8, 3, 1), (7, 5, 2), (10, 3, 0), (6, 3, 3)):
            out = nn.Conv2d(1, 1, k, padding=p).forward(np.zeros((1, 1, n, n), np.float32), train=False)
            assert out.shape[2:] == (n + 2 * p - k + 1,) * 2

    def digits_size():
        assert 8 + 2 * 1 - 3 + 1 == 8
        assert make_model(4).forward(np.zeros((1, 1, 8, 8), np.float32), train=False).shape == (1, 10)
        assert make_model(4).layers[0].forward(np.zeros((1, 1, 8, 8), np.float32), train=False).shape == (1, 4, 8, 8)

    def multiplications():
        assert 8 * 8 * 3 ** 2 == 576
        assert (3 ** 2 + 1) * 4 == 40 == sum(p.size for p in make_model(4).layers[0].params.values())

    run_checks(derivation(LESSON_DATA, "deriv-08-output-size"), {
        "y[i, j] = \\sum_{u=0}^{k-1} \\sum_{v=0}^{k-1} w[u, v] \\, x[i + u, j + v] + b": formula,
        "0 \\le i \\le N - k": positions,
        "N_{\\text{out}} = N - k + 1": valid_size,
        "N_{\\text{out}} = N + 2p - k + 1": padded_size,
        "8 + 2 \\cdot 1 - 3 + 1 = 8": digits_size,
        "8 \\cdot 8 \\cdot 3^2 = 576": multiplications,
    })


# -- no flip ----------------------------------------------------------------------------------------

def test_deep_learning_convolution_does_not_flip_the_kernel():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 3)).astype(np.float32)
    ours = conv_valid(x, w)
    np.testing.assert_allclose(ours, signal.correlate2d(x, w, mode="valid"), rtol=1e-4, atol=1e-5)
    # mathematical convolution flips: the same as cross-correlating with the flipped kernel
    np.testing.assert_allclose(signal.convolve2d(x, w, mode="valid"), conv_valid(x, w[::-1, ::-1]),
                               rtol=1e-4, atol=1e-5)
    assert not np.allclose(ours, signal.convolve2d(x, w, mode="valid"))
    # (-1, 0, 1) flipped is (1, 0, -1): the response changes sign
    assert np.array_equal(VERTICAL[:, ::-1], -VERTICAL)
    states(prose("To flip or not"), "(-1, 0, 1)", "(1, 0, -1)")


def test_the_run_is_the_one_described():
    p = {k: v.default for k, v in REGISTRY["feature_maps"].params.items()}
    assert (p["digit"], p["filters"]) == (1, 4)
    runs = steps_of("run")
    assert [r["experiment"] for r in runs] == ["feature_maps"] and check_run_step("feature_maps", {}) is None
    states(prose("What do learned filters see"), "3×3", "4", "2×2")


# -- the bank ---------------------------------------------------------------------------------------

def test_bank_numbers():
    q = QUESTIONS
    window = np.array([[2, 0, 1], [1, 3, 0], [0, 1, 2]], float)
    filt = np.array([[1, 0, -1]] * 3, float)
    assert q["q08-conv-hand-3x3"]["answer"] == (window * filt).sum() == conv_valid(window, filt).item() == 0
    states(both(q["q08-conv-hand-3x3"]["q"]), "(2, 0, 1)", "(1, 3, 0)", "(0, 1, 2)")
    image = np.array([[0, 0, 1, 1]] * 4, float)
    v, h = conv_valid(image, VERTICAL), conv_valid(image, HORIZONTAL)
    assert v.tolist() == [[3, 3], [3, 3]] and not h.any()
    edge = q["q08-conv-edge-which"]
    assert edge["choices"][edge["answer"]]["en"] == "V's map is 3 everywhere, H's map is 0 everywhere"
    assert conv_valid(1 - image, VERTICAL).tolist() == [[-3, -3], [-3, -3]]
    out = nn.Conv2d(1, 4, 3, padding=1).forward(np.zeros((1, 1, 8, 8), np.float32), train=False)
    assert q["q08-conv-map-values"]["answer"] == out.size == 8 * 8 * 4 == 256
    # dot product as similarity: the same pattern twice as bright gives twice the value
    win = np.array([[0, 0, 1]] * 3, float)
    assert (win * VERTICAL).sum() == 3 and (2 * win * VERTICAL).sum() == 6
    states(both(q["q08-why-conv-dot-similarity"]["explanation"]), "3", "6")
    assert (3 ** 2 * 8 + 1) * 16 == 1168
    states(both(q["q08-why-conv-channels"]["explanation"]), "1168")


def test_bank_shape():
    ours = {k: v for k, v in QUESTIONS.items() if k.startswith("q08-conv-") or k.startswith("q08-why-conv-")}
    check_bank_shape(ours, "q08-", 8, total=7, why=2)
    assert all(q.get("follow_up") for q in ours.values() if q["type"] == "why")


def test_lesson_shape_and_written_arithmetic():
    refs = [s["quiz"]["ref"] for s in LESSON_DATA["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
    assert check_written_arithmetic(all_formulas(LESSON_DATA)) >= 4
