"""Recompute every number and identity of lesson 08-03 (padding, stride, pooling: the window-start
table, the output-size derivation, "same" padding, stride as subsampling, the pooling table, the
receptive-field table and recurrence, the head sizes) and of its bank questions
(quizzes/ch08-cnn-shapes.yaml, q08-pad-*). The output-size formula is checked against
``tutor.nn.Conv2d`` and ``MaxPool2d`` output shapes over a grid of (I, K, P, S). The run's figures
are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor import nn

LESSON = load("lessons/08-cnn/03-padding-stride-pooling.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch08-cnn-shapes.yaml")["questions"] if q["id"].startswith("q08-pad-")}
GRID = [(i, k, p, s) for i, k, p, s in itertools.product(range(1, 13), range(1, 7), range(0, 4), range(1, 5))
        if k <= i + 2 * p]


def formula(i, k, p, s):
    return (i + 2 * p - k) // s + 1


def conv_out(i, k, p, s, w=None):
    x = np.zeros((1, 1, i, w or i), np.float32)
    return nn.Conv2d(1, 1, k, stride=s, padding=p).forward(x).shape[2:]


def pool_out(i, k, s):
    return nn.MaxPool2d(k, stride=s).forward(np.zeros((1, 1, i, i), np.float32)).shape[2:]


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def step_index(marker_en: str) -> int:
    return next(n for n, s in enumerate(LESSON["steps"]) if "prose" in s and marker_en in s["prose"]["en"])


# --------------------------------------------------------------------------- counting positions

def test_window_start_table():
    text = prose("## Count where the window can start")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 6) if r[0].isdigit()]
        assert len(rows) == 5
        for i, k, p, s, starts, o in rows:
            i, k, p, s = int(i), int(k), int(p), int(s)
            expected = list(range(0, i + 2 * p - k + 1, s))
            assert [int(x) for x in starts.split(", ")] == expected
            assert int(o) == len(expected) == formula(i, k, p, s) == conv_out(i, k, p, s)[0]
    # the dropped position of the fourth row: a window at 6 would need cell 8 of a row of 8
    assert 6 + 3 - 1 == 8 and 8 + 2 * 0 - 1 == 7
    states(both(text), "6, 7", "8")


def test_output_size_formula_against_tutor_nn_over_a_grid():
    for i, k, p, s in GRID:
        assert conv_out(i, k, p, s) == (formula(i, k, p, s),) * 2, (i, k, p, s)
    for i, k, s in itertools.product(range(2, 13), range(1, 5), range(1, 5)):
        if k <= i:
            assert pool_out(i, k, s) == (formula(i, k, 0, s),) * 2
    # height and width are counted separately
    assert conv_out(9, 3, 1, 2, w=6) == (formula(9, 3, 1, 2), formula(6, 3, 1, 2)) == (5, 3)


def test_output_size_derivation():
    dv = derivation(LESSON, "deriv-08-output-size")

    def starts(i, k, p, s):
        return [m * s for m in range(i + 2 * p) if m * s + k - 1 <= i + 2 * p - 1]

    checks = {
        "I + 2P": lambda: all(np.pad(np.zeros(i), p).size == i + 2 * p for i, _, p, _ in GRID),
        "x_m = mS, \\; m = 0, 1, 2, \\dots": lambda: all(
            starts(i, k, p, s) == list(range(0, i + 2 * p - k + 1, s)) for i, k, p, s in GRID),
        "mS + K - 1 \\le I + 2P - 1": lambda: all(
            (m * s + k - 1 <= i + 2 * p - 1) == (m * s <= i + 2 * p - k)
            for i, k, p, s in GRID for m in range(20)),
        "m \\le \\frac{I + 2P - K}{S}": lambda: all(
            (m * s <= i + 2 * p - k) == (m <= (i + 2 * p - k) / s) for i, k, p, s in GRID for m in range(20)),
        "m_{\\max} = ⌊\\frac{I + 2P - K}{S}⌋": lambda: all(
            max(starts(i, k, p, s)) // s == (i + 2 * p - k) // s for i, k, p, s in GRID),
        "O = ⌊\\frac{I + 2P - K}{S}⌋ + 1": lambda: all(
            len(starts(i, k, p, s)) == formula(i, k, p, s) == conv_out(i, k, p, s)[0] for i, k, p, s in GRID[::7]),
        "\\frac{28 + 2 \\cdot 0 - 5}{1} + 1 = 24": lambda: conv_out(28, 5, 0, 1) == (24, 24),
        "⌊\\frac{224 + 2 \\cdot 3 - 7}{2}⌋ + 1 = 111 + 1 = 112": lambda: (
            (224 + 6 - 7) / 2 == 111.5 and formula(224, 7, 3, 2) == 112 and 2 * 112 == 224),
        "S = 1: \\; O = I + 2P - K + 1 = I \\iff P = \\frac{K - 1}{2}": lambda: all(
            (formula(i, k, p, 1) == i) == (2 * p == k - 1) for i, k, p, _ in GRID)
            and [(k - 1) / 2 for k in (3, 5, 7)] == [1, 2, 3] and (4 - 1) / 2 == 1.5,
        "O_S = ⌊\\frac{O_1 - 1}{S}⌋ + 1": lambda: all(_subsampled(i, k, p, s) for i, k, p, s in GRID[::5]),
    }
    run_checks(dv, {m: (lambda f=f: _assert(f())) for m, f in checks.items()})


def _assert(ok):
    assert ok


def _subsampled(i, k, p, s) -> bool:
    """A stride-S convolution is the stride-1 one with every S-th output kept (same weights)."""
    nn.manual_seed(0)
    c1 = nn.Conv2d(1, 2, k, stride=1, padding=p)
    cs = nn.Conv2d(1, 2, k, stride=s, padding=p)
    cs.params["W"][...] = c1.params["W"]
    cs.params["b"][...] = c1.params["b"]
    x = np.random.default_rng(1).standard_normal((1, 1, i, i)).astype(np.float32)
    full, strided = c1.forward(x), cs.forward(x)
    o1 = full.shape[2]
    return strided.shape[2] == (o1 - 1) // s + 1 and np.allclose(full[:, :, ::s, ::s], strided, atol=1e-6)


def test_examples_in_the_opening():
    assert conv_out(28, 5, 0, 1) == (24, 24) and formula(224, 7, 3, 2) == 112
    states(both(LESSON["steps"][0]["prose"]), "28×28", "5×5", "24×24", "224×224", "7×7", "112×112")


# --------------------------------------------------------------------------- pooling

def test_pooling_table():
    text = prose("## Pooling: shrinking without parameters")
    assert nn.MaxPool2d(2).num_params() == 0
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 3) if r[0][0].isdigit()]
        assert len(rows) == 4
        for row, mx, av in rows:
            v = np.array([float(x) for x in row.split(", ")], np.float32)
            x = np.stack([v, v])[None, None]                 # two equal rows: a 2×2 window = 2 cells of the row
            got = nn.MaxPool2d(2).forward(x)[0, 0, 0]
            assert [float(g) for g in got] == [float(t) for t in mx.split(", ")]
            assert [float(a) for a in v.reshape(-1, 2).mean(axis=1)] == [float(t) for t in av.split(", ")]
    # the shift claims: within a window nothing changes, across an edge the output moves
    a, b, c = ([9, 0, 0, 0], [0, 9, 0, 0], [0, 0, 9, 0])
    mp = lambda r: list(np.array(r).reshape(-1, 2).max(axis=1))  # noqa: E731
    assert mp(a) == mp(b) != mp(c)
    states(both(text), "9", "4.5")


# --------------------------------------------------------------------------- receptive field

def rf_recurrence(layers):
    r, j, out = 1, 1, []
    for k, s in layers:
        r, j = r + (k - 1) * j, j * s
        out.append((j, r))
    return out


def rf_measured(layers, side=33) -> int:
    """Receptive field by backprop; pooling windows stand in as stride-s convolutions with positive
    weights (the same window; max pooling's gradient would reach only the winners)."""
    nn.manual_seed(0)
    mods = []
    for k, s in layers:
        conv = nn.Conv2d(1, 1, k, stride=s)
        conv.params["W"][...] = 1.0
        mods.append(conv)
    x = np.ones((1, 1, side, side), np.float32)
    for m in mods:
        x = m.forward(x)
    d = np.zeros_like(x)
    d[0, 0, x.shape[2] // 2, x.shape[3] // 2] = 1
    for m in reversed(mods):
        d = m.backward(d)
    rows = np.flatnonzero(np.abs(d[0, 0]).sum(axis=1))
    return int(rows.max() - rows.min() + 1)


TABLE_LAYERS = [(3, 1), (2, 2), (3, 1), (2, 2)]


def test_receptive_field_table():
    text = prose("## Receptive field: later layers see more")
    want = rf_recurrence(TABLE_LAYERS)
    assert want == [(1, 3), (2, 4), (2, 8), (4, 10)]
    for n in range(1, 5):
        assert rf_measured(TABLE_LAYERS[:n]) == want[n - 1][1]
    for lang in ("ko", "en"):
        rows = table_rows(text[lang], 5)[1:]
        assert [(int(r[3]), int(r[4])) for r in rows] == [(1, 1)] + want
        assert [r[1] for r in rows[1:]] == ["3", "2", "3", "2"] and [r[2] for r in rows[1:]] == ["1", "2", "1", "2"]


def test_receptive_field_derivation():
    dv = derivation(LESSON, "deriv-08-receptive-field")
    checks = {
        "j_l = j_{l-1} s_l": lambda: _assert([j for j, _ in rf_recurrence(TABLE_LAYERS)] == [1, 2, 2, 4]),
        "r_l = r_{l-1} + (k_l - 1) j_{l-1}": lambda: _assert(all(
            rf_measured(layers) == rf_recurrence(layers)[-1][1]
            for layers in ([(3, 1)], [(5, 1), (2, 2)], [(3, 2), (3, 1)], [(2, 2), (2, 2), (3, 1)]))),
        "r = 1 + 2 \\cdot 1 = 3, \\; 3 + 1 \\cdot 1 = 4, \\; 4 + 2 \\cdot 2 = 8, \\; 8 + 1 \\cdot 2 = 10": lambda: _assert(
            [r for _, r in rf_recurrence(TABLE_LAYERS)] == [1 + 2 * 1, 3 + 1 * 1, 4 + 2 * 2, 8 + 1 * 2]),
        "r_L = 1 + L(k - 1) \\quad (s_l = 1)": lambda: _assert(all(
            rf_measured([(k, 1)] * n) == 1 + n * (k - 1) for k in (3, 5) for n in (1, 2, 3))),
    }
    run_checks(dv, checks)


# --------------------------------------------------------------------------- the run's prose

def test_head_sizes_and_shift_claims():
    text = prose("## What the run showed")
    assert (8 * 8 * 8 + 1) * 10 == 5130 and (4 * 4 * 8 + 1) * 10 == 1290
    assert 5130 / 1290 == pytest.approx(4, rel=0.01)
    for variant, head in (("no_downsampling", 5130), ("maxpool", 1290), ("stride2", 1290)):
        from tutor.experiments.pooling import build
        nn.manual_seed(0)
        assert build(variant, 8)[-1].num_params() == head
    assert 1 / 8 == 0.125
    states(both(text), "5130", "1290", "95.8%", "94.7%", "47.3%", "45.5%", "55.1%")
    step = step_index("## What the run showed")
    assert {f["step"] for f in LESSON["figures"]} == {step}


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 3
    assert check_written_arithmetic(all_formulas(list(BANK.values()))) >= 5


# --------------------------------------------------------------------------- bank

def test_bank_shape():
    check_bank_shape(BANK, "q08-pad-", 8, total=5, why=2)


def test_bank_answers():
    assert BANK["q08-pad-same"]["answer"] == (7 - 1) / 2 and conv_out(20, 7, 3, 1) == (20, 20)
    assert BANK["q08-pad-stride-floor"]["answer"] == formula(32, 5, 2, 2) == conv_out(32, 5, 2, 2)[0] == 16
    assert BANK["q08-pad-receptive"]["answer"] == rf_recurrence([(5, 1), (2, 2), (3, 1)])[-1][1] \
        == rf_measured([(5, 1), (2, 2), (3, 1)]) == 10
    q = BANK["q08-pad-pool-facts"]
    assert q["answers"] == [0, 1, 2]
    x = np.random.default_rng(0).random((1, 3, 16, 16)).astype(np.float32)
    assert nn.MaxPool2d(2).forward(x).shape == (1, 3, 8, 8) and nn.MaxPool2d(2).num_params() == 0
    assert np.mean([1, 9]) == 5 and max(1, 9) == 9
    assert BANK["q08-pad-gen-shape"]["generator"] == "conv_shape"
    # the why question's example: length 8, kernel 3, stride 2
    assert list(range(0, 8 - 3 + 1, 2)) == [0, 2, 4] and formula(8, 3, 0, 2) == 3
