"""Recompute every number of lesson 08-05 (a look at YOLO: the sliding-window count, YOLO v1's
output tensor, IoU derived and computed, non-maximum suppression step by step) and of its bank
questions (q08-yolo-*), with the ``grid_detector`` experiment's own ``iou`` and ``nms`` and an
independent IoU by pixel counting. The run's figures are pinned in the lesson's ``figures:``."""

from __future__ import annotations

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor.experiments.grid_detector import iou, nms

LESSON = load("lessons/08-cnn/05-yolo.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch08-cnn-shapes.yaml")["questions"] if q["id"].startswith("q08-yolo-")}


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def iou_by_pixels(a, b, scale=1) -> float:
    """IoU by painting both boxes on a grid of cells and counting them."""
    n = int(max(a[2], a[3], b[2], b[3]) * scale) + 1
    A, B = np.zeros((n, n), bool), np.zeros((n, n), bool)
    A[int(a[1] * scale):int(a[3] * scale), int(a[0] * scale):int(a[2] * scale)] = True
    B[int(b[1] * scale):int(b[3] * scale), int(b[0] * scale):int(b[2] * scale)] = True
    return (A & B).sum() / (A | B).sum()


def ok(v):
    assert v


def test_sliding_window_table():
    text = prose("## What sliding windows cost")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 3) if r[0][0].isdigit()]
        total = 0
        for window, per, count in rows:
            k = int(window.split("×")[0])
            n = len(range(0, 224 - k + 1, 8))
            assert int(per) == n == (224 - k) // 8 + 1 and int(count) == n * n
            total += n * n
        assert total == 899 and int(table_rows(text[lang], 3)[-1][2]) == 899
    states(both(text), "899", "441")
    states(both(prose("## YOLO's idea")), "899")


def test_yolo_output_derivation():
    dv = derivation(LESSON, "deriv-08-yolo-output")
    S, B, C = 7, 2, 20
    out = np.zeros((S, S, 5 * B + C))
    checks = {
        "5B": lambda: ok(len(["x", "y", "w", "h", "confidence"]) * B == 10),
        "5B + C": lambda: ok(5 * B + C == 30),
        "5 \\cdot 2 + 20 = 30": lambda: ok(out.shape[2] == 30),
        "S \\times S \\times (5B + C) = 7 \\times 7 \\times 30": lambda: ok(out.shape == (7, 7, 30)),
        "7 \\cdot 7 \\cdot 30 = 1470": lambda: ok(out.size == 1470 and S * S * B == 98),
    }
    run_checks(dv, checks)


def test_iou_derivation():
    dv = derivation(LESSON, "deriv-08-iou")
    A, B = (1, 1, 5, 4), (3, 2, 7, 6)
    checks = {
        "\\mathrm{IoU}(A, B) = \\frac{|A \\cap B|}{|A \\cup B|}": lambda: ok(
            iou(A, A) == 1 and iou(A, (10, 10, 12, 12)) == 0 and iou(A, B) == pytest.approx(iou_by_pixels(A, B))
            and iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(iou((0, 0, 20, 20), (10, 10, 30, 30)))),
        "w_\\cap = \\max(0, \\min(x_2, x_2') - \\max(x_1, x_1'))": lambda: ok(
            max(0, min(5, 7) - max(1, 3)) == 2 and max(0, min(2, 9) - max(0, 4)) == 0),
        "w_\\cap = \\min(5, 7) - \\max(1, 3) = 2, \\; h_\\cap = \\min(4, 6) - \\max(1, 2) = 2": lambda: ok(
            (min(5, 7) - max(1, 3), min(4, 6) - max(1, 2)) == (2, 2)),
        "|A \\cup B| = |A| + |B| - |A \\cap B|": lambda: ok(
            abs(4 / (12 + 16 - 4) - iou_by_pixels(A, B)) < 1e-12),
        "|A \\cup B| = 4 \\cdot 3 + 4 \\cdot 4 - 2 \\cdot 2 = 24": lambda: ok((5 - 1) * (4 - 1) == 12 and (7 - 3) * (6 - 2) == 16),
        "\\mathrm{IoU} = \\frac{4}{24} \\approx 0.167": lambda: ok(f"{iou(A, B):.3f}" == "0.167"),
    }
    run_checks(dv, checks)


