"""Recompute every number and identity in lesson 02-03 (why now: the history's years, the 2×2
product and its operation count, the n×n count n²(2n − 1) ≈ 2n³, the sigmoid's 0.25 and 0.25¹⁰)
and in its bank questions (quizzes/ch02-ai-why-now.yaml, the 02-03 part). The runs' timings
depend on the machine: the lesson never quotes them, and this test checks it does not."""

from __future__ import annotations

import math
import re

import numpy as np

from claims_kit import all_formulas, both, check_written_arithmetic, derivation, load, run_checks, states  # noqa: E402

LESSON = load("lessons/02-why-now/03-why-now.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch02-ai-why-now.yaml")["questions"]}
MINE = ["q02-why-now", "q02-why-gpu", "q02-matmul-flops", "q02-why-relu-faster", "q02-sigmoid-ten-layers",
        "q02-history-order", "q02-why-svm-era"]


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def ops(n: int) -> int:
    """Multiplications and additions of the n×n product by its definition, counted by doing it."""
    count = 0
    for _i in range(n):
        for _j in range(n):
            count += n + (n - 1)   # n products, n − 1 additions to sum them
    return count


def test_the_opening_years():
    assert 2012 - 1998 == 14 and 2012 - 1958 == 54
    states(both(LESSON["steps"][0]["prose"]), "1958", "1986", "1998", "2012", "14", "54")
    # the history order question agrees with the years the lesson and its explanation give
    years = [1958, 1986, 1995, 2001, 2012]
    assert years == sorted(years)
    states(both(BANK["q02-history-order"]["explanation"]), *map(str, years))
    states(both(prose("A short history")), "1958", "1969", "1986", "1989", "1998", "1995", "2001", "2012")


def test_the_two_by_two_product():
    A, B = np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]])
    C = A @ B
    assert C.tolist() == [[19, 22], [43, 50]]
    from tutor.experiments.compute import matmul_loops
    assert matmul_loops(A.tolist(), B.tolist()) == C.tolist()
    assert 1 * 5 + 2 * 7 == 19 and ops(2) == 12 == 4 * 3
    step = prose("one PhD vs a thousand")
    states(both(step), "[[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]",
           "1 \\cdot 5 + 2 \\cdot 7 = 19", "4 \\cdot 3 = 12")
    # ImageNet's training set as the lesson describes it, and the thousand classes
    states(both(step), "1000")


def test_the_derivation():
    d = derivation(LESSON, "deriv-02-matmul-count")
    rng = np.random.default_rng(0)

    def definition():
        A, B = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
        C = np.array([[sum(A[i, k] * B[k, j] for k in range(5)) for j in range(5)] for i in range(5)])
        assert np.allclose(C, A @ B)

    def one_entry():
        for n in range(1, 30):
            assert n + (n - 1) == 2 * n - 1
        assert 2 * 2 - 1 == 3

    def all_entries():
        for n in range(1, 30):
            assert ops(n) == n * n * (2 * n - 1) == 2 * n ** 3 - n ** 2
        assert ops(2) == 12

    def approx():
        n = 120
        assert 2 * n ** 3 == 3_456_000 and n ** 2 == 14_400
        assert math.isclose(n ** 2 / (2 * n ** 3), 1 / (2 * n))
        assert round(100 * n ** 2 / (2 * n ** 3), 1) == 0.4
        for n in (10, 100, 1000):
            assert (2 * n ** 3 - n ** 2) / (2 * n ** 3) == 1 - 1 / (2 * n)

    def doubling():
        for n in range(1, 30):
            assert 2 * (2 * n) ** 3 == 8 * 2 * n ** 3
        assert 2 ** 3 == 8

    def independent():
        # changing one entry's result leaves every other entry as it was: no entry reads another
        A, B = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
        C = A @ B
        for i, j in [(0, 0), (2, 5), (5, 1)]:
            entry = A[i, :] @ B[:, j]
            assert math.isclose(entry, C[i, j])
        # rows computed separately (in any order) give the same product
        order = rng.permutation(6)
        rows = {i: A[i] @ B for i in order}
        assert np.allclose(np.array([rows[i] for i in range(6)]), C)

    run_checks(d, {
        "C_{ij} = \\sum_{k=1}^{n} A_{ik} B_{kj}": definition,
        "n + (n - 1) = 2n - 1": one_entry,
        "n^2 (2n - 1) = 2n^3 - n^2": all_entries,
        "2n^3 - n^2 \\approx 2n^3": approx,
        "2(2n)^3 = 8 \\cdot 2n^3": doubling,
        "C_{ij} \\text{ and } C_{i'j'} \\text{ share no intermediate result}": independent,
    })
    texts = [t for s in d["steps"] for t in both(s["why"])]
    assert any("3{,}456{,}000" in t and "14{,}400" in t and "0.4%" in t for t in texts)


