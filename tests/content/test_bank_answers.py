"""Recompute the computable answers of the chapter 4, 5 and key-question banks from the YAML.

Each test reads the question as written (yaml.safe_load), checks that the givens it uses are the
ones the text states, recomputes the answer — usually by another route than the explanation's
(finite differences, NumPy) — and compares it with the file's answer and the numbers its
explanation shows. A wrong number in a file fails here.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tutor.content import GeneratedQuestion, load_library, render_inline_math
from tutor.content.generators import check_generator, generate
from claims_kit import both, states  # noqa: E402 (same folder)

ROOT = Path(__file__).parents[2]
BANKS = ["quizzes/ch04-deep-learning.yaml", "quizzes/ch05-classification.yaml",
         "quizzes/ch00-key-questions.yaml"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def load(rel: str) -> list[dict]:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))["questions"]


QUESTIONS = {q["id"]: q for rel in BANKS for q in load(rel)}


def q(qid: str) -> dict:
    return QUESTIONS[qid]


def check_numeric(question: dict, exact: float) -> None:
    """The file's answer is the exact value rounded, and within the stated tolerance of it."""
    assert question["type"] == "numeric"
    tol = question["tolerance"]
    assert abs(question["answer"] - exact) <= tol, (question["id"], question["answer"], exact)
    if tol:
        digits = round(-math.log10(tol))
        assert question["answer"] == pytest.approx(round(exact, digits), abs=1e-12)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


# --------------------------------------------------------------------------- whole banks

def test_banks_load_without_errors_and_generators_are_known():
    lib = load_library([ROOT / "quizzes", ROOT / "lessons"], check_generator=check_generator)
    mine = [e for e in lib.errors if any(b in e.file for b in BANKS)]
    assert mine == []
    for qid in QUESTIONS:
        assert qid in lib.questions


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_every_text_renders_and_korean_is_present(qid):
    question = q(qid)
    fields = [question[k] for k in ("q", "a", "explanation") if k in question]
    fields += question.get("choices", []) + question.get("items", []) + question.get("points", [])
    for text in fields:
        for lang in ("ko", "en"):
            rendered = render_inline_math(text[lang])
            assert "\\" not in rendered and "$" not in rendered, (qid, rendered)
        assert HANGUL.search(text["ko"]) or not re.search(r"[A-Za-z]{4}", text["en"]) \
            or text["ko"] == text["en"], (qid, text["ko"])


@pytest.mark.parametrize("qid", sorted(k for k, v in QUESTIONS.items() if v["type"] == "generated"))
def test_generated_entries_generate(qid):
    entry = GeneratedQuestion.model_validate(q(qid))
    assert check_generator(entry.generator, dict(entry.params)) is None
    for seed in range(50):
        made = generate(entry, seed)
        assert made.id == qid and made.chapter == entry.chapter and made.tags == entry.tags


def test_why_questions_shape():
    for qid, question in QUESTIONS.items():
        if question["type"] not in ("why", "short"):
            continue
        assert 2 <= len(question["points"]) <= 4, qid
        for lang in ("ko", "en"):
            answer = question["a"][lang]
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.strip()) if s]
            assert 2 <= len(sentences) <= 5, (qid, lang, len(sentences), sentences)


KEY_QUESTIONS = {
    "vanishing-gradient cures": "q07-why-vanishing-cures",
    "overfitting prevention": "q07-why-overfitting",
    "RNN limitation": "q09-why-rnn-limit",
    "why not only linear layers": "q04-why-nonlinear",
    "why the step function was dropped": "q04-why-step-dropped",
    "logit vs probability": "q04-why-logit",
    "accuracy is not the loss": "q05-why-accuracy-not-loss",
    "log-likelihood rather than MSE": "q05-why-log-likelihood",
    "sigmoid to ReLU speed-up": "q04-why-relu-faster",
    "precision and recall from a confusion matrix either way round":
        "q05-why-confusion-orientation",
}


@pytest.mark.parametrize("topic", sorted(KEY_QUESTIONS))
def test_key_questions_have_a_why(topic):
    question = q(KEY_QUESTIONS[topic])
    assert question["type"] == "why"
    assert "key-question" in question["tags"]


def test_confusion_matrix_key_question_has_a_generated_drill():
    follow = q("q05-why-confusion-orientation")["follow_up"]
    drills = [QUESTIONS[f] for f in follow if QUESTIONS[f]["type"] == "generated"]
    assert drills and drills[0]["generator"] == "confusion_matrix"


# --------------------------------------------------------------------------- chapter 4

