"""Recompute every number and identity in lessons 05-03 (the network as an MLE machine) and
05-04 (confusion matrix, precision, recall, F1, the threshold), and in their bank questions.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one: editing a line in the YAML fails here until its check is updated, and a
new line cannot slip in unchecked. Tables and stated numbers are read from the YAML and compared
with values computed here, so a wrong number in a file fails.
"""

from __future__ import annotations

import math
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tutor.content import GeneratedQuestion, load_library, bundled_content_dirs
from tutor.content.generators import check_generator, generate
from tutor.experiments import REGISTRY
from claims_kit import both, derivation, fmt, load, run_checks, states  # noqa: E402 (same folder)

ROOT = Path(__file__).parents[2]
MLE = "lessons/05-classification/03-mle-machine.yaml"
PR = "lessons/05-classification/04-precision-recall.yaml"
BANK = "quizzes/ch05-classification.yaml"
RNG = np.random.default_rng(5)

MLE_QUESTIONS = ["q05-coin-likelihood", "q05-coin-mle", "q05-gauss-nll", "q05-loss-from-distribution",
                 "q05-underflow-product", "q05-why-log-not-product", "q05-why-bernoulli-not-gaussian"]
PR_QUESTIONS = ["q05-cm-sklearn-layout", "q05-f1-lopsided", "q05-threshold-precision",
                "q05-threshold-recall-direction", "q05-why-f1-harmonic", "q05-why-threshold-choice",
                "q05-gen-confusion-predrows-recall"]


# --------------------------------------------------------------------------- helpers

LESSONS = {MLE: load(MLE), PR: load(PR)}
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}


def q(qid: str) -> dict:
    return QUESTIONS[qid]


def prose(lesson: dict) -> list[dict]:
    return [s["prose"] for s in lesson["steps"] if "prose" in s]


