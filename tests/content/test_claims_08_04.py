"""Recompute every number and identity of lesson 08-04 (counting a CNN's parameters layer by layer,
checked against ``tutor.nn``; two stacked 3×3 convolutions vs one 5×5, three vs one 7×7; the
composition of two convolutions without a ReLU; VGG-16's layer table computed from its
architecture, the fully connected share included) and of its bank questions (q08-vgg-*). The run's
figures are pinned in the lesson's ``figures:``."""

from __future__ import annotations

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor import nn
from tutor.experiments.vgg_stack import build, receptive_field

LESSON = load("lessons/08-cnn/04-vgg-parameters.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch08-cnn-shapes.yaml")["questions"] if q["id"].startswith("q08-vgg-")}


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def conv_params(k, cin, cout, bias=True):
    return (k * k * cin + bias) * cout


# --------------------------------------------------------------------------- VGG-16 from its architecture

VGG16 = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
FC = [(7 * 7 * 512, 4096), (4096, 4096), (4096, 1000)]


def vgg16():
    """Per block: (the convolutions' parameters, the block's output side before pooling); then the
    fully connected layers' parameters."""
    blocks, cin, side = [], 3, 224
    for widths in VGG16:
        params = 0
        for w in widths:
            params += conv_params(3, cin, w)
            side = (side + 2 * 1 - 3) // 1 + 1       # same padding keeps the side
            cin = w
        blocks.append((params, side, cin))
        side = (side - 2) // 2 + 1                   # 2×2 max pooling, stride 2
    fcs = [(a + 1) * b for a, b in FC]
    return blocks, fcs, side


def test_vgg16_is_13_convolutions_and_3_fully_connected():
    assert sum(len(b) for b in VGG16) == 13 and len(FC) == 3
    blocks, fcs, side = vgg16()
    assert side == 7 and FC[0][0] == 25088
    # the first conv layers checked against tutor.nn's own count
    assert nn.Conv2d(3, 64, 3, padding=1).num_params() == 1792
    assert nn.Conv2d(64, 64, 3, padding=1).num_params() == 36928
    assert nn.Linear(25088, 4096).num_params() == fcs[0]


