"""Recompute the numbers and identities of lesson 03-06 (weight initialisation) and the 03-06
questions of quizzes/ch03-optimizers-init.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks and
every line must have one, so an edited line fails until its check is updated. Expectations are
computed exactly where that is possible, by enumerating every outcome of small discrete
distributions (weights ±a, inputs on a few values); the Xavier and He variances are checked on the
tutor's own initialisers and by sampling deep ReLU stacks with NumPy. The symmetry table is
recomputed by hand-coded backpropagation and by central differences.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from claims_kit import (ROOT, all_formulas, both, check_written_arithmetic, derivation,  # noqa: E402
                        korean, load, rounds_to, run_checks, states, table_rows)  # same folder
from tutor import nn
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments.nets import INIT_NAMES, mlp
from tutor.nn import init as initializers

LESSON_PATH = "lessons/03-neural-networks/06-initialization.yaml"
BANK_PATH = "quizzes/ch03-optimizers-init.yaml"
LESSON = load(LESSON_PATH)
QUESTIONS = {q["id"]: q for q in load(BANK_PATH)["questions"]}
MINE = ["q03-init-var-wx", "q03-init-he-std", "q03-init-small-signal", "q03-why-init-constant",
        "q03-why-init-he-double", "q03-why-init-xavier-average"]
RNG = np.random.default_rng(6)


@pytest.fixture(autouse=True)
def _same_draws_in_any_order():
    """Each test samples from a fresh seeded generator, so a -k subset draws what the full run does."""
    global RNG
    RNG = np.random.default_rng(6)


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> dict:
    found = [p for p in steps_of("prose") if marker in p["en"]]
    assert len(found) == 1, marker
    return found[0]


def numbers(cell: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", cell)]


# -- exact moments by enumeration -------------------------------------------------------------------

W_VALUES, A = np.array([-0.3, 0.3]), 0.3            # w = ±a, each with probability 1/2: mean 0, var a²
X_VALUES, X_PROBS = np.array([0.0, 1.0, 3.0]), np.array([0.5, 0.3, 0.2])   # not zero-mean (like ReLU output)
XS_VALUES, XS_PROBS = np.array([-2.0, -1.0, 1.0, 2.0]), np.full(4, 0.25)   # zero-mean


def outcomes(n: int, xv=X_VALUES, xp=X_PROBS):
    """Every outcome (w₁…wₙ, x₁…xₙ) with its probability, all variables independent."""
    singles = [(w, x, 0.5 * p) for w in W_VALUES for x, p in zip(xv, xp)]
    for combo in itertools.product(singles, repeat=n):
        w = np.array([c[0] for c in combo])
        x = np.array([c[1] for c in combo])
        yield w, x, math.prod(c[2] for c in combo)


def moments(values_probs):
    vals, probs = zip(*values_probs)
    vals, probs = np.array(vals), np.array(probs)
    assert math.isclose(probs.sum(), 1.0)
    mean = float(np.sum(probs * vals))
    return mean, float(np.sum(probs * (vals - mean) ** 2)), float(np.sum(probs * vals**2))


def ex2(xv=X_VALUES, xp=X_PROBS) -> float:
    return float(np.sum(xp * xv**2))


def relu(z):
    return np.maximum(z, 0.0)


def rms_through_relu_stack(var_w: float, width: int = 32, layers: int = 6, nets: int = 60,
                           batch: int = 256) -> np.ndarray:
    """Mean over many random nets of each layer's mean square, relative to the input's (NumPy)."""
    ratios = np.zeros(layers)
    for _ in range(nets):
        h = RNG.normal(size=(batch, width))
        start = np.mean(h**2)
        for layer in range(layers):
            W = RNG.normal(0.0, math.sqrt(var_w), size=(width, width))
            h = relu(h @ W)
            ratios[layer] += np.mean(h**2) / start
    return ratios / nets


# --------------------------------------------------------------------------- the opening and the run

def test_opening_and_run_step():
    opening = LESSON["steps"][0]["prose"]
    assert all("?" in t for t in both(opening))
    states(both(opening), "ln 2 ≈ 0.693", "600")
    assert round(math.log(2), 3) == 0.693
    p = {k: v.default for k, v in REGISTRY["init"].params.items()}
    assert (p["layers"], p["width"], p["activation"], p["steps"], p["optimizer"]) == (6, 32, "relu", 600, "momentum")
    states([opening["ko"]], "6층 ReLU")
    states([opening["en"]], "6-layer ReLU")
    runs = steps_of("run")
    assert len(runs) == 1 and runs[0]["experiment"] == "init"
    assert check_run_step("init", runs[0]["set"]) is None
    assert all(t.rstrip().endswith("?") for t in both(runs[0]["ask"]))
    # the pinned losses say what the text says: zeros and small stuck at ln 2, He below Xavier
    figs = {f["name"]: float(f["text"]) for f in LESSON["figures"]}
    assert figs["loss-zeros"] == figs["loss-small"] < math.log(2)
    assert figs["loss-he"] < figs["loss-xavier"] < 0.1


# --------------------------------------------------------------------------- the symmetry table

X_HAND, Y_HAND = np.array([1.0, 2.0]), 1.0


def hand_backprop(c: float):
    """The tiny net 2 → 2 ReLU → 1, every weight c, biases 0, L = (ŷ − y)²/2, by the chain rule."""
    W1, w2 = np.full((2, 2), c), np.full(2, c)
    z = W1 @ X_HAND
    h = relu(z)
    y_hat = float(w2 @ h)
    d_yhat = y_hat - Y_HAND
    d_w2 = d_yhat * h
    d_h = d_yhat * w2
    d_W1 = np.outer(d_h * (z > 0), X_HAND)
    return z, y_hat, d_yhat, d_w2, d_W1


def loss(W1, w2):
    return 0.5 * (float(w2 @ relu(W1 @ X_HAND)) - Y_HAND) ** 2


def test_symmetry_table():
    half, zero = hand_backprop(0.5), hand_backprop(0.0)
    expected = [(half[0], zero[0]), ([half[1]], [zero[1]]), ([half[2]], [zero[2]]), (half[3], zero[3]),
                (half[4][0], zero[4][0]), (half[4][1], zero[4][1])]
    for text in both(prose_with("the symmetry never breaks")):
        rows = [r for r in table_rows(text, 3) if "(" in r[1] or re.fullmatch(r"-?[\d.]+", r[1])]
        assert len(rows) == 6
        for (label, a, b), (ea, eb) in zip(rows, expected):
            assert numbers(a) == pytest.approx(list(ea)) and numbers(b) == pytest.approx(list(eb)), label
    # the hand chain rule is the gradient: central differences of the loss
    for c in (0.5, 0.0):
        _, _, _, d_w2, d_W1 = hand_backprop(c)
        h = 1e-6
        W1, w2 = np.full((2, 2), c), np.full(2, c)
        for i, j in itertools.product(range(2), range(2)):
            E = np.zeros((2, 2))
            E[i, j] = h
            fd = (loss(W1 + E, w2) - loss(W1 - E, w2)) / (2 * h)
            if c == 0.0:   # ReLU's kink at z = 0: the one-sided slope the engine uses is 0
                fd = (loss(W1 - E, w2) - loss(W1, w2)) / -h
            assert math.isclose(fd, d_W1[i, j], abs_tol=1e-6)
        for i in range(2):
            e = np.zeros(2)
            e[i] = h
            assert math.isclose((loss(W1, w2 + e) - loss(W1, w2 - e)) / (2 * h), d_w2[i], abs_tol=1e-6)


def test_equal_weights_stay_equal_and_zeros_stay_zero():
    W1, w2 = np.full((2, 2), 0.5), np.full(2, 0.5)
    for _ in range(20):                           # gradient descent keeps the two hidden rows equal
        z = W1 @ X_HAND
        hid = relu(z)
        d = float(w2 @ hid) - Y_HAND
        W1, w2 = W1 - 0.05 * np.outer(d * w2 * (z > 0), X_HAND), w2 - 0.05 * d * hid
        assert np.array_equal(W1[0], W1[1]) and w2[0] == w2[1]
    assert not np.allclose(W1, 0.5)              # it did learn something, as one neuron


def test_zero_init_in_the_experiments_net_moves_only_the_output_bias():
    nn.manual_seed(0)
    model = mlp([2, 32, 32, 32, 1], "relu", init="zeros")
    X = RNG.normal(size=(64, 2)).astype(np.float32)
    y = (np.arange(64) < 48).astype(np.float32)[:, None]   # unbalanced, so the bias has a gradient
    loss_fn = nn.BCEWithLogitsLoss()
    loss_fn.forward(model.forward(X), y)
    model.backward(loss_fn.backward())
    last = f"{max(int(k.split('.')[0]) for k in model.grads)}.b"     # the output layer's bias
    for name, g in model.grads.items():
        assert (np.abs(g).max() > 0) == (name == last), name


# --------------------------------------------------------------------------- the per-layer table

FACTORS = {"small": 0.01**2, "xavier": 2 / 64, "he": 2 / 32}


def test_per_layer_rms_table():
    for text in both(prose_with("the signal fades")):
        states([text], "0.0001", "2/64", "2/32", "32", "25")
        rows = [r for r in table_rows(text, 4) if re.fullmatch(r"\d+", r[0])]
        assert [int(r[0]) for r in rows] == [1, 2, 3, 6]
        for layer, *cells in rows:
            for (name, var_w), written in zip(FACTORS.items(), cells):
                assert rounds_to(math.sqrt(32 * var_w / 2) ** int(layer), written), (name, layer, written)
    assert math.isclose(1 / math.sqrt(32 * 0.01**2 / 2), 25)
    assert math.isclose(math.sqrt(32 * (2 / 64) / 2), 1 / math.sqrt(2))


def test_per_layer_factors_by_sampling():
    """NumPy: deep ReLU stacks multiply the mean square by n σ²/2 per layer, as the table says."""
    for name, var_w in FACTORS.items():
        got = rms_through_relu_stack(var_w)
        want = (32 * var_w / 2) ** np.arange(1, 7)
        np.testing.assert_allclose(got[:3], want[:3], rtol=0.12, err_msg=name)


def test_the_experiments_inits_are_the_lessons():
    assert INIT_NAMES["small"] == "small_random" and INIT_NAMES["xavier"] == "xavier_normal"
    assert INIT_NAMES["he"] == "he_normal"
    w = initializers.get("small_random")((400, 400), rng=np.random.default_rng(1))
    assert math.isclose(float(w.std()), 0.01, rel_tol=0.02)


# --------------------------------------------------------------------------- the derivation

def check_var_product():
    singles = [(w * x, 0.5 * p) for w in W_VALUES for x, p in zip(X_VALUES, X_PROBS)]
    mean, var, _ = moments(singles)
    e_w2, e_w = float(np.mean(W_VALUES**2)), float(np.mean(W_VALUES))
    e_x = float(np.sum(X_PROBS * X_VALUES))
    assert math.isclose(var, e_w2 * ex2() - (e_w * e_x) ** 2)
    assert math.isclose(var, A**2 * ex2()) and e_x != 0   # holds although x is not zero-mean


def check_var_sum():
    for n in (1, 2, 3):
        mean, var, _ = moments((float(w @ x), p) for w, x, p in outcomes(n))
        assert math.isclose(mean, 0.0, abs_tol=1e-12)
        assert math.isclose(var, n * A**2 * ex2())
    # the cross terms vanish: E[w₁x₁ · w₂x₂] = 0
    assert math.isclose(sum(p * w[0] * x[0] * w[1] * x[1] for w, x, p in outcomes(2)), 0.0, abs_tol=1e-12)


def check_var_zero_mean_inputs():
    var_x = float(np.sum(XS_PROBS * XS_VALUES**2))
    assert math.isclose(float(np.sum(XS_PROBS * XS_VALUES)), 0.0)
    for n in (2, 3):
        _, var, _ = moments((float(w @ x), p) for w, x, p in outcomes(n, XS_VALUES, XS_PROBS))
        assert math.isclose(var, n * A**2 * var_x)
    # and by sampling, with NumPy: Var(Wx) = n·Var(w)·Var(x)
    n, var_w = 64, 0.02
    W = RNG.normal(0, math.sqrt(var_w), size=(4000, n))
    x = RNG.normal(0, 1.5, size=(4000, n))
    assert math.isclose(float(np.var(np.sum(W * x, axis=1))), n * var_w * 1.5**2, rel_tol=0.08)


def linear_stack_ratio(var_w_of, sizes, stacks=150, samples=200):
    """Var of the last layer over Var of the input for stacks of random linear layers, averaged over
    many stacks (one stack's ratio is a product of random factors, far from its mean)."""
    ratios = []
    for _ in range(stacks):
        x = RNG.normal(size=(samples, sizes[0]))
        h = x
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            h = h @ RNG.normal(0, math.sqrt(var_w_of(n_in, n_out)), size=(n_in, n_out))
        ratios.append(np.var(h) / np.var(x))
    return float(np.mean(ratios))


def check_forward_condition():
    sizes = [48] * 9
    assert math.isclose(linear_stack_ratio(lambda i, o: 1 / i, sizes), 1.0, rel_tol=0.25)
    assert linear_stack_ratio(lambda i, o: 0.5 / i, sizes) < 0.02          # 0.5⁸ ≈ 0.004


def check_backward_condition():
    # δx = Wᵀ δz: each entry sums n_out terms, so Var(δx) = n_out σ² Var(δz)
    n_in, n_out, var_w = 20, 80, 1 / 80
    ratios = []
    for _ in range(200):
        W = RNG.normal(0, math.sqrt(var_w), size=(n_out, n_in))    # z = W x
        delta = RNG.normal(size=(64, n_out))
        ratios.append(np.var(delta @ W) / np.var(delta))
    assert math.isclose(float(np.mean(ratios)), n_out * var_w, rel_tol=0.05)


def check_xavier():
    for n_in, n_out in ((2, 32), (32, 32), (300, 100)):
        w = initializers.xavier_normal((n_in, n_out), rng=np.random.default_rng(2))   # (in, out)
        assert math.isclose(float(np.var(w)), 2 / (n_in + n_out), rel_tol=0.15 if w.size < 200 else 0.05)
        assert min(1 / n_in, 1 / n_out) <= 2 / (n_in + n_out) <= max(1 / n_in, 1 / n_out)
        assert math.isclose(2 / (n_in + n_out), 1 / ((n_in + n_out) / 2))


def check_relu_half():
    z_vals, z_probs = np.array([-3.0, -1.0, 0.0, 1.0, 3.0]), np.array([0.1, 0.25, 0.3, 0.25, 0.1])
    ez2 = float(np.sum(z_probs * z_vals**2))
    assert math.isclose(float(np.sum(z_probs * relu(z_vals) ** 2)), ez2 / 2)
    z = RNG.normal(0, 1.7, size=400_000)
    assert math.isclose(float(np.mean(relu(z) ** 2)), 1.7**2 / 2, rel_tol=0.02)
    assert float(np.mean(relu(z))) > 0.5            # ReLU's output is not zero-mean
    # the sum of independent zero-mean terms is symmetric: its enumerated distribution is even
    dist = {}
    for w, x, p in outcomes(2):
        key = round(float(w @ x), 12)
        dist[key] = dist.get(key, 0.0) + p
    assert all(math.isclose(p, dist[-k]) for k, p in dist.items())


def check_layer_recursion():
    for var_w in (0.01**2, 1 / 32, 2 / 32):
        h_prev = relu(RNG.normal(size=(500, 32)))     # a ReLU layer's output: not zero-mean
        ratios = []
        for _ in range(600):   # one W is shared by every row, so average over many W
            W = RNG.normal(0, math.sqrt(var_w), size=(32, 32))
            ratios.append(np.mean(relu(h_prev @ W) ** 2) / np.mean(h_prev**2))
        assert math.isclose(float(np.mean(ratios)), 32 * var_w / 2, rel_tol=0.06)


def check_he():
    for n_in in (2, 32, 512):
        w = initializers.get("he_normal")((n_in, 64), rng=np.random.default_rng(3))   # (in, out)
        assert math.isclose(float(np.var(w)), 2 / n_in, rel_tol=0.15 if w.size < 200 else 0.05)
        assert math.isclose(n_in * (2 / n_in) / 2, 1.0)
    assert math.isclose(32 * (2 / (32 + 32)) / 2, 0.5)   # Xavier in a ReLU net of equal widths


def check_small_factor():
    assert math.isclose(math.sqrt(32 * 0.01**2 / 2), 0.04)
    assert rounds_to(0.04**6, "4.1e-9")
    for text in both(DERIVATION["steps"][-1]["why"]):
        states([text], "0.04^6 \\approx 4.1 \\times 10^{-9}")


DERIVATION = derivation(LESSON, "deriv-03-init-variance")
INIT_CHECKS = {
    "\\operatorname{Var}[w_i x_i] = \\mathbb{E}[w_i^2] \\mathbb{E}[x_i^2] - (\\mathbb{E}[w_i] \\mathbb{E}[x_i])^2 "
    "= \\sigma_w^2 \\mathbb{E}[x^2]": check_var_product,
    "\\operatorname{Var}[z] = \\sum_{i=1}^{n} \\operatorname{Var}[w_i x_i] = n \\sigma_w^2 \\mathbb{E}[x^2]":
        check_var_sum,
    "\\operatorname{Var}[z] = n \\operatorname{Var}[w] \\operatorname{Var}[x]": check_var_zero_mean_inputs,
    "n_{\\text{in}} \\sigma_w^2 = 1": check_forward_condition,
    "n_{\\text{out}} \\sigma_w^2 = 1": check_backward_condition,
    "\\sigma_w^2 = \\frac{2}{n_{\\text{in}} + n_{\\text{out}}}": check_xavier,
    "\\mathbb{E}[\\mathrm{ReLU}(z)^2] = \\frac{1}{2} \\mathbb{E}[z^2] = \\frac{1}{2} \\operatorname{Var}[z]":
        check_relu_half,
    "\\mathbb{E}[(h^{(l)})^2] = \\frac{n \\sigma_w^2}{2} \\mathbb{E}[(h^{(l-1)})^2]": check_layer_recursion,
    "\\sigma_w^2 = \\frac{2}{n_{\\text{in}}}": check_he,
    "\\sqrt{\\frac{32 \\cdot 0.01^2}{2}} = 0.04": check_small_factor,
}


@pytest.mark.parametrize("math_text", list(INIT_CHECKS))
def test_derivation_line(math_text):
    INIT_CHECKS[math_text]()


def test_every_derivation_line_has_a_check():
    run_checks(DERIVATION, INIT_CHECKS)
    assert any(line.get("level") == 3 for line in DERIVATION["steps"])
    assert all(line["why"]["ko"].strip() and line["why"]["en"].strip() for line in DERIVATION["steps"])


# --------------------------------------------------------------------------- the bank questions

def numeric_ok(question: dict, exact: float) -> None:
    assert question["type"] == "numeric"
    assert abs(question["answer"] - exact) <= question["tolerance"] / 2 + 1e-12, (question["id"], exact)


def test_var_wx_question():
    question = QUESTIONS["q03-init-var-wx"]
    states(both(question["q"]), "$n = 256$", "$N(0, 0.1^2)$")
    numeric_ok(question, 256 * 0.1**2 * 1)
    W = RNG.normal(0, 0.1, size=(20000, 256))
    x = RNG.normal(0, 1, size=(20000, 256))
    assert math.isclose(float(np.var(np.sum(W * x, axis=1))), 2.56, rel_tol=0.05)
    assert math.isclose(math.sqrt(2.56), 1.6) and math.isclose(math.sqrt(1 / 256), 0.0625)


def test_he_std_question():
    question = QUESTIONS["q03-init-he-std"]
    states(both(question["q"]), "512", "256")
    numeric_ok(question, math.sqrt(2 / 512))
    w = initializers.get("he_normal")((512, 256), rng=np.random.default_rng(4))   # (in, out): fan-in 512
    assert math.isclose(float(w.std()), 0.0625, rel_tol=0.01)
    assert rounds_to(math.sqrt(2 / (512 + 256)), "0.051")


def test_small_signal_question():
    question = QUESTIONS["q03-init-small-signal"]
    states(both(question["q"]), "100", "$N(0, 0.01^2)$", "4")
    per_layer = 100 * 0.01**2 / 2                  # the mean square's factor per layer
    rms_after_4 = math.sqrt(per_layer) ** 4
    # the choices, as written: 1, about 0.07, 2.5e-5, 0.5 — only the third is the answer
    written = [1.0, 0.07, 2.5e-5, 0.5]
    assert [i for i, w in enumerate(written) if math.isclose(rms_after_4, w, rel_tol=1e-9)] == [question["answer"]]
    assert math.isclose(rms_after_4, per_layer**2) and rounds_to(math.sqrt(per_layer), "0.07")
    got = rms_through_relu_stack(0.01**2, width=100, layers=4, nets=20)
    np.testing.assert_allclose(np.sqrt(got[:2]), [math.sqrt(per_layer), per_layer], rtol=0.1)
    states(both(question["explanation"]), "$100 \\cdot 0.01^2 / 2 = 0.005$", "$0.005^2 = 0.000025$")
    assert math.isclose(100 * (2 / 100) / 2, 1.0)    # He gives 1


def test_why_questions_numbers():
    states(both(QUESTIONS["q03-why-init-he-double"]["a"]), "$(1/\\sqrt{2})^6 = 1/8$")
    assert math.isclose((1 / math.sqrt(2)) ** 6, 1 / 8)
    states(both(QUESTIONS["q03-why-init-xavier-average"]["explanation"]), "$2/34 \\approx 0.059$")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas([QUESTIONS[i] for i in MINE]))


