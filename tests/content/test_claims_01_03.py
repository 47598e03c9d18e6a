"""Recompute every number and identity of lesson 01-03 (vectors and matrices) and its bank
quizzes/ch01-vectors-matrices.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one: editing a line fails here until its check is updated. The numbers the
prose, the table and the questions state are read from the YAML where practical. The run's own
outcome (the experiment ``similarity``) is checked in tests/experiments/test_outcomes.py; here only
what the lesson says about it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import (ROOT, all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load,
                        run_checks, states, table_rows)
from tutor.experiments import REGISTRY, check_run_step

LESSON = "lessons/01-math/03-vectors-matrices.yaml"
BANK = "quizzes/ch01-vectors-matrices.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}
RNG = np.random.default_rng(13)


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    """Both languages of the prose step whose English starts with ``## heading``."""
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def close_to(x: float, written: str) -> bool:
    digits = len(written.split(".")[1]) if "." in written else 0
    return abs(x - float(written)) <= 0.5 * 10 ** -digits + 1e-12


def det2(A) -> float:
    return float(A[0][0] * A[1][1] - A[0][1] * A[1][0])


# -- vectors ------------------------------------------------------------------------------------------

def test_vectors_as_lists_and_arrows():
    a = np.array([3.0, 4.0])
    assert np.linalg.norm(a) == 5 and math.sqrt(3 ** 2 + 4 ** 2) == 5
    assert tuple(a + np.array([1.0, -2.0])) == (4, 2)
    assert tuple(2 * a) == (6, 8) and np.linalg.norm(2 * a) == 10
    assert 64 * 64 * 3 == 12288
    texts = prose("A vector")
    states(texts, "(3, 4) + (1, -2) = (4, 2)", "2 \\cdot (3, 4) = (6, 8)", "10", "12288", "= 5")


# -- Ax = b ---------------------------------------------------------------------------------------------

A1, B1 = np.array([[2.0, 1.0], [1.0, -1.0]]), np.array([5.0, 1.0])


def test_the_2x2_system_by_hand_and_by_columns():
    x = np.linalg.solve(A1, B1)
    assert np.allclose(x, [2, 1])
    assert 2 * 2 + 1 == 5 and 2 - 1 == 1 and 3 * 2 == 6          # adding the equations: 3x = 6
    assert np.allclose(2 * A1[:, 0] + 1 * A1[:, 1], B1)           # columns mixed 2 and 1
    assert tuple(A1[:, 0]) == (2, 1) and tuple(A1[:, 1]) == (1, -1)
    assert det2(A1) == -3
    texts = prose("A matrix")
    states(texts, "3x = 6", "x = 2", "y = x - 1 = 1", "2 \\cdot 2 + 1 = 5", "2 - 1 = 1",
           "2 \\cdot (2, 1) + 1 \\cdot (1, -1) = (5, 1)", "| 2   1 |", "| 1  -1 |", "| 5 |")


A2 = np.array([[1.0, 2.0], [2.0, 4.0]])


def test_the_singular_system():
    assert det2(A2) == 0 == 1 * 4 - 2 * 2
    for x, y in [(3, 0), (1, 1), (-1, 2)]:                        # b = (3, 6): all of these solve it
        assert np.allclose(A2 @ [x, y], [3, 6])
    # b = (3, 7): twice the first equation says 6, the second says 7 — no solution
    assert np.linalg.matrix_rank(np.column_stack([A2, [3, 7]])) == 2 > np.linalg.matrix_rank(A2) == 1
    assert np.allclose(A2 @ [2, -1], 0)                           # the v with Av = 0 (bank explanation)
    texts = prose("When there is no unique solution")
    states(texts, "(3, 0)", "(1, 1)", "(-1, 2)", "2x + 4y = 6", "2x + 4y = 7",
           "1 \\cdot 4 - 2 \\cdot 2 = 0", "2 \\cdot (-1) - 1 \\cdot 1 = -3")