def test_the_run_asks_with_the_experiments_defaults():
    from tutor.experiments import REGISTRY
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert [r["experiment"] for r in runs] == ["compute", "activations"]
    assert REGISTRY["compute"].params["n"].default == 120
    states(both(runs[0]["ask"]), "120×120")
    # n = 60 halves n: the loops' work shrinks by 2³ = 8
    assert ops(120) / ops(60) > 7.9 and (2 * 120 ** 3) / (2 * 60 ** 3) == 8
    assert REGISTRY["activations"].params["layers"].default == 10
    states(both(runs[1]["ask"]), "10")


def test_no_timing_is_quoted():
    # the runs' seconds and speed-ups depend on the machine: no "× faster", no seconds, in prose
    for step in LESSON["steps"]:
        for text in [t for key in ("prose",) if key in step for t in both(step[key])]:
            assert not re.search(r"\d\s*(배 빠|times faster|초\b|seconds?\b|ms\b)", text), text[:80]


def test_sigmoid_numbers():
    z = np.linspace(-10, 10, 20001)
    s = 1 / (1 + np.exp(-z))
    ds = s * (1 - s)
    assert math.isclose(ds.max(), 0.25) and math.isclose(ds[np.argmax(ds)], 0.5 * 0.5)
    assert z[np.argmax(ds)] == 0
    # σ' = σ(1 − σ) against a central difference
    h = 1e-5
    for x in (-2.0, 0.0, 0.7, 3.0):
        num = (1 / (1 + math.exp(-(x + h))) - 1 / (1 + math.exp(-(x - h)))) / (2 * h)
        sx = 1 / (1 + math.exp(-x))
        assert math.isclose(num, sx * (1 - sx), rel_tol=1e-7)
    assert 0.25 ** 10 == 1 / 1_048_576 and 4 ** 10 == 1_048_576 and 1 ** 10 == 1
    step = prose("from sigmoid to ReLU")
    states(both(step), "0.5 \\cdot 0.5 = 0.25", "0.25^{10} = 1/1{,}048{,}576", "1^{10} = 1")
    q = BANK["q02-sigmoid-ten-layers"]
    assert q["answer"] == 4 ** 10 and q["tolerance"] == 0
    states(both(q["explanation"]), "4^{10} = 1{,}048{,}576")


def test_bank_answers():
    q = BANK["q02-matmul-flops"]
    assert q["answer"] == ops(10) == 1900 == 100 * 19 and 10 + 9 == 19
    states(both(q["explanation"]), "100 \\cdot 19 = 1900", "n^2 (2n - 1) = 2n^3 - n^2")
    exp = BANK["q02-why-gpu"]["explanation"]
    assert 2 * 1000 ** 3 == 2 * 10 ** 9 and 1000 ** 2 == 10 ** 6
    states(both(exp), "2n^3 = 2 \\times 10^9", "10^6")


def test_written_arithmetic():
    formulas = all_formulas(LESSON) + all_formulas([BANK[i] for i in MINE])
    assert check_written_arithmetic(formulas) >= 3


def test_model_answers_have_two_to_five_sentences():
    whys = [s["why"] for s in LESSON["steps"] if "why" in s] + [BANK[i] for i in MINE if BANK[i]["type"] == "why"]
    assert len(whys) == 6
    for w in whys:
        assert 2 <= len(w["points"]) <= 4, w.get("id")
        for text in both(w["a"]):
            plain = re.sub(r"\$[^$]*\$", "x", text)
            n = len(re.findall(r"[.!?](?:\s|$)", plain))
            assert 2 <= n <= 5, (w.get("id"), n)