def test_linear_collapse():
    question = q("q04-linear-collapse")
    states(both(question["q"]), "(1, -1)", "(2, 0)", "b_1 = (1, -2)", "w_2 = (3, 1)", "b_2 = 0.5")
    W1, b1 = np.array([[1, -1], [2, 0]]), np.array([1, -2])
    w2, b2 = np.array([3, 1]), 0.5
    # Two linear layers equal one: check on random inputs, then read off w and b.
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(10, 2))
    two_layers = (xs @ W1.T + b1) @ w2 + b2
    w, b = w2 @ W1, w2 @ b1 + b2
    assert np.allclose(two_layers, xs @ w + b)
    check_numeric(question, b)
    states(both(question["explanation"]), f"({w[0]}, {w[1]})", f"= {b}")


def test_logit_sign():
    question = q("q04-logit-sign")
    p = sigmoid(-0.8)
    right = question["choices"][question["answer"]]["en"]
    assert fmt(p, 3) in right and "below 0.5" in right
    assert any(fmt(sigmoid(0.8), 3) in c["en"] for c in question["choices"])
    assert sigmoid(-0.8) == pytest.approx(1 - sigmoid(0.8))


def test_sigmoid_chain_bound():
    question = q("q04-sigmoid-chain")
    zs = np.linspace(-10, 10, 200001)
    assert (sigmoid(zs) * (1 - sigmoid(zs))).max() == pytest.approx(0.25)
    n = next(n for n in range(1, 50) if 0.25 ** n < 0.001)
    check_numeric(question, n)
    states(both(question["explanation"]), fmt(0.25 ** (n - 1), 4), f"{0.25 ** n:.5f}")
    states(both(q("q04-why-relu-faster")["explanation"]), f"{0.25 ** 5:.5f}")


def test_backprop_value():
    question = q("q04-backprop-value")
    states(both(question["q"]), "x = 1.5", "w_1 = 0.4", "w_2 = 2", "t = 1")
    x, w1, w2, t = 1.5, 0.4, 2.0, 1.0

    def loss(w1_):
        return 0.5 * (w2 * sigmoid(w1_ * x) - t) ** 2

    h = 1e-6
    grad = (loss(w1 + h) - loss(w1 - h)) / (2 * h)
    check_numeric(question, grad)
    z = w1 * x
    s = sigmoid(z)
    y = w2 * s
    steps = [s, y, y - t, w2 * (y - t), s * (1 - s), w2 * (y - t) * s * (1 - s)]
    states(both(question["explanation"]), *(fmt(v, 4) for v in steps), fmt(grad, 5))


# --------------------------------------------------------------------------- chapter 5

def test_mse_vs_ce_gradient():
    question = q("q05-mse-vs-ce-grad")
    states(both(question["q"]), "y = 1", "z = -4")
    y, z, h = 1.0, -4.0, 1e-6

    def mse(z_):
        return 0.5 * (sigmoid(z_) - y) ** 2

    def bce(z_):
        p_ = sigmoid(z_)
        return -(y * np.log(p_) + (1 - y) * np.log(1 - p_))

    g_mse = (mse(z + h) - mse(z - h)) / (2 * h)
    g_ce = (bce(z + h) - bce(z - h)) / (2 * h)
    p = sigmoid(z)
    assert g_ce == pytest.approx(p - y, abs=1e-6)            # ∂BCE/∂z = p − y
    check_numeric(question, g_mse)
    states(both(question["explanation"]), fmt(p, 5), fmt(p - y, 5), fmt(p * (1 - p), 5),
           fmt(g_ce, 3))
    why = q("q05-why-log-likelihood")["explanation"]
    states(both(why), fmt(g_ce, 3), fmt(g_mse, 4), "50")
    assert g_ce / g_mse > 50
    states(both(why), f"p \\approx {fmt(p, 3)}")