def test_elimination_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-01-elimination-2x2")
    cases = [(2.0, 1.0, 1.0, -1.0, 5.0, 1.0)] + [tuple(RNG.normal(size=6)) for _ in range(5)]

    def each(check):
        def run():
            for a11, a12, a21, a22, b1, b2 in cases:
                check(a11, a12, a21, a22, b1, b2)
        return run

    def solution(a11, a12, a21, a22, b1, b2):
        return np.linalg.solve([[a11, a12], [a21, a22]], [b1, b2])

    def line1(a11, a12, a21, a22, b1, b2):
        x, y = solution(a11, a12, a21, a22, b1, b2)
        assert math.isclose(a22 * (a11 * x + a12 * y) - a12 * (a21 * x + a22 * y), a22 * b1 - a12 * b2,
                            abs_tol=1e-9)
        # the y terms cancel for any x, y
        for x_, y_ in RNG.normal(size=(3, 2)):
            lhs = a22 * (a11 * x_ + a12 * y_) - a12 * (a21 * x_ + a22 * y_)
            assert math.isclose(lhs, (a11 * a22 - a12 * a21) * x_, abs_tol=1e-9)

    def line2(a11, a12, a21, a22, b1, b2):
        x, _ = solution(a11, a12, a21, a22, b1, b2)
        assert math.isclose((a11 * a22 - a12 * a21) * x, a22 * b1 - a12 * b2, abs_tol=1e-9)

    def line3(a11, a12, a21, a22, b1, b2):
        _, y = solution(a11, a12, a21, a22, b1, b2)
        assert math.isclose((a11 * a22 - a12 * a21) * y, a11 * b2 - a21 * b1, abs_tol=1e-9)

    def line4(a11, a12, a21, a22, b1, b2):
        x, y = solution(a11, a12, a21, a22, b1, b2)
        det = a11 * a22 - a12 * a21
        assert math.isclose(x, (a22 * b1 - a12 * b2) / det) and math.isclose(y, (a11 * b2 - a21 * b1) / det)

    def example_line4():
        assert (-1 * 5 - 1 * 1, 2 * 1 - 1 * 5) == (-5 - 1, 2 - 5) == (-6, -3)
        assert (-5 - 1) / (-3) == 2 and (2 - 5) / (-3) == 1

    def line5():
        # det 0: the left side is 0 for every x; rows (1, 2), (2, 4) with b = (3, 7): right side −2
        a11, a12, a21, a22, b1, b2 = 1, 2, 2, 4, 3, 7
        assert a11 * a22 - a12 * a21 == 0
        assert a22 * b1 - a12 * b2 == 4 * 3 - 2 * 7 == -2
        # and with b = (3, 6) the right side is 0: no condition on x, infinitely many
        assert a22 * 3 - a12 * 6 == 0

    run_checks(d, {
        d["steps"][0]["math"]: each(line1),
        d["steps"][1]["math"]: each(line2),
        d["steps"][2]["math"]: each(line3),
        d["steps"][3]["math"]: lambda: (each(line4)(), example_line4()),
        d["steps"][4]["math"]: line5,
    })
    assert "a_{22}(a_{11} x + a_{12} y)" in d["steps"][0]["math"]
    states(both(d["steps"][3]["why"]), "x = (-5 - 1)/(-3) = 2", "y = (2 - 5)/(-3) = 1")
    states(both(d["steps"][4]["why"]), "4 \\cdot 3 - 2 \\cdot 7 = -2")


# -- shapes -----------------------------------------------------------------------------------------------

def test_product_shapes():
    assert (np.ones((2, 3)) @ np.ones((3, 4))).shape == (2, 4)
    with pytest.raises(ValueError):
        np.ones((3, 2)) @ np.ones((3, 4))
    M = np.array([[1, 2, 3], [4, 5, 6]])
    assert tuple(M @ [1, 0, -1]) == (1 - 3, 4 - 6) == (-2, -2)
    W, X = RNG.normal(size=(3, 4)), RNG.normal(size=(8, 4))
    out = X @ W.T
    assert out.shape == (8, 3) and out.size == 24
    assert math.isclose(out[5, 2], float(np.dot(W[2], X[5])))    # each entry: one neuron's row · one input
    states(prose("The shape of a product"), "(2 \\times 3)(3 \\times 4)", "2 \\times 4", "2 \\ne 3",
           "(1 - 3, 4 - 6) = (-2, -2)", "3 \\times 4", "(8 \\times 4)(4 \\times 3) = 8 \\times 3", "24")


# -- the dot product --------------------------------------------------------------------------------------

W0 = np.array([3.0, 4.0])


def test_the_dot_product_table():
    for text in prose("The dot product"):
        rows = table_rows(text, 4)[1:]
        assert len(rows) == 6
        for x_text, dot, norm, cos in rows:
            x = np.array([float(v) for v in re.findall(r"-?\d+", x_text)])
            assert float(dot) == np.dot(W0, x)
            assert float(norm) == np.linalg.norm(x)
            assert math.isclose(float(cos), np.dot(W0, x) / (5 * np.linalg.norm(x)), abs_tol=1e-12)
        assert "(6, 8)" in text and "(3, 4)" in text


