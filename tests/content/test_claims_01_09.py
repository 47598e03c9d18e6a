"""Recompute every number and identity in lesson 01-09 (information theory: surprise, entropy,
cross-entropy, KL divergence, cross-entropy minimisation as MLE) and in its bank
(quizzes/ch01-information.yaml). The run's figures are pinned in the lesson's ``figures:``
(tests/content/test_pinned_figures.py); what the prose says about the run's curves is checked here
against the `entropy` experiment."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

from claims_kit import both, derivation, fmt, load, run_checks, states, table_rows  # noqa: E402

LESSON = load("lessons/01-math/09-information-theory.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch01-information.yaml")["questions"]}
P = np.array([0.7, 0.2, 0.1])
Q = np.array([0.5, 0.3, 0.2])
RNG = np.random.default_rng(109)


def H(p, base=math.e):
    p = np.asarray(p, float)
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(p[nz]))) / math.log(base) + 0.0


def CE(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(q[nz])))


def KL(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def dist(k, zeros=0):
    """A random distribution over k outcomes, ``zeros`` of them with probability 0."""
    p = RNG.random(k) + 0.01
    p[:zeros] = 0
    RNG.shuffle(p)
    return p / p.sum()


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def why(ident: str) -> dict:
    found = [s["why"] for s in LESSON["steps"] if "why" in s and s["why"].get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def sentences(text: str) -> int:
    plain = re.sub(r"\$[^$]*\$", "x", text)
    plain = re.sub(r"\b(e\.g|i\.e|vs|etc)\.", r"\1", plain)
    return len(re.findall(r"[.?!](?=\s|$)", plain.strip()))


# --------------------------------------------------------------------------- surprise and entropy

def test_surprise_table_and_why_a_log():
    text = prose("## Surprise: the rarer, the bigger")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 2) if r[0][0].isdigit()]
        assert [r[0] for r in rows] == ["1", "0.9", "1/2", "1/4", "1/8", "0.1"]
        for p, s in rows:
            exact = -math.log2(float(Fraction(p))) + 0.0
            assert s == (f"{exact:.0f}" if exact.is_integer() else fmt(exact, 3)), p
    # independent events: probabilities multiply, surprises add
    assert -math.log2(0.5 * 0.5) == 1 + 1 == 2
    p1, p2 = RNG.random(2)
    assert -math.log(p1 * p2) == pytest.approx(-math.log(p1) - math.log(p2))
    # 1/p multiplies instead: 1/4 and 1/8 give 4 and 8, together 32, not 4 + 8; the log adds, 2 + 3
    assert (1 / 0.25, 1 / 0.125, 1 / (0.25 * 0.125)) == (4, 8, 32) and 4 + 8 == 12
    assert -math.log2(0.25 * 0.125) == -math.log2(0.25) - math.log2(0.125) == 5
    assert fmt(math.log(2), 3) == "0.693"
    states(both(text), "0.693")
    w = why("why-01-log-surprise")
    states(both(w["a"]), "4 + 8 = 12", "32", "2 + 3 = 5")


def test_entropy_table():
    text = prose("## Entropy: the average surprise")
    dists = [(0.5, 0.5), (0.9, 0.1), (0.99, 0.01), (1, 0), (1 / 6,) * 6]
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 2) if r[1][0].isdigit()]
        assert len(rows) == len(dists)
        for (name, value), d in zip(rows, dists):
            exact = H(d, 2)
            assert value == (f"{exact:.0f}" if abs(exact - round(exact)) < 1e-12 else fmt(exact, 3)), name
    # the biased coin worked by hand, with the rounded surprises of the surprise table
    assert fmt(0.9 * 0.152 + 0.1 * 3.322, 3) == fmt(H((0.9, 0.1), 2), 3) == "0.469"
    assert fmt(math.log2(6), 3) == "2.585"
    states(both(text), "0.9 \\times 0.152 + 0.1 \\times 3.322 = 0.469", "2.585")
    # maximal for the uniform distribution, falling toward 0 as it sharpens
    for k in (2, 3, 6):
        assert H(np.full(k, 1 / k)) == pytest.approx(math.log(k))
        assert all(H(dist(k)) <= math.log(k) + 1e-12 for _ in range(200))
    assert H((0.5, 0.5), 2) > H((0.9, 0.1), 2) > H((0.99, 0.01), 2) > H((1, 0), 2) == 0


# --------------------------------------------------------------------------- cross-entropy and KL

def test_cross_entropy_and_kl_numbers():
    text = prose("## Cross-entropy and KL")
    assert fmt(H(P), 3) == "0.802" and fmt(CE(P, Q), 3) == "0.887" and fmt(KL(P, Q), 3) == "0.085"
    assert KL(P, Q) == pytest.approx(CE(P, Q) - H(P))
    u = np.full(3, 1 / 3)
    for p in (P, dist(3), dist(3, zeros=1)):
        assert CE(p, u) == pytest.approx(math.log(3))
    assert fmt(math.log(3), 3) == "1.099" and fmt(KL(P, u), 3) == "0.297"
    assert fmt(1.099 - 0.802, 3) == "0.297"
    a, b = (0.5, 0.5), (0.9, 0.1)
    assert (fmt(KL(a, b), 3), fmt(KL(b, a), 3)) == ("0.511", "0.368")
    states(both(text), "0.802", "0.887", "0.085", "1.099", "0.297", "0.511", "0.368")
    w = why("why-01-kl-not-distance")
    states(both(w["a"]), "0.511", "0.368")


def test_gibbs_derivation():
    dv = derivation(LESSON, "deriv-01-gibbs")
    pairs = [(dist(k, z), dist(k)) for k in (2, 3, 5) for z in (0, 1) for _ in range(30)]

    def line1():
        for p, q in pairs:
            nz = p > 0
            lhs = float(np.sum(p[nz] * np.log(p[nz])) - np.sum(p[nz] * np.log(q[nz])))
            assert lhs == pytest.approx(KL(p, q)) and lhs == pytest.approx(CE(p, q) - H(p))

    def line2():
        for p, q in pairs:
            nz = p > 0
            assert float(np.sum(p[nz] * np.log(q[nz] / p[nz]))) == pytest.approx(-KL(p, q))

    def line3():
        x = np.linspace(1e-4, 20, 200001)
        assert np.all(np.log(x) <= x - 1 + 1e-15)
        gap = x - 1 - np.log(x)
        assert gap[np.argmin(gap)] < 1e-8 and abs(x[np.argmin(gap)] - 1) < 1e-3

    def line4_5_6():
        for p, q in pairs:
            nz = p > 0
            lhs = float(np.sum(p[nz] * np.log(q[nz] / p[nz])))
            mid = float(np.sum(p[nz] * (q[nz] / p[nz] - 1)))
            assert lhs <= mid + 1e-12
            assert mid == pytest.approx(float(q[nz].sum() - p[nz].sum()))
            assert float(q[nz].sum()) - 1 <= 1e-12

    def line7():
        assert all(KL(p, q) >= 0 for p, q in pairs)

    def line8():
        for p, _ in pairs:
            assert KL(p, p) == pytest.approx(0, abs=1e-15)
        assert all(KL(p, q) > 1e-9 for p, q in pairs if not np.allclose(p, q))

    def line9():
        assert all(CE(p, q) >= H(p) - 1e-12 for p, q in pairs)

    def line10():
        for p, _ in pairs:
            k = len(p)
            u = np.full(k, 1 / k)
            assert CE(p, u) == pytest.approx(math.log(k)) and H(p) <= CE(p, u) + 1e-12

    run_checks(dv, {
        "\\mathrm{KL}(p \\| q) = \\sum_i p_i \\ln p_i - \\sum_i p_i \\ln q_i = H(p, q) - H(p)": line1,
        "-\\mathrm{KL}(p \\| q) = \\sum_i p_i \\ln(q_i / p_i)": line2,
        "\\ln x \\le x - 1 \\quad (x > 0)": line3,
        "\\sum_i p_i \\ln(q_i / p_i) \\le \\sum_i p_i (q_i / p_i - 1)": line4_5_6,
        "\\sum_i p_i (q_i / p_i - 1) = \\sum_i q_i - \\sum_i p_i": line4_5_6,
        "\\sum_{i: p_i > 0} q_i - 1 \\le 0": line4_5_6,
        "\\mathrm{KL}(p \\| q) \\ge 0": line7,
        "\\mathrm{KL}(p \\| q) = 0 \\Leftrightarrow q = p": line8,
        "H(p, q) \\ge H(p)": line9,
        "H(p) \\le \\ln K": line10,
    })


# --------------------------------------------------------------------------- cross-entropy is MLE

def test_average_nll_is_the_cross_entropy():
    text = prose("## The data's average negative log-likelihood")
    counts = np.array([7, 2, 1])
    phat = counts / counts.sum()
    assert np.allclose(phat, P)
    for q in (Q, dist(3)):
        nll = -math.log(q[0] ** 7 * q[1] ** 2 * q[2] ** 1) / 10
        assert nll == pytest.approx(CE(phat, q))
    assert fmt(CE(phat, Q), 3) == "0.887" and fmt(H(phat), 3) == "0.802"
    # no q beats p̂: a grid over the simplex
    grid = [np.array([a, b, 1 - a - b]) for a in np.linspace(0.01, 0.98, 98)
            for b in np.linspace(0.01, 0.98, 98) if a + b < 0.995]
    assert min(CE(phat, q) for q in grid) >= H(phat) - 1e-12
    states(both(text), "0.887", "0.802", "05-01", "05-02")


def test_mle_derivation():
    dv = derivation(LESSON, "deriv-01-ce-is-mle")
    x = RNG.integers(0, 4, size=50)
    n = np.bincount(x, minlength=4)
    phat = n / n.sum()
    thetas = [RNG.normal(size=4) for _ in range(20)]

    def q_of(theta):
        e = np.exp(theta - theta.max())
        return e / e.sum()

    def line1():
        for t in thetas:
            q = q_of(t)
            assert float(np.prod(q[x])) == pytest.approx(math.prod(float(q[xi]) for xi in x))

    def line2():
        for t in thetas:
            q = q_of(t)
            assert -math.log(float(np.prod(q[x]))) / len(x) == pytest.approx(-float(np.mean(np.log(q[x]))))
        # the maximiser of L is the minimiser of the average NLL
        L = [float(np.prod(q_of(t)[x])) for t in thetas]
        nll = [-float(np.mean(np.log(q_of(t)[x]))) for t in thetas]
        assert int(np.argmax(L)) == int(np.argmin(nll))

    def line3():
        for t in thetas:
            q = q_of(t)
            assert -float(np.mean(np.log(q[x]))) == pytest.approx(-float(np.sum(n / len(x) * np.log(q))))

    def line4():
        for t in thetas:
            q = q_of(t)
            assert -float(np.sum(phat * np.log(q))) == pytest.approx(CE(phat, q))

    def line5():
        for t in thetas:
            q = q_of(t)
            assert CE(phat, q) == pytest.approx(H(phat) + KL(phat, q))

    def line6():
        best = q_of(np.log(phat))
        assert np.allclose(best, phat) and KL(phat, best) == pytest.approx(0, abs=1e-12)
        assert all(CE(phat, q_of(t)) >= CE(phat, best) for t in thetas)
        # the coin: the fraction of heads maximises the likelihood
        ps = np.linspace(0.001, 0.999, 999)
        assert ps[np.argmax(ps ** 7 * (1 - ps) ** 3)] == pytest.approx(0.7)

    run_checks(dv, {
        "L(\\theta) = \\prod_{n=1}^{N} q_\\theta(x_n)": line1,
        "-\\frac{1}{N} \\ln L(\\theta) = -\\frac{1}{N} \\sum_{n=1}^{N} \\ln q_\\theta(x_n)": line2,
        "-\\frac{1}{N} \\sum_{n=1}^{N} \\ln q_\\theta(x_n) = -\\sum_k \\frac{n_k}{N} \\ln q_\\theta(k)": line3,
        "-\\sum_k \\hat{p}_k \\ln q_\\theta(k) = H(\\hat{p}, q_\\theta)": line4,
        "H(\\hat{p}, q_\\theta) = H(\\hat{p}) + \\mathrm{KL}(\\hat{p} \\| q_\\theta)": line5,
        "q_{\\theta^*} = \\hat{p}": line6,
    })


# --------------------------------------------------------------------------- the run

def test_what_the_runs_show():
    from tutor.experiments import REGISTRY
    fin = list(REGISTRY["entropy"].run({}, seed=0))[-1]["variants"]["cross_entropy"]
    assert fin["target_entropy"] == pytest.approx(H(P)) and fmt(fin["final_cross_entropy"], 3) == "0.802"
    assert fin["start_entropy_q"] == pytest.approx(math.log(3)) and fin["max_gap_error"] < 1e-12
    assert fin["final_entropy_q"] < fin["start_entropy_q"]
    states(both(prose("## What the run showed")), "1.099", "0.802", "28")
    # the second run (and q01-info-why-entropy-rises): H(q) rises, then falls; the cross-entropy
    # falls at every step and is still above 0 at the end
    events = list(REGISTRY["entropy"].run({"target": "onehot", "start": "wrong"}, seed=0))
    f = events[-1]["variants"]["entropy_q"]
    assert f["entropy_peak"] > f["start_entropy_q"] and f["final_entropy_q"] < f["entropy_peak"]
    ce = [e["loss"] for e in events if e.get("event") == "step" and e["variant"] == "cross_entropy"]
    assert all(b < a for a, b in zip(ce, ce[1:])) and ce[-1] > 0


def test_why_steps_have_two_to_five_sentences_in_both_languages():
    for step in LESSON["steps"]:
        if "why" in step:
            for lang in ("ko", "en"):
                assert 2 <= sentences(step["why"]["a"][lang]) <= 5, (step["why"]["id"], lang)
    for q in BANK.values():
        if q["type"] == "why":
            for lang in ("ko", "en"):
                assert 2 <= sentences(q["a"][lang]) <= 5, (q["id"], lang)
            assert 2 <= len(q["points"]) <= 4, q["id"]


# --------------------------------------------------------------------------- the bank

def numeric(qid: str, exact: float) -> dict:
    q = BANK[qid]
    assert q["type"] == "numeric" and abs(q["answer"] - exact) <= q["tolerance"], (qid, exact)
    assert q["answer"] == pytest.approx(round(exact, 3), abs=1e-12)
    return q


def test_bank_numbers():
    q = numeric("q01-info-biased-coin", H((0.8, 0.2), 2))
    assert (fmt(-math.log2(0.8), 3), fmt(-math.log2(0.2), 3)) == ("0.322", "2.322")
    assert (fmt(-0.8 * math.log2(0.8), 3), fmt(-0.2 * math.log2(0.2), 3)) == ("0.258", "0.464")
    states(both(q["explanation"]), "0.322", "2.322", "0.258", "0.464", "0.722")

    q = numeric("q01-info-surprise-add", -math.log2(1 / 4 * 1 / 8))
    assert -math.log2(1 / 4) + -math.log2(1 / 8) == 5

    a, b = (0.5, 0.5), (0.8, 0.2)
    q = numeric("q01-info-kl-value", KL(a, b))
    assert (fmt(math.log(0.5 / 0.8), 3), fmt(math.log(0.5 / 0.2), 3)) == ("-0.470", "0.916")
    assert (fmt(0.5 * math.log(0.5 / 0.8), 3), fmt(0.5 * math.log(0.5 / 0.2), 3)) == ("-0.235", "0.458")
    assert fmt(KL(b, a), 3) == "0.193"
    states(both(q["explanation"]), "-0.470", "0.916", "-0.235", "0.458", "0.223", "0.193")

    phat, model = np.array([5, 3, 2]) / 10, np.array([0.5, 0.25, 0.25])
    xs = [0] * 5 + [1] * 3 + [2] * 2
    q = numeric("q01-info-avg-nll", -float(np.mean(np.log(model[xs]))))
    assert CE(phat, model) == pytest.approx(-float(np.mean(np.log(model[xs]))))
    terms = [fmt(-w * math.log(m), 3) for w, m in zip(phat, model)]
    assert terms == ["0.347", "0.416", "0.277"] and fmt(H(phat), 3) == "1.030"
    states(both(q["explanation"]), *terms, "1.040", "1.030")


def test_bank_max_entropy():
    q = BANK["q01-info-max-entropy"]
    ds = [tuple(float(x) for x in c["en"].strip("()").split(",")) for c in q["choices"]]
    hs = [H(d, 2) for d in ds]
    assert q["answer"] == int(np.argmax(hs)) and hs[q["answer"]] == pytest.approx(2)
    shown = [f"{h:.0f}" if abs(h - round(h)) < 1e-12 else fmt(h, 3) for h in hs]
    assert shown == ["1.846", "1.357", "2", "1"]
    states(both(q["explanation"]), *shown)


def test_bank_facts():
    q = BANK["q01-info-facts"]
    assert sorted(q["answers"]) == [0, 2, 4]
    pairs = [(dist(3), dist(3)) for _ in range(100)]
    assert all(CE(p, r) >= H(p) for p, r in pairs)                                     # 0: true
    assert any(not math.isclose(KL(p, r), KL(r, p)) for p, r in pairs)                 # 1: false
    onehot = np.array([0.0, 1.0, 0.0])
    for _, r in pairs:                                                                  # 2: true
        assert CE(onehot, r) == pytest.approx(-math.log(r[1])) == pytest.approx(KL(onehot, r))
    assert min(CE(P, r) for _, r in pairs) > H(P) - 1e-12 > 0                          # 3: false
    assert all(H(dist(k)) <= math.log(k) for k in (2, 3, 4, 5) for _ in range(50))     # 4: true
    states(both(q["explanation"]), "0.802", "0.511", "0.368")


def test_bank_why_numbers():
    states(both(BANK["q01-info-why-ce-floor"]["explanation"]), "0.802")
    # the bank's follow-ups and the lesson's references exist
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    mine = [r for r in refs if r.startswith("q01-info-")]
    assert len(mine) >= 3 and all(r in BANK for r in mine)