BOXES = {"A": ((10, 10, 50, 50), 0.9), "B": ((12, 14, 52, 54), 0.8), "C": ((60, 10, 90, 40), 0.7),
         "D": ((30, 30, 70, 70), 0.6), "E": ((0, 0, 20, 20), 0.3)}


def test_nms_walkthrough():
    text = prose("## Non-maximum suppression (NMS), step by step")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 3) if r[0] in BOXES]
        assert {r[0]: (tuple(int(v) for v in r[1].strip("()").split(", ")), float(r[2])) for r in rows} == BOXES
    box = {k: b for k, (b, _) in BOXES.items()}
    assert f"{iou(box['A'], box['B']):.3f}" == "0.747" and iou(box["A"], box["C"]) == 0
    assert f"{iou(box['A'], box['D']):.3f}" == "0.143" and f"{iou(box['C'], box['D']):.3f}" == "0.042"
    for a, b in (("A", "B"), ("A", "D"), ("C", "D")):
        assert iou(box[a], box[b]) == pytest.approx(iou_by_pixels(box[a], box[b]))
    kept = [k for k, (_, c) in BOXES.items() if c >= 0.5]
    assert kept == ["A", "B", "C", "D"]
    order = nms([box[k] for k in kept], [BOXES[k][1] for k in kept], 0.5)
    assert [kept[i] for i in order] == ["A", "C", "D"]
    states(both(text), "0.747", "0.143", "0.042", "A, C, D")


def test_run_prose():
    states(both(prose("## What the run showed")), "306", "84%", "0.77", "305", "304")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 4
    assert check_written_arithmetic(all_formulas(list(BANK.values()))) >= 3


def test_bank_shape():
    check_bank_shape(BANK, "q08-yolo-", 8, total=5, why=2)


def test_bank_answers():
    q = BANK["q08-yolo-output"]
    assert q["answer"] == np.zeros((7, 7, 5 * 2 + 80)).size == 4410
    q = BANK["q08-yolo-iou"]
    exact = iou((0, 0, 4, 4), (2, 2, 6, 6))
    assert exact == pytest.approx(iou_by_pixels((0, 0, 4, 4), (2, 2, 6, 6))) == pytest.approx(4 / 28)
    assert q["answer"] == round(exact, 3) and q["tolerance"] == 0.001
    assert BANK["q08-yolo-weakness"]["answer"] == 0
    assert len(BANK["q08-yolo-nms-order"]["items"]) == 5
    assert BANK["q08-yolo-nms-order"]["interchangeable"] == [[1, 2]]


def test_nms_discarding_before_or_after_sorting_keeps_the_same_boxes():
    """q08-yolo-nms-order lets its first two steps swap: sorting all boxes and then discarding the
    weak ones leaves the same list, in the same order, as discarding first."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        corners = rng.uniform(0, 10, (8, 2))
        boxes = [tuple(c) + tuple(c + rng.uniform(1, 4, 2)) for c in corners]
        scores = list(rng.uniform(0, 1, 8))
        cut = 0.3
        first_discard = [i for i in range(8) if scores[i] >= cut]
        kept = nms([boxes[i] for i in first_discard], [scores[i] for i in first_discard])
        discard_first = [first_discard[k] for k in kept]
        by_score = sorted(range(8), key=lambda i: -scores[i])
        sorted_then_cut = [i for i in by_score if scores[i] >= cut]
        kept2 = nms([boxes[i] for i in sorted_then_cut], [scores[i] for i in sorted_then_cut])
        assert discard_first == [sorted_then_cut[k] for k in kept2]
    assert 1 / 49 == pytest.approx(1 / (7 * 7))