def test_dot_cosine_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-01-dot-cosine")
    pairs = [(np.array([3.0, 4.0]), np.array([4.0, 3.0]))] + [(RNG.normal(size=n), RNG.normal(size=n))
                                                               for n in (2, 3, 5, 12)]

    def angle(a, b):
        # the angle of the triangle, measured geometrically (not from the dot product):
        # in the plane of a and b, with a along the first axis
        e1 = a / np.linalg.norm(a)
        r = b - np.dot(b, e1) * e1
        return math.atan2(np.linalg.norm(r), np.dot(b, e1))

    def law_of_cosines(a, b):
        th, na, nb = angle(a, b), np.linalg.norm(a), np.linalg.norm(b)
        # the triangle's third side from the coordinates of its corners in that plane
        p, q = np.array([na, 0.0]), np.array([nb * math.cos(th), nb * math.sin(th)])
        side = np.linalg.norm(p - q)
        assert math.isclose(side ** 2, na ** 2 + nb ** 2 - 2 * na * nb * math.cos(th))
        assert math.isclose(np.linalg.norm(a - b), side)

    checks = {
        d["steps"][0]["math"]: law_of_cosines,
        d["steps"][1]["math"]: lambda a, b: math.isclose(np.linalg.norm(a - b) ** 2, np.dot(a - b, a - b))
        or pytest.fail("squared length"),
        d["steps"][2]["math"]: lambda a, b: math.isclose(np.dot(a - b, a - b),
                                                         np.dot(a, a) - 2 * np.dot(a, b) + np.dot(b, b))
        or pytest.fail("expansion"),
        d["steps"][3]["math"]: lambda a, b: math.isclose(
            np.linalg.norm(a) ** 2 - 2 * np.dot(a, b) + np.linalg.norm(b) ** 2,
            np.linalg.norm(a) ** 2 + np.linalg.norm(b) ** 2
            - 2 * np.linalg.norm(a) * np.linalg.norm(b) * math.cos(angle(a, b))) or pytest.fail("equate"),
        d["steps"][4]["math"]: lambda a, b: math.isclose(
            np.dot(a, b), np.linalg.norm(a) * np.linalg.norm(b) * math.cos(angle(a, b)), abs_tol=1e-12)
        or pytest.fail("a·b"),
        d["steps"][5]["math"]: lambda a, b: (
            math.isclose(math.cos(angle(a, b)), np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)),
                         abs_tol=1e-12) and -1 <= np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) <= 1
        ) or pytest.fail("cosine similarity"),
    }
    run_checks(d, {m: (lambda f=f: [f(a, b) for a, b in pairs]) for m, f in checks.items()})
    # the 90° case is Pythagoras; the conclusion's example
    a, b = np.array([3.0, 4.0]), np.array([-4.0, 3.0])
    assert math.isclose(np.linalg.norm(a - b) ** 2, 25 + 25)
    assert np.dot([3, 4], [4, 3]) == 24 and math.isclose(5 * 5 * 0.96, 24)
    states(both(d["conclusion"]), "(3, 4) \\cdot (4, 3) = 24 = 5 \\cdot 5 \\cdot 0.96")


def test_where_the_dot_product_comes_back():
    signal, kernel = np.array([0, 0, 2, 2, 0]), np.array([-1, 1])
    out = [int(np.dot(kernel, signal[i:i + 2])) for i in range(len(signal) - 1)]
    assert out == [0, 2, 0, -2] and out == list(np.correlate(signal, kernel, mode="valid"))
    assert tuple(signal[1:3]) == (0, 2) and int(np.argmax(out)) == 1
    Q, K = RNG.normal(size=(4, 8)), RNG.normal(size=(4, 8))
    S = Q @ K.T
    assert S.shape == (4, 4) and S.size == 16 and math.isclose(S[1, 3], float(np.dot(Q[1], K[3])))
    states(prose("Where the dot product comes back"), "(-1, 1)", "(0, 0, 2, 2, 0)", "(0, 2, 0, -2)", "(0, 2)",
           "(n \\times d)(d \\times n) = n \\times n", "d = 8", "16", "\\sqrt{d}", "\\mathbf{w} = (3, 4)")


# -- the run ------------------------------------------------------------------------------------------------