def test_vgg16_table():
    blocks, fcs, _ = vgg16()
    conv_total, fc_total = sum(p for p, _, _ in blocks), sum(fcs)
    total = conv_total + fc_total
    assert total == 138357544 and conv_total == 14714688 and fc_total == 123642856
    text = prose("## VGG-16, layer by layer")
    for lang in ("ko", "en"):
        rows = table_rows(text[lang], 4)[1:]
        assert len(rows) == 9
        for (params, side, c), row in zip(blocks, rows[:5]):
            assert row[2] == f"{side}×{side}×{c}" and int(row[3]) == params
        assert [int(r[3]) for r in rows[5:8]] == fcs and int(rows[8][3]) == total
        assert [r[2] for r in rows[5:8]] == ["4096", "4096", "1000"]
    assert f"{100 * conv_total / total:.1f}" == "10.6" and f"{100 * fc_total / total:.1f}" == "89.4"
    assert f"{100 * fcs[0] / total:.1f}" == "74.3"
    assert [224 // 2 ** n for n in range(6)] == [224, 112, 56, 28, 14, 7]
    assert conv_params(3, 3, 64) + conv_params(3, 64, 64) == 1792 + 36928 == 38720
    states(both(text), "14714688", "123642856", "10.6%", "89.4%", "74.3%")
    # the opening quotes the total: about 138.36 million
    assert f"{total / 1e6:.2f}" == "138.36" and round(total / 1e4) == 13836
    states(both(LESSON["steps"][0]["prose"]), "13", "3")
    assert "138.36" in LESSON["steps"][0]["prose"]["en"] and "1억 3836만" in LESSON["steps"][0]["prose"]["ko"]


# --------------------------------------------------------------------------- the small CNN, layer by layer

def test_small_cnn_table_matches_tutor_nn():
    nn.manual_seed(0)
    model, _ = build("two_3x3", 8)
    x = np.zeros((1, 1, 8, 8), np.float32)
    shapes, params = [], []
    for layer in model.layers:
        x = layer.forward(x, train=False)
        shapes.append(x.shape[1:])
        params.append(layer.num_params())
    assert params == [80, 0, 584, 0, 584, 0, 0, 0, 1290] and model.num_params() == 2538
    text = prose("## The parameters of one convolution layer")
    for lang in ("ko", "en"):
        rows = table_rows(text[lang], 3)[1:]
        assert [int(r[2]) for r in rows[:-1]] == [0, 80, 0, 584, 0, 584, 0, 0, 1290]
        assert int(rows[-1][2]) == 2538
        # output shapes: 8×8×1 input, then the model's own shapes (ReLU + pooling as one row)
        want = ["8×8×1"] + [f"{s[1]}×{s[2]}×{s[0]}" for s in shapes[:5]] + ["4×4×8", "128", "10"]
        assert [r[1] for r in rows[:-1]] == want
    assert conv_params(3, 8, 8) == 584 and (128 + 1) * 10 == 1290


# --------------------------------------------------------------------------- the derivation

def compose_kernels(k1, k2):
    """The 5×5 kernel of conv(k2) after conv(k1) (cross-correlations, no padding): full 2-D
    convolution of the two kernels, as correlation."""
    out = np.zeros((5, 5))
    for a in range(3):
        for b in range(3):
            out[a:a + 3, b:b + 3] += k2[a, b] * k1
    return out


def test_stacked_3x3_derivation():
    dv = derivation(LESSON, "deriv-08-stacked-3x3")
    nn.manual_seed(0)

    def rf(n):
        return receptive_field([nn.Conv2d(2, 2, 3, padding=1) if i % 2 == 0 else nn.ReLU()
                                for i in range(2 * n - 1)], 2)

    def no_relu_is_one_5x5():
        rng = np.random.default_rng(0)
        c1, c2, c5 = nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 5)
        for c in (c1, c2):
            c.params["W"][...] = rng.standard_normal((1, 1, 3, 3))
            c.params["b"][...] = 0
        c5.params["W"][...] = compose_kernels(c1.params["W"][0, 0].astype(float), c2.params["W"][0, 0].astype(float))
        c5.params["b"][...] = 0
        x = rng.standard_normal((1, 1, 9, 9)).astype(np.float32)
        assert np.allclose(c2.forward(c1.forward(x)), c5.forward(x), atol=1e-4)
        # with a ReLU in between it is no longer that convolution
        relu = nn.ReLU()
        assert not np.allclose(c2.forward(relu.forward(c1.forward(x))), c5.forward(x), atol=1e-2)

    def ok(v):
        assert v

    c = 8
    checks = {
        "r_1 = 1 + (3 - 1) \\cdot 1 = 3": lambda: ok(rf(1) == 3),
        "r_2 = 3 + (3 - 1) \\cdot 1 = 5": lambda: ok(rf(2) == 5 == receptive_field([nn.Conv2d(2, 2, 5, padding=2)], 2)),
        "r_3 = 5 + (3 - 1) \\cdot 1 = 7": lambda: ok(rf(3) == 7 and all(rf(n) == 1 + 2 * n for n in (1, 2, 3, 4))),
        "2 \\cdot (3 \\cdot 3 \\cdot C \\cdot C) = 18C^2": lambda: ok(
            2 * nn.Conv2d(c, c, 3).params["W"].size == 18 * c * c),
        "5 \\cdot 5 \\cdot C \\cdot C = 25C^2": lambda: ok(nn.Conv2d(c, c, 5).params["W"].size == 25 * c * c),
        "1 - \\frac{18}{25} = 0.28": lambda: ok(all(1 - 18 * n * n / (25 * n * n) == pytest.approx(0.28)
                                                  for n in (1, 8, 64, 512))),
        "1 - \\frac{27}{49} \\approx 0.45": lambda: ok(round(1 - 27 / 49, 2) == 0.45),
        "K_2 * (K_1 * x) = (K_2 * K_1) * x": no_relu_is_one_5x5,
    }
    run_checks(dv, checks)


def test_run_prose():
    text = prose("## What the run showed")
    c = 8
    assert 25 * c * c + c == 1608 and 18 * c * c + 2 * c == 1168
    assert round(0.01 * 359) in (3, 4)
    from tutor.experiments.fitting import digits_splits
    assert len(digits_splits(0)[1][1]) == 359
    states(both(text), "1608", "1168", "2538", "359", "95%", "96%")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 5
    assert check_written_arithmetic(all_formulas(list(BANK.values()))) >= 5


# --------------------------------------------------------------------------- bank

def test_bank_shape():
    check_bank_shape(BANK, "q08-vgg-", 8, total=5, why=2)


def test_bank_answers():
    assert BANK["q08-vgg-conv-params"]["answer"] == nn.Conv2d(64, 128, 3).num_params() == 73856
    small = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2 * 2 * 16, 10))
    assert small.forward(np.zeros((1, 1, 8, 8), np.float32)).shape == (1, 10)
    assert BANK["q08-vgg-small-cnn"]["answer"] == small.num_params() == 80 + 1168 + 650
    q = BANK["q08-vgg-three-vs-seven"]
    assert 3 * nn.Conv2d(64, 64, 3).params["W"].size == 110592 and nn.Conv2d(64, 64, 7).params["W"].size == 200704
    assert q["answer"] == round(100 * (1 - 110592 / 200704), 1) == 44.9 and q["tolerance"] == 0.1
    assert BANK["q08-vgg-rf-stack"]["answer"] == receptive_field(
        [nn.Conv2d(1, 1, 3, padding=1) for _ in range(4)], 1) == 9
    _, fcs, _ = vgg16()
    assert BANK["q08-vgg-fc1"]["answer"] == fcs[0] == 102764544
    assert 0.7 < fcs[0] / 138357544 < 0.75     # "close to three quarters"