def prose_with(lesson: dict, marker_en: str) -> dict:
    found = [p for p in prose(lesson) if marker_en in p["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def table_rows(text: str, cells: int) -> list[list[str]]:
    """Rows of a Markdown table with ``cells`` cells whose first cell is a number."""
    rows = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and len(parts) == cells and re.fullmatch(r"\d+(\.\d+)?", parts[0]):
            rows.append(parts)
    return rows


def check_numeric(question: dict, exact: float) -> None:
    """The file's answer is the exact value rounded to the tolerance's decimals."""
    assert question["type"] == "numeric"
    tol = question["tolerance"]
    assert abs(question["answer"] - exact) <= tol, (question["id"], question["answer"], exact)
    digits = round(-math.log10(tol))
    assert question["answer"] == pytest.approx(round(exact, digits), abs=1e-12)


def gauss(y, mean, sigma):
    return np.exp(-(y - mean) ** 2 / (2 * sigma ** 2)) / (np.sqrt(2 * np.pi) * sigma)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def counts(pos: list[float], neg: list[float], t: float) -> tuple[int, int, int]:
    """(TP, FP, FN) when a score of at least ``t`` is predicted positive."""
    tp = sum(s >= t for s in pos)
    return tp, sum(s >= t for s in neg), len(pos) - tp


def scores(line: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+\.\d+", line)]


# --------------------------------------------------------------------------- both lessons: shape

@pytest.mark.parametrize("rel, mine", [(MLE, MLE_QUESTIONS), (PR, PR_QUESTIONS)])
def test_lesson_is_a_full_lesson(rel, mine):
    lesson = LESSONS[rel]
    kinds = [next(iter(s)) for s in lesson["steps"]]
    assert kinds[0] == "prose" and "?" in lesson["steps"][0]["prose"]["en"]
    assert 5 <= lesson["minutes"] <= 15
    assert "stub" not in (ROOT / rel).read_text(encoding="utf-8").lower()
    assert kinds.count("derivation") >= 1 and kinds.count("why") >= 2
    refs = [s["quiz"]["ref"] for s in lesson["steps"] if "quiz" in s]
    assert len(set(refs)) == len(refs) and all(r in QUESTIONS for r in refs)
    assert all(QUESTIONS[r]["chapter"] == 5 for r in refs)
    assert len([r for r in refs if r in mine]) >= 3
    for step in lesson["steps"]:
        if "why" in step:
            why = step["why"]
            assert 2 <= len(why["points"]) <= 4
            for lang in ("ko", "en"):
                sentences = [s for s in re.split(r"(?<=[.!?])\s+", why["a"][lang].strip()) if s]
                assert 2 <= len(sentences) <= 5, (why["id"], lang, sentences)
        if "derivation" in step:
            assert all(line["why"]["ko"].strip() and line["why"]["en"].strip()
                       for line in step["derivation"]["steps"])
    runs = [s["run"] for s in lesson["steps"] if "run" in s]
    assert runs and all(r["experiment"] in REGISTRY and r["ask"]["ko"].rstrip().endswith("?")
                        and "?" in r["ask"]["en"] for r in runs)


@pytest.mark.parametrize("rel, terms", [
    (MLE, ["평균 제곱 오차(mean squared error, MSE)", "이진 교차 엔트로피(binary cross-entropy)",
           "교차 엔트로피(cross-entropy)", "손실 함수(loss function)",
           "최대 우도 추정(maximum likelihood estimation, MLE)", "우도(likelihood)",
           "소프트맥스(softmax)"]),
    (PR, ["혼동 행렬(confusion matrix)", "정밀도(precision)", "재현율(recall)", "정확도(accuracy)",
          "임계값(threshold)", "조화 평균(harmonic mean)"]),
])
def test_korean_terms_carry_english_at_first_use_without_a_space(rel, terms):
    text = (ROOT / rel).read_text(encoding="utf-8")
    body = text[text.index("\nsteps:"):]              # the title is short and carries no glosses
    for term in terms:
        korean = term.split("(")[0]
        # compounds glossed on their own ("이진 교차 엔트로피", "최대 우도 추정") do not count
        first = re.search(rf"(?<!이진 )(?<!최대 ){re.escape(korean)}", body).start()
        assert body.find(term) == first, f"{term!r} is not at the first use of {korean!r}"
    assert not re.search(r"[\uac00-\ud7a3] \([A-Za-z]", text), "a space before an English gloss"


def test_bank_questions_stand_alone_and_why_shape():
    for qid in MLE_QUESTIONS + PR_QUESTIONS:
        question = q(qid)
        assert question["chapter"] == 5
        for follow in question.get("follow_up", []):
            assert follow in QUESTIONS, (qid, follow)
        if question["type"] == "why":
            assert 2 <= len(question["points"]) <= 4
    for group in (MLE_QUESTIONS, PR_QUESTIONS):
        whys = [qid for qid in group if q(qid)["type"] == "why"]
        assert len(group) >= 5 and len(whys) >= 2
        assert all(q(w).get("follow_up") for w in whys)


def test_bank_loads_without_errors():
    lib = load_library(bundled_content_dirs(), check_generator=check_generator)
    assert [e for e in lib.errors if "ch05" in e.file or "05-classification" in e.file] == []
    for qid in MLE_QUESTIONS + PR_QUESTIONS:
        assert qid in lib.questions
    assert "05-03-mle-machine" in lib.lessons and "05-04-precision-recall" in lib.lessons


# --------------------------------------------------------------------------- 05-03: coin flips

class TestCoinFlips:
    lesson = LESSONS[MLE]

    def test_table(self):
        text = prose_with(self.lesson, "three coin flips")
        for lang in ("ko", "en"):
            rows = table_rows(text[lang], 3)
            assert [r[0] for r in rows] == ["0.5", "0.6", "0.7", "0.9"]
            for p_written, like, loglike in rows:
                p = float(p_written)
                assert like == fmt(p * p * (1 - p), 3)
                # the log-likelihood column is the log of the likelihood column, as a sum
                assert loglike == fmt(2 * math.log(p) + math.log(1 - p), 4)
                assert float(loglike) == pytest.approx(math.log(p * p * (1 - p)), abs=1e-4)
            # the log ranks the candidates exactly as the likelihood does
            assert sorted(rows, key=lambda r: float(r[1])) == sorted(rows, key=lambda r: float(r[2]))

    def test_prose_numbers_and_the_maximum(self):
        text = both(prose_with(self.lesson, "three coin flips"))
        states(text, "0.7 \\times 0.7 \\times 0.3 = 0.147", "0.5^3 = 0.125", "p = 2/3",
               "\\ln 0.7 + \\ln 0.7 + \\ln 0.3 = -1.9173")
        grid = np.linspace(0.001, 0.999, 9981)
        best = grid[np.argmax(grid ** 2 * (1 - grid))]
        assert best == pytest.approx(2 / 3, abs=1e-3)
        states(text, fmt((2 / 3) ** 2 / 3, 4))
        assert 0.7 ** 2 * 0.3 == pytest.approx(0.147) and 0.5 ** 3 == 0.125

    def test_underflow_and_its_log(self):
        text = both(prose_with(self.lesson, "Why the log?"))
        product = np.prod(np.full(1100, 0.5, dtype=np.float64))
        assert product == 0.0                                     # exactly 0: underflow
        tiniest = np.nextafter(0.0, 1.0)
        assert f"{tiniest:.1e}" == "4.9e-324"
        assert 1100 * math.log10(0.5) < math.log10(tiniest)
        log_sum = float(np.sum(np.log(np.full(1100, 0.5))))
        states(text, "0.5^{1100}", "4.9 \\times 10^{-324}", f"1100 \\ln 0.5 = {fmt(log_sum, 2)}")


# --------------------------------------------------------------------------- 05-03: derivations

class TestGaussianDerivation:
    lesson = LESSONS[MLE]

    def test_every_line(self):
        y = RNG.normal(size=20)
        yhat = RNG.normal(size=20)
        sigma = 1.7
        n = len(y)

        def density():
            # a density: integrates to 1, with mean ŷ and variance σ²
            grid = np.linspace(-30, 30, 600001)
            dens = gauss(grid, 0.4, sigma)
            step = grid[1] - grid[0]
            assert dens.sum() * step == pytest.approx(1, abs=1e-6)
            assert (grid * dens).sum() * step == pytest.approx(0.4, abs=1e-6)
            assert ((grid - 0.4) ** 2 * dens).sum() * step == pytest.approx(sigma ** 2, rel=1e-5)

        def product():
            # independent: the joint density of a sample is the product (checked by simulation)
            rng = np.random.default_rng(0)
            a, b = rng.normal(size=400000), rng.normal(size=400000)
            inside = np.mean((np.abs(a - 0.2) < 0.05) & (np.abs(b + 0.3) < 0.05)) / 0.1 ** 2
            assert inside == pytest.approx(gauss(0.2, 0, 1) * gauss(-0.3, 0, 1), rel=0.1)

        def log_of_product():
            assert -np.log(np.prod(gauss(y, yhat, sigma))) == pytest.approx(
                -np.sum(np.log(gauss(y, yhat, sigma))))

        def one_term():
            assert -np.log(gauss(y, yhat, sigma)) == pytest.approx(
                (y - yhat) ** 2 / (2 * sigma ** 2) + np.log(np.sqrt(2 * np.pi) * sigma))

        def summed():
            assert -np.sum(np.log(gauss(y, yhat, sigma))) == pytest.approx(
                np.sum((y - yhat) ** 2) / (2 * sigma ** 2) + n * np.log(np.sqrt(2 * np.pi) * sigma))

        def same_minimiser():
            # a one-weight model ŷ = w x: the likelihood's argmax is the MSE's argmin, for any σ
            x = RNG.normal(size=30)
            t = 1.3 * x + RNG.normal(scale=0.5, size=30)
            ws = np.linspace(-3, 3, 6001)
            mse = [np.mean((t - w * x) ** 2) for w in ws]
            for s in (0.3, 1.0, 4.0):
                like = [np.prod(gauss(t, w * x, s)) for w in ws]
                assert np.argmax(like) == np.argmin(mse)

        run_checks(derivation(self.lesson, "deriv-05-gaussian-mse"), {
            r"p(y_i | x_i) = \frac{1}{\sqrt{2 \pi} \sigma} \exp(-\frac{(y_i - \hat{y}_i)^2}{2\sigma^2})": density,
            r"L(\theta) = \prod_i p(y_i | x_i)": product,
            r"-\ln L(\theta) = -\sum_i \ln p(y_i | x_i)": log_of_product,
            r"-\ln p(y_i | x_i) = \frac{(y_i - \hat{y}_i)^2}{2\sigma^2} + \ln(\sqrt{2 \pi} \sigma)": one_term,
            r"-\ln L(\theta) = \frac{1}{2\sigma^2} \sum_i (y_i - \hat{y}_i)^2 + n \ln(\sqrt{2 \pi} \sigma)": summed,
            r"\arg\max_{\theta} L(\theta) = \arg\min_{\theta} \frac{1}{n} \sum_i (y_i - \hat{y}_i)^2": same_minimiser,
        })

    def test_conclusion_numbers(self):
        text = both(derivation(self.lesson, "deriv-05-gaussian-mse")["conclusion"])
        const = math.log(math.sqrt(2 * math.pi))
        states(text, f"\\ln \\sqrt{{2 \\pi}} \\approx {fmt(const, 4)}")
        nll = {yhat: -math.log(gauss(3.0, yhat, 1.0)) for yhat in (2.5, 1.0)}
        states(text, f"0.125 + {fmt(const, 4)} = {fmt(nll[2.5], 4)}", f"2 + {fmt(const, 4)} = {fmt(nll[1.0], 4)}")
        assert (3 - 2.5) ** 2 / 2 == 0.125 and (3 - 1) ** 2 / 2 == 2
        assert nll[1.0] - nll[2.5] == pytest.approx(2 - 0.125)

    def test_laplace_gives_mae(self):
        """The why-step's claim: Laplace noise makes the negative log-likelihood the absolute error."""
        y, yhat, b = RNG.normal(size=50), RNG.normal(size=50), 0.8
        density = np.exp(-np.abs(y - yhat) / b) / (2 * b)
        assert -np.log(density) == pytest.approx(np.abs(y - yhat) / b + np.log(2 * b))
        t = np.array([0.0, 0.1, 0.2, 0.3, 10.0])
        cs = np.linspace(-1, 11, 12001)                  # its minimiser is the median, not the mean
        assert cs[np.argmin([np.sum(np.abs(t - c)) for c in cs])] == pytest.approx(np.median(t), abs=1e-3)
        assert cs[np.argmin([np.sum((t - c) ** 2) for c in cs])] == pytest.approx(np.mean(t), abs=1e-3)


class TestBernoulliAndCategorical:
    lesson = LESSONS[MLE]
    y = RNG.integers(0, 2, size=40).astype(float)
    p = RNG.uniform(0.02, 0.98, size=40)

    def test_bernoulli_lines(self):
        y, p = self.y, self.p

        def one_formula():
            assert np.allclose(p ** y * (1 - p) ** (1 - y), np.where(y == 1, p, 1 - p))

        def its_log():
            assert np.allclose(np.log(p ** y * (1 - p) ** (1 - y)), y * np.log(p) + (1 - y) * np.log(1 - p))

        def summed():
            bce = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
            assert bce == pytest.approx(-np.log(np.prod(np.where(y == 1, p, 1 - p))))
            # minimising it over one shared p gives the fraction of ones, as for the coin
            ps = np.linspace(0.001, 0.999, 9981)
            losses = [-np.sum(y * np.log(c) + (1 - y) * np.log(1 - c)) for c in ps]
            assert ps[np.argmin(losses)] == pytest.approx(y.mean(), abs=1e-3)

        run_checks(derivation(self.lesson, "deriv-05-bernoulli-bce"), {
            r"P(y_i | x_i) = p_i^{y_i} (1 - p_i)^{1 - y_i}": one_formula,
            r"\ln P(y_i | x_i) = y_i \ln p_i + (1 - y_i) \ln(1 - p_i)": its_log,
            r"-\ln L = -\sum_i [y_i \ln p_i + (1 - y_i) \ln(1 - p_i)]": summed,
        })

    def test_bernoulli_conclusion_is_the_coin(self):
        text = both(derivation(self.lesson, "deriv-05-bernoulli-bce")["conclusion"])
        ys, p = np.array([1, 1, 0]), 0.7
        bce = -np.sum(ys * np.log(p) + (1 - ys) * np.log(1 - p))
        assert bce == pytest.approx(-math.log(0.147))
        states(text, "y = (1, 1, 0)", "p = 0.7", f"= {fmt(bce, 4)}", "-\\ln 0.147")

    def test_categorical_lines(self):
        k = 4
        z = RNG.normal(size=(30, k))
        probs = softmax(z)
        labels = RNG.integers(0, k, size=30)
        onehot = np.eye(k)[labels]

        def product_picks_the_true_class():
            assert np.allclose(np.prod(probs ** onehot, axis=1), probs[np.arange(30), labels])

        def its_log():
            assert np.allclose(np.log(np.prod(probs ** onehot, axis=1)), np.sum(onehot * np.log(probs), axis=1))

        def summed():
            ce = -np.sum(onehot * np.log(probs))
            assert ce == pytest.approx(-np.log(np.prod(probs[np.arange(30), labels])))

        def two_classes():
            p1 = RNG.uniform(0.02, 0.98, size=25)
            y1 = RNG.integers(0, 2, size=25).astype(float)
            two = -(y1 * np.log(p1) + (1 - y1) * np.log(1 - p1))
            cat = -np.sum(np.stack([y1, 1 - y1], 1) * np.log(np.stack([p1, 1 - p1], 1)), axis=1)
            assert np.allclose(two, cat)

        run_checks(derivation(self.lesson, "deriv-05-categorical-ce"), {
            r"P(\mathbf{y}_i | x_i) = \prod_k p_{ik}^{y_{ik}}": product_picks_the_true_class,
            r"\ln P(\mathbf{y}_i | x_i) = \sum_k y_{ik} \ln p_{ik}": its_log,
            r"-\ln L = -\sum_i \sum_k y_{ik} \ln p_{ik}": summed,
            r"K = 2: \; -[y \ln p + (1 - y) \ln(1 - p)]": two_classes,
        })


# --------------------------------------------------------------------------- 05-03: bank

class TestMleBank:
    def test_coin_likelihood(self):
        question = q("q05-coin-likelihood")
        states([question["q"]["en"]], "heads, tails, heads, heads", "$p = 0.6$")
        flips = [1, 0, 1, 1]
        like = math.prod(0.6 if f else 0.4 for f in flips)
        check_numeric(question, like)
        states(both(question["explanation"]), fmt(like, 4), fmt(sum(math.log(0.6 if f else 0.4) for f in flips), 4))

    def test_coin_mle(self):
        question = q("q05-coin-mle")
        states(both(question["q"]), "p^3 (1 - p)")
        ps = np.linspace(0.0001, 0.9999, 99991)
        check_numeric(question, ps[np.argmax(ps ** 3 * (1 - ps))])
        h = 1e-6
        assert (3 * math.log(0.75 + h) + math.log(0.25 - h) - 3 * math.log(0.75 - h)
                - math.log(0.25 + h)) / (2 * h) == pytest.approx(0, abs=1e-6)

    def test_gauss_nll(self):
        question = q("q05-gauss-nll")
        states(both(question["q"]), "\\hat{y} = 1.5", "\\sigma = 2", "y = 2")
        nll = -math.log(gauss(2.0, 1.5, 2.0))
        check_numeric(question, nll)
        states(both(question["explanation"]), f"{0.5 ** 2 / 8}", fmt(math.log(math.sqrt(2 * math.pi) * 2), 4),
               fmt(nll, 3))

    def test_loss_from_distribution(self):
        question = q("q05-loss-from-distribution")
        assert question["answers"] == [0, 1, 2] and len(question["choices"]) == 5
        # choice 3 is false: σ does not move the minimiser of the Gaussian NLL
        x = RNG.normal(size=25)
        t = 0.7 * x + RNG.normal(scale=0.3, size=25)
        ws = np.linspace(-2, 2, 4001)
        best = {s: ws[np.argmin([np.sum(-np.log(gauss(t, w * x, s))) for w in ws])] for s in (1.0, 2.0)}
        assert best[1.0] == best[2.0]
        # choice 4 is false: the log does not move the maximiser
        ps = np.linspace(0.01, 0.99, 99)
        like = ps ** 3 * (1 - ps)
        assert np.argmax(like) == np.argmax(np.log(like))

    def test_underflow_product(self):
        question = q("q05-underflow-product")
        product = 1.0
        for _ in range(1100):
            product *= 0.5
        assert product == 0.0
        assert question["choices"][question["answer"]]["en"] == "Exactly 0.0"
        states(both(question["explanation"]), f"10^{{{fmt(1100 * math.log10(0.5), 1)}}}",
               f"{fmt(1100 * math.log(0.5), 2)}", "4.9 \\times 10^{-324}")
        states(both(q("q05-why-log-not-product")["explanation"]), fmt(1100 * math.log(0.5), 2))


# --------------------------------------------------------------------------- 05-04: tables

def cm_cells(text: str) -> dict[tuple[str, str], int]:
    """(actual, predicted) -> count of a 2×2 Markdown confusion matrix, read by its labels."""
    words = {"Actual": "actual", "실제": "actual", "Predicted": "predicted", "예측": "predicted"}
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    cells = {}
    for line in lines[2:]:
        row = [c.strip().strip("*") for c in line.strip("|").split("|")]
        kind, cls = row[0].split()
        for head, count in zip(header, row[1:]):
            other_kind, other = head.split()
            assert words[kind] != words[other_kind]
            key = (cls, other) if words[kind] == "actual" else (other, cls)
            cells[key] = int(count)
    return cells


class TestConfusionMatrixLesson:
    lesson = LESSONS[PR]

    def test_opening_accuracy(self):
        text = both(self.lesson["steps"][0]["prose"])
        states(text, "990/1000 = 0.99")
        states([self.lesson["steps"][0]["prose"]["en"]], "1,000 patients", "only 10 are ill")
        assert (1000 - 10) / 1000 == 0.99

    def test_rows_actual_table_and_metrics(self):
        step = prose_with(self.lesson, "everything is in four cells")
        assert "**rows = actual, columns = predicted**" in step["en"]
        assert "**행이 실제, 열이 예측**" in step["ko"]
        en = cm_cells(step["en"])
        ko = cm_cells(step["ko"].replace("스팸", "spam").replace("정상", "normal"))
        assert en == ko
        tp, fn = en[("spam", "spam")], en[("spam", "normal")]
        fp, tn = en[("normal", "spam")], en[("normal", "normal")]
        for name, value in (("TP", tp), ("FN", fn), ("FP", fp), ("TN", tn)):
            states([step["en"]], f"{name} (")
            states(both(step), f"= {value}")
        states(both(step), f"\\frac{{{tp}}}{{{tp + fp}}} = {fmt(tp / (tp + fp), 3)}",
               f"\\frac{{{tp}}}{{{tp + fn}}} = {fmt(tp / (tp + fn), 3)}",
               f"\\frac{{{tp} + {tn}}}{{{tp + fp + fn + tn}}} = {fmt((tp + tn) / (tp + fp + fn + tn), 3)}",
               "\\frac{0}{10} = 0")
        assert tp + fp + fn + tn == 100

    def test_flipped_table_is_the_same_result_and_the_misreading_swaps(self):
        first = cm_cells(prose_with(self.lesson, "everything is in four cells")["en"])
        step = prose_with(self.lesson, "same numbers, flipped table")
        assert "**rows = predicted, columns = actual**" in step["en"]
        flipped = cm_cells(step["en"])
        assert flipped == first                      # same classification, drawn the other way
        assert cm_cells(step["ko"].replace("스팸", "spam").replace("정상", "normal")) == first
        # misread as rows = actual: the off-diagonal cells swap roles
        rows = [[int(x) for x in r] for r in re.findall(r"\| (\d+) \| (\d+) \|", step["en"])]
        tp, fp_misread, fn_misread = rows[0][0], rows[1][0], rows[0][1]
        assert (fp_misread, fn_misread) == (first[("spam", "normal")], first[("normal", "spam")])
        recall_misread, precision_misread = tp / (tp + fn_misread), tp / (tp + fp_misread)
        true_p = first[("spam", "spam")] / (first[("spam", "spam")] + first[("normal", "spam")])
        true_r = first[("spam", "spam")] / (first[("spam", "spam")] + first[("spam", "normal")])
        assert (recall_misread, precision_misread) == (true_p, true_r)
        states(both(step), f"\\frac{{{tp}}}{{{tp} + {fn_misread}}} = {fmt(recall_misread, 3)}",
               f"\\frac{{{tp}}}{{{tp} + {fp_misread}}} = {fmt(precision_misread, 3)}",
               "[[TN, FP], [FN, TP]]")

    def test_threshold_table(self):
        step = prose_with(self.lesson, "a tug of war")
        for lang, pos_word, neg_word in (("en", "actual positives:", "actual negatives:"),
                                         ("ko", "실제 양성:", "실제 음성:")):
            lines = step[lang].splitlines()
            pos = scores(next(ln for ln in lines if pos_word in ln))
            neg = scores(next(ln for ln in lines if neg_word in ln))
            assert pos == [0.95, 0.85, 0.75, 0.55, 0.35] and neg == [0.80, 0.60, 0.40, 0.20, 0.10]
            rows = table_rows(step[lang], 7)
            assert len(rows) == 5
            for t, tp, fp, fn, p, r, f1 in rows:
                c = counts(pos, neg, float(t))
                assert (int(tp), int(fp), int(fn)) == c, t
                assert p == fmt(c[0] / (c[0] + c[1]), 3) and r == fmt(c[0] / len(pos), 3)
                assert f1 == fmt(2 * c[0] / (2 * c[0] + c[1] + c[2]), 3)
        # the stated dip: precision falls from t = 0.5 to t = 0.58, as only a true positive drops out
        p_at = {t: counts(pos, neg, t)[0] / sum(counts(pos, neg, t)[:2]) for t in (0.5, 0.58)}
        assert p_at[0.58] < p_at[0.5]
        states(both(step), f"{fmt(p_at[0.5], 3)}", f"{fmt(p_at[0.58], 3)}", "0.55")
        assert [s for s in pos + neg if 0.5 <= s < 0.58] == [0.55]

    def test_at_threshold_zero_precision_is_the_share_of_positives(self):
        pos, neg = [0.95, 0.85, 0.75, 0.55, 0.35], [0.80, 0.60, 0.40, 0.20, 0.10]
        tp, fp, fn = counts(pos, neg, 0.0)
        assert tp / len(pos) == 1 and tp / (tp + fp) == len(pos) / (len(pos) + len(neg))


def test_recall_never_rises_but_precision_can_as_the_threshold_rises():
    rng = random.Random(3)
    precision_fell = False
    for _ in range(200):
        pos = [rng.random() for _ in range(8)]
        neg = [rng.random() for _ in range(8)]
        previous = None
        for t in np.linspace(0, 1, 101):
            tp, fp, fn = counts(pos, neg, t)
            recall = tp / (tp + fn)
            precision = tp / (tp + fp) if tp + fp else None
            if previous:
                assert recall <= previous[0]
                if precision is not None and previous[1] is not None and precision < previous[1]:
                    precision_fell = True
            previous = (recall, precision)
    assert precision_fell


# --------------------------------------------------------------------------- 05-04: F1 derivation

class TestF1Derivation:
    lesson = LESSONS[PR]
    tp = RNG.integers(1, 200, size=500).astype(float)
    fp = RNG.integers(0, 200, size=500).astype(float)
    fn = RNG.integers(0, 200, size=500).astype(float)

    def test_every_line(self):
        P, R = self.tp / (self.tp + self.fp), self.tp / (self.tp + self.fn)
        m, M = np.minimum(P, R), np.maximum(P, R)
        harmonic = 1 / ((1 / P + 1 / R) / 2)

        def definition():
            assert np.allclose(2 / (1 / P + 1 / R), harmonic)

        def product_form():
            assert np.allclose(2 * P * R / (P + R), harmonic)

        def counts_form():
            assert np.allclose(2 * self.tp / (2 * self.tp + self.fp + self.fn), harmonic)
            # symmetric in FP and FN: the transposed table gives the same F1
            swapped = 2 * self.tp / (2 * self.tp + self.fn + self.fp)
            assert np.allclose(swapped, harmonic)

        def min_max_form():
            assert np.allclose(2 * m * M / (m + M), harmonic)

        def fraction_bounds():
            frac = M / (m + M)
            assert np.all(frac >= 0.5 - 1e-12) and np.all(frac < 1)

        def f1_bounds():
            assert np.all(harmonic >= m - 1e-12) and np.all(harmonic < 2 * m)

        def below_arithmetic_mean():
            gap = (P + R) / 2 - harmonic
            assert np.allclose(gap, (P - R) ** 2 / (2 * (P + R)))
            assert np.all(gap >= -1e-12)
            assert np.allclose(gap[np.isclose(P, R)], 0)

        run_checks(derivation(self.lesson, "deriv-05-f1-harmonic"), {
            r"F_1 = \frac{2}{\frac{1}{P} + \frac{1}{R}}": definition,
            r"F_1 = \frac{2PR}{P + R}": product_form,
            r"F_1 = \frac{2TP}{2TP + FP + FN}": counts_form,
            r"F_1 = 2m \cdot \frac{M}{m + M}": min_max_form,
            r"\frac{1}{2} \le \frac{M}{m + M} < 1": fraction_bounds,
            r"m \le F_1 < 2m": f1_bounds,
            r"\frac{P + R}{2} - F_1 = \frac{(P - R)^2}{2(P + R)} \ge 0": below_arithmetic_mean,
        })

    def test_conclusion_numbers(self):
        text = both(derivation(self.lesson, "deriv-05-f1-harmonic")["conclusion"])
        p, r = 1.0, 0.01
        f1 = 2 * p * r / (p + r)
        states(text, "$1.0$", "$0.01$", f"${(p + r) / 2}$", f"= {fmt(f1, 4)}$", "\\frac{2 \\cdot 1.0 \\cdot 0.01}{1.01}")
        assert f1 < 2 * r
        states(both(q("q05-why-f1-harmonic")["explanation"]), f"${(p + r) / 2}$", f"${fmt(f1, 4)}$")


# --------------------------------------------------------------------------- 05-04: bank

class TestPrecisionRecallBank:
    def test_sklearn_layout(self):
        question = q("q05-cm-sklearn-layout")
        states(both(question["q"]), "`[[50, 10], [5, 35]]`")
        (tn, fp), (fn, tp) = [[50, 10], [5, 35]]      # rows = actual, labels sorted: 0 first
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        accuracy = (tp + tn) / (tp + tn + fp + fn)
        top_left = tn / (tn + fn)                      # precision if the top-left cell were TP
        choices = [c["en"] for c in question["choices"]]
        assert choices[question["answer"]] == fmt(precision, 3)
        assert sorted(choices) == sorted(fmt(v, 3) for v in (precision, recall, accuracy, top_left))
        assert all(c["ko"] == c["en"] for c in question["choices"])
        states(both(question["explanation"]), f"TN = {tn}", f"FP = {fp}", f"FN = {fn}", f"TP = {tp}",
               f"\\frac{{{tp}}}{{{tp} + {fp}}} = {fmt(precision, 3)}",
               f"{fmt(recall, 3)} = \\frac{{{tp}}}{{{tp} + {fn}}}",
               f"{fmt(accuracy, 3)} = \\frac{{{tn} + {tp}}}{{100}}",
               f"{fmt(top_left, 3)} = \\frac{{{tn}}}{{{tn} + {fn}}}")

    def test_f1_lopsided(self):
        question = q("q05-f1-lopsided")
        states(both(question["q"]), "$0.9$", "$0.2$")
        f1 = 1 / ((1 / 0.9 + 1 / 0.2) / 2)
        check_numeric(question, f1)
        states(both(question["explanation"]), fmt(f1, 3), f"{(0.9 + 0.2) / 2:.2f}", "$0.4$")
        assert 0.2 <= f1 < 0.4

    def test_threshold_precision(self):
        question = q("q05-threshold-precision")
        for lang, pos_word, neg_word in (("en", "actual positives", "actual negatives"),
                                         ("ko", "실제 양성:", "실제 음성:")):
            text = question["q"][lang]
            pos = scores(text.split(pos_word)[1].split(neg_word)[0])
            neg = scores(text.split(neg_word)[1].split("\n")[0])
            assert pos == [0.9, 0.7, 0.6, 0.4] and neg == [0.8, 0.55, 0.2]
        states(both(question["q"]), "t = 0.5")
        tp, fp, fn = counts(pos, neg, 0.5)
        check_numeric(question, tp / (tp + fp))
        states(both(question["explanation"]), f"TP = {tp}", f"FP = {fp}", f"FN = {fn}",
               f"\\frac{{{tp}}}{{{tp} + {fp}}} = {fmt(tp / (tp + fp), 3)}",
               f"\\frac{{{tp}}}{{{tp + fn}}} = {fmt(tp / (tp + fn), 3)}")

    def test_threshold_recall_direction(self):
        question = q("q05-threshold-recall-direction")
        assert question["choices"][question["answer"]]["en"].startswith("It falls or stays the same")
        # "always falls" is wrong: no positive between 0.5 and 0.7 leaves recall unchanged
        pos, neg = [0.9, 0.8, 0.3], [0.6, 0.1]
        assert counts(pos, neg, 0.5)[0] == counts(pos, neg, 0.7)[0]

    def test_threshold_choice_explanation(self):
        text = both(q("q05-why-threshold-choice")["explanation"])
        pos, neg = [0.95, 0.85, 0.75, 0.55, 0.35], [0.80, 0.60, 0.40, 0.20, 0.10]
        for t in (0.3, 0.9):
            tp, fp, fn = counts(pos, neg, t)
            states(text, f"t = {t}", f"({fmt(tp / (tp + fp), 3)}, {fmt(tp / (tp + fn), 3)})")

    def test_generated_drill_draws_rows_as_predicted_and_asks_recall(self):
        entry = GeneratedQuestion.model_validate(q("q05-gen-confusion-predrows-recall"))
        assert check_generator(entry.generator, dict(entry.params)) is None
        for seed in range(40):
            made = generate(entry, seed)
            assert "**rows are the predicted class**" in made.q.en
            assert "**행(가로줄)이 예측 클래스**" in made.q.ko
            cells = cm_cells(made.q.en)
            tp = cells[("positive", "positive")]
            fn = cells[("positive", "negative")]
            assert made.answer == pytest.approx(round(tp / (tp + fn), 3), abs=1e-9), seed
            assert "What is the recall" in made.q.en


def test_no_figures_quoted_from_runs():
    """The run steps ask what to watch for; the prose around them quotes no measured figure."""
    for rel in (MLE, PR):
        lesson = LESSONS[rel]
        for step in lesson["steps"]:
            if "run" in step:
                for lang in ("ko", "en"):
                    assert not re.search(r"\d\.\d", step["run"]["ask"][lang]), step["run"]["ask"][lang]
        assert "figures" not in lesson


if __name__ == "__main__":                 # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