def test_run_step_is_the_similarity_experiment_at_the_settings_the_prose_names():
    runs = steps_of("run")
    assert len(runs) == 1 and runs[0]["experiment"] == "similarity" and runs[0]["set"] == {}
    assert check_run_step("similarity", {"length": 4}) is None
    p = {k: v.default for k, v in REGISTRY["similarity"].params.items()}
    assert (p["w1"], p["w2"], p["length"]) == (3.0, 4.0, 2.0)
    en, ko = runs[0]["ask"]["en"], runs[0]["ask"]["ko"]
    assert "length to 4" in en and "길이(length)를 4로" in ko and en.rstrip().endswith("?") and ko.rstrip().endswith("?")
    for text in prose("Where the dot product comes back"):
        assert "(3, 4)" in text and ("length 2" in text or "길이 2" in text)
    # what the learner should find (no number from the run is quoted: they predict and read it)
    events = list(REGISTRY["similarity"].run({}, seed=0))
    f = events[-1]["variants"]
    assert f["dot"]["peak"] == 5 * 2 and f["dot"]["peak_angle"] == 0 and f["dot"]["zero_angles"] == [90, 270]
    longer = list(REGISTRY["similarity"].run({"length": 4}, seed=0))[-1]["variants"]
    assert longer["dot"]["peak"] == 2 * f["dot"]["peak"] and longer["cosine"]["peak"] == f["cosine"]["peak"] == 1


# -- the bank -------------------------------------------------------------------------------------------------

def check_numeric(question: dict, exact: float) -> None:
    assert question["type"] == "numeric"
    tol = question["tolerance"]
    assert abs(question["answer"] - exact) <= max(tol, 1e-12), (question["id"], question["answer"], exact)
    if tol:
        assert question["answer"] == pytest.approx(round(exact, round(-math.log10(tol))), abs=1e-12)


def test_bank_answers():
    q = QUESTIONS
    x, y = np.linalg.solve([[3, 2], [1, -1]], [12, -1])
    assert np.allclose([x, y], [2, 3]) and det2([[3, 2], [1, -1]]) == -5
    check_numeric(q["q01-vm-solve-2x2"], y)
    states(both(q["q01-vm-solve-2x2"]["explanation"]), "5y = 15", "3 \\cdot 2 + 2 \\cdot 3 = 12",
           "2 - 3 = -1", "3 \\cdot (-1) - 2 \\cdot 1 = -5")

    mats = [[[1, 2], [3, 4]], [[2, 4], [1, 2]], [[2, 1], [1, 2]], [[0, 1], [1, 0]]]
    dets = [det2(m) for m in mats]
    assert dets == [-2, 0, 3, -1] and q["q01-vm-singular"]["answer"] == dets.index(0)
    for choice, m in zip(q["q01-vm-singular"]["choices"], mats):
        assert choice["en"] == f"rows $({m[0][0]}, {m[0][1]})$, $({m[1][0]}, {m[1][1]})$"

    assert (np.ones((3, 4)) @ np.ones((4, 2))).shape == (3, 2) and q["q01-vm-shapes"]["answer"] == 0
    with pytest.raises(ValueError):
        np.ones((4, 2)) @ np.ones((3, 4))

    a, b = np.array([1, 2, 2]), np.array([2, 0, 1])
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    assert np.dot(a, b) == 4 and np.linalg.norm(a) == 3 and math.isclose(np.linalg.norm(b), math.sqrt(5))
    check_numeric(q["q01-vm-cosine"], cos)
    assert round(math.degrees(math.acos(cos))) == 53
    assert math.isclose(np.dot(a, 2 * b) / (np.linalg.norm(a) * np.linalg.norm(2 * b)), cos)

    # the dot-product facts, each checked on random non-zero vectors
    truths = []
    vs = [(RNG.normal(size=3), RNG.normal(size=3)) for _ in range(200)]
    perp = [(np.array([1.0, 0.0]), np.array([0.0, 1.0])), (np.array([3.0, 4.0]), np.array([-4.0, 3.0]))]
    truths.append(all(np.isclose(np.dot(u, v), 0) for u, v in perp) and all(
        math.isclose(math.degrees(math.acos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))), 90)
        for u, v in perp))
    truths.append(all(math.isclose(np.dot(u, 2 * v), 2 * np.dot(u, v))
                      and math.isclose(np.dot(u, 2 * v) / np.linalg.norm(u) / np.linalg.norm(2 * v),
                                       np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v)) for u, v in vs))
    truths.append(all(np.dot(u, v) >= 0 or math.acos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))
                      > math.pi / 2 for u, v in vs))
    truths.append(any(abs(np.dot(1e6 * u, 1e6 * v) / np.linalg.norm(1e6 * u) / np.linalg.norm(1e6 * v))
                      > 1 + 1e-12 for u, v in vs))
    truths.append(all(np.linalg.norm(u) == 0 or np.linalg.norm(v) == 0 for u, v in perp))
    assert truths == [True, True, True, False, False]
    assert q["q01-vm-dot-facts"]["answers"] == [i for i, t in enumerate(truths) if t]

    signal, kernel = np.array([1, 3, 3, 0]), np.array([-1, 1])
    out = list(np.correlate(signal, kernel, mode="valid"))
    assert out == [2, 0, -3]
    check_numeric(q["q01-vm-filter"], min(out))
    states(both(q["q01-vm-filter"]["explanation"]), "-1 + 3 = 2", "-3 + 3 = 0", "-3 + 0 = -3", "(2, 0, -3)")

    Q, K = np.ones((5, 16)), np.ones((5, 16))
    assert (Q @ K.T).shape == (5, 5) and (Q @ K.T).size == 25 and q["q01-vm-attention-shape"]["answer"] == 0
    with pytest.raises(ValueError):
        Q @ K

    states(both(q["q01-vm-why-cosine"]["explanation"]), "25", "50")
    assert np.dot([3, 4], [3, 4]) == 25 and np.dot([3, 4], [6, 8]) == 50
    # the dot product of two vectors of independent unit-variance components has variance d
    d = 8
    samples = np.einsum("nd,nd->n", RNG.normal(size=(200_000, d)), RNG.normal(size=(200_000, d)))
    assert abs(samples.var() - d) < 0.1 and abs((samples / math.sqrt(d)).var() - 1) < 0.02
    states(both(q["q01-vm-why-attention"]["explanation"]), "4 \\times 4", "16", "d = 8")