def test_gaussian_nll_is_mse_plus_constant():
    """The MLE-machine identity the explanation writes out, checked numerically."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        y, yhat, sigma = rng.normal(), rng.normal(), rng.uniform(0.3, 3)
        density = math.exp(-(y - yhat) ** 2 / (2 * sigma ** 2)) / (math.sqrt(2 * math.pi) * sigma)
        assert -math.log(density) == pytest.approx(
            (y - yhat) ** 2 / (2 * sigma ** 2) + math.log(math.sqrt(2 * math.pi) * sigma))


def test_bce_confident_wrong():
    question = q("q05-bce-confident-wrong")
    states(both(question["q"]), "y = 0", "p = 0.9")
    y, p = 0, 0.9
    check_numeric(question, -(y * math.log(p) + (1 - y) * math.log(1 - p)))
    states(both(question["explanation"]), fmt((p - y) ** 2, 2))


def test_softmax_cross_entropy_gradient():
    question = q("q05-ce-grad")
    states(both(question["q"]), "z = (2, 1, 0.1)")
    states([question["q"]["en"]], "true class is class 1")
    states([question["q"]["ko"]], "정답은 클래스 1")
    z, target, h = np.array([2, 1, 0.1]), 0, 1e-6

    def ce(z_):
        return -np.log(softmax(z_)[target])

    bump = np.array([h, 0, 0])
    grad = (ce(z + bump) - ce(z - bump)) / (2 * h)
    p = softmax(z)
    assert grad == pytest.approx(p[0] - 1, abs=1e-6)           # ∂CE/∂z = p − y
    check_numeric(question, grad)
    states(both(question["explanation"]), "(" + ", ".join(fmt(v, 3) for v in p) + ")",
           f"{fmt(p[0], 3)} - 1 = {fmt(grad, 3)}")


def test_softmax_shift():
    question = q("q05-softmax-shift")
    a, b = softmax([1, 2, 3]), softmax([101, 102, 103])
    assert np.allclose(a, b)
    assert question["choices"][question["answer"]]["en"] == "They are identical"
    states(both(question["explanation"]), "(" + ", ".join(fmt(v, 3) for v in a) + ")")


def table(text: str) -> dict[tuple[str, str], int]:
    """(actual, predicted) -> count from a Markdown confusion matrix, by its labels."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    cells = {}
    for line in lines[2:]:
        row = [c.strip().strip("*") for c in line.strip("|").split("|")]
        kind, cls = row[0].split()
        for head, count in zip(header, row[1:]):
            other = head.split()[1]
            cells[(cls, other) if kind == "Actual" else (other, cls)] = int(count)
    return cells


def test_precision_trap():
    question = q("q05-precision-trap")
    assert "**rows are the predicted class**" in question["q"]["en"]
    assert "**행이 예측 클래스**" in question["q"]["ko"]
    c = table(question["q"]["en"])
    # The Korean table has the same numbers in the same places.
    ko_numbers = re.findall(r"\| (\d+) \| (\d+) \|", question["q"]["ko"])
    en_numbers = re.findall(r"\| (\d+) \| (\d+) \|", question["q"]["en"])
    assert ko_numbers == en_numbers
    tp, fp = c[("positive", "positive")], c[("negative", "positive")]
    fn, tn = c[("positive", "negative")], c[("negative", "negative")]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    accuracy, specificity = (tp + tn) / (tp + fp + fn + tn), tn / (tn + fp)
    choices = [ch["en"] for ch in question["choices"]]
    assert choices[question["answer"]] == fmt(precision, 3)
    assert sorted(choices) == sorted(fmt(v, 3) for v in (precision, recall, accuracy,
                                                          specificity))
    states(both(question["explanation"]), fmt(recall, 3), fmt(accuracy, 3), fmt(specificity, 3))


def test_f1():
    question = q("q05-f1")
    states(both(question["q"]), "$0.6$", "$0.9$")
    p, r = 0.6, 0.9
    f1 = 1 / ((1 / p + 1 / r) / 2)                             # harmonic mean, another route
    check_numeric(question, f1)
    states(both(question["explanation"]), fmt(f1, 3), f"{(p + r) / 2:.2f}")


def test_one_hot():
    question = q("q05-one-hot")
    classes = ["cat", "dog", "bird", "fish"]
    vec = tuple(int(c == "bird") for c in classes)
    assert question["choices"][question["answer"]]["en"] == str(vec)


def test_softmax_overflow_threshold():
    threshold = math.log(sys.float_info.max)
    assert 709 < threshold < 710
    with pytest.raises(OverflowError):
        math.exp(710)
    states(both(q("q05-why-softmax-overflow")["a"]), "709")


# --------------------------------------------------------------------------- key questions

def test_rnn_fade():
    question = q("q09-rnn-fade")
    states(both(question["q"]), "$0.9$", "30")
    fraction = np.prod(np.full(30, 0.9))
    check_numeric(question, fraction)
    states(both(question["explanation"]), fmt(fraction, 4), fmt(1.1 ** 30, 1))


def test_skip_connection_derivative():
    """y = x + F(x) passes a gradient of 1 + F'(x): checked for F = small tanh layer."""
    w, h = 0.01, 1e-6
    for x in np.linspace(-2, 2, 9):
        def y(x_):
            return x_ + np.tanh(w * x_)
        dy = (y(x + h) - y(x - h)) / (2 * h)
        assert dy == pytest.approx(1 + w * (1 - np.tanh(w * x) ** 2), abs=1e-6)
        assert dy > 1 - 1e-9