def test_my_questions_shape():
    assert set(MINE) <= set(QUESTIONS) and all(QUESTIONS[i]["chapter"] == 3 for i in MINE)
    whys = [i for i in MINE if QUESTIONS[i]["type"] == "why"]
    assert len(MINE) >= 5 and len(whys) >= 3
    for i in whys:
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", QUESTIONS[i]["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (i, lang, len(sentences))
        assert 2 <= len(QUESTIONS[i]["points"]) <= 4
    for i in MINE:
        for ref in QUESTIONS[i].get("follow_up", []):
            assert ref in QUESTIONS
        for text in both(QUESTIONS[i]["q"]):
            assert not re.search(r"previous|above|위 문제|앞 문제|레슨", text), i


# --------------------------------------------------------------------------- the lesson's shape and Korean

def test_lesson_shape():
    steps = LESSON["steps"]
    kinds = [next(iter(s)) for s in steps]
    assert kinds[0] == "prose"
    assert kinds.count("why") >= 2 and kinds.count("derivation") >= 1 and kinds.count("run") >= 1
    refs = [s["quiz"]["ref"] for s in steps if "quiz" in s]
    assert len(refs) >= 3 and len(set(refs)) == len(refs) and all(r in MINE for r in refs)
    assert 5 <= LESSON["minutes"] <= 15
    for w in steps_of("why"):
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang)
        assert 2 <= len(w["points"]) <= 4
    assert "stub" not in (ROOT / LESSON_PATH).read_text(encoding="utf-8").lower()


def test_korean_terms_and_register():
    ko = "\n".join(korean(LESSON["steps"]))
    for term in ("경사 하강법(gradient descent)", "그라디언트(gradient)", "초기화(initialization)",
                 "대칭(symmetry)", "역전파(backpropagation)", "분산(variance)", "순전파(forward pass)",
                 "기울기 소실(vanishing gradient)", "활성화 함수(activation function)", "가중치(weight)",
                 "편향(bias)"):
        assert term in ko, term
    everything = ko + "\n" + "\n".join(korean([QUESTIONS[i] for i in MINE]))
    assert not re.search(r"[\uac00-\ud7a3] \([A-Za-z]", everything)
    for sentence in re.findall(r"[^\s.]+다\.", everything):
        assert sentence.endswith("니다."), sentence
    assert "기울기(gradient)" not in everything and "정규화" not in everything