def test_bank_shape():
    check_bank_shape(QUESTIONS, "q01-vm-", 1, total=6, why=3)


# -- the lesson as a whole ---------------------------------------------------------------------------------------

def test_lesson_shape():
    steps = LESSON_DATA["steps"]
    kinds = [next(iter(s)) for s in steps]
    assert kinds[0] == "prose" and kinds.count("why") >= 2 and kinds.count("run") == 1
    assert "?" in steps[0]["prose"]["ko"] and "?" in steps[0]["prose"]["en"]
    refs = [s["quiz"]["ref"] for s in steps if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
    for w in steps_of("why"):
        assert 2 <= len(w["points"]) <= 4
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang)
    for d in steps_of("derivation"):
        assert all(line["why"]["ko"] and line["why"]["en"] for line in d["steps"])
    assert 5 <= LESSON_DATA["minutes"] <= 15
    assert "stub" not in (ROOT / LESSON).read_text(encoding="utf-8").lower()


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # "(2 \\times 3)(3 \\times 4)" is no arithmetic
def test_formulas_as_written():
    assert check_written_arithmetic(all_formulas(LESSON_DATA) + all_formulas(list(QUESTIONS.values()))) >= 10


def test_korean_terms_at_first_use():
    """The English term beside the Korean one, with no space before the parenthesis."""
    ko = "\n".join(p["ko"] for p in steps_of("prose")) + "\n".join(
        line["why"]["ko"] for d in steps_of("derivation") for line in d["steps"])
    for term in ("뉴런(neuron)", "가중치(weight)", "합성곱(convolution)", "어텐션(attention)", "벡터(vector)",
                 "행렬(matrix)", "내적(dot product)", "연립방정식(system of linear equations)",
                 "선형 변환(linear map)", "특이 행렬(singular matrix)", "행렬식(determinant)",
                 "코사인 유사도(cosine similarity)", "코사인 법칙(law of cosines)", "편향(bias)",
                 "필터(filter)", "소프트맥스(softmax)", "노름, norm", "트랜스포머(transformer)",
                 "템플릿(template)", "모서리 검출(edge detection)"):
        assert term in ko, term
    assert not re.search(r"[\uac00-\ud7a3]\*{0,2} \([A-Za-z]", ko)
    # one polite register: …입니다 / …습니다, never …해요 / …예요
    assert not re.search(r"(해요|예요|이에요)[.!?]", ko), "mixed register"
