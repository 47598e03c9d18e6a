"""Every question generator against an independent computation, on hundreds of seeds.

The independent side never calls the generator's arithmetic: it reads the givens back out of
the generated English text (so the text and the answer must agree), then computes the answer
another way — NumPy/SciPy, a different formula, the project's own optimizers in ``tutor.nn``,
or, for the confusion matrix, by rebuilding TP/FP/FN from the row and column *labels* of the
table as drawn.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from scipy import stats

from tutor.content import GeneratedQuestion, McqQuestion, NumericQuestion, render_inline_math
from tutor.content.generators import GENERATORS, check_generator, generate
from tutor.nn.optim import SGD, Adam
from tutor.practice.grading import grade

SEEDS = range(300)
NUM = r"-?\d+(?:\.\d+)?"
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Every generator with parameter sets that together exercise every parameter value.
CASES: dict[str, list[dict]] = {
    "confusion_matrix": [{}, {"ask": "precision"}, {"ask": "recall"}, {"ask": "f1"},
                         {"orientation": "actual-rows"}, {"orientation": "predicted-rows"},
                         {"form": "mcq"}, {"form": "mcq", "ask": "f1"},
                         {"form": "numeric", "ask": "recall", "orientation": "predicted-rows"}],
    "softmax": [{}, {"classes": 2}, {"classes": 5}, {"overflow": True}, {"overflow": False}],
    "sigmoid": [{}, {"ask": "value"}, {"ask": "derivative"}, {"ask": "logit"}],
    "gd_step": [{}, {"regime": "any"}, {"regime": "stable"}, {"regime": "overshoot"},
                {"regime": "diverge"}],
    "conv_output": [{}, {"ask": "size"}, {"ask": "params"}, {"ask": "params", "bias": False},
                    {"bias": True}],
    "mlp_params": [{}, {"layers": 1}, {"layers": 5}, {"bias": False}, {"bias": True}],
    "conv_shape": [{}, {"layer": "conv"}, {"layer": "pool"}, {"ask": "height"}, {"ask": "width"},
                   {"ask": "values", "layer": "pool"}],
    "momentum_step": [{}, {"ask": "w"}, {"ask": "v"}],
    "adam_step": [{}, {"t": 1}, {"t": 2}, {"t": 100}],
    "entropy": [{}, {"outcomes": 2}, {"outcomes": 5}],
    "cross_entropy": [{}, {"target": "onehot"}, {"target": "soft"}, {"ask": "ce"},
                      {"ask": "kl"}, {"ask": "kl", "target": "onehot"}, {"outcomes": 2},
                      {"outcomes": 5}],
    "dense_vs_conv_params": [{}, {"ask": "conv"}, {"ask": "dense"}],
}

ALL_CASES = [(name, params) for name, plist in CASES.items() for params in plist]


def gq(name: str, params: dict | None = None, **extra) -> GeneratedQuestion:
    return GeneratedQuestion(type="generated", id=f"q-gen-{name.replace('_', '-')}", chapter=5,
                             generator=name, params=params or {}, **extra)


def one(pattern: str, text: str) -> str:
    found = re.findall(pattern, text)
    assert len(found) >= 1, f"{pattern!r} not in {text!r}"
    assert len(set(found)) == 1, f"{pattern!r} ambiguous in {text!r}: {found}"
    return found[0]


def vector(pattern: str, text: str) -> list[float]:
    return [float(x) for x in one(pattern, text).split(", ")]


def greek(name: str, text: str) -> float:
    """``\\eta = 0.1``, possibly braced as ``{\\eta} = 0.1``."""
    return float(one(rf"\\{name}\}}? = ({NUM})", text))


# --------------------------------------------------------------------------- independent answers

def confusion_cells(text: str) -> dict[tuple[str, str], int]:
    """(actual, predicted) -> count, read from the Markdown table's own labels."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    body = [[c.strip().strip("*") for c in ln.strip("|").split("|")] for ln in lines[2:]]
    assert len(header) == 2 and len(body) == 2
    col_axis = {h.split()[0] for h in header}
    row_axis = {r[0].split()[0] for r in body}
    assert len(col_axis) == 1 and len(row_axis) == 1 and col_axis != row_axis
    assert col_axis | row_axis == {"Actual", "Predicted"}
    cells = {}
    for row in body:
        row_kind, row_class = row[0].split()
        for head, count in zip(header, row[1:]):
            _, col_class = head.split()
            actual, predicted = ((row_class, col_class) if row_kind == "Actual"
                                 else (col_class, row_class))
            cells[(actual, predicted)] = int(count)
    assert len(cells) == 4
    return cells


def rows_are_actual(text: str) -> bool:
    first_row = [ln for ln in text.splitlines() if ln.startswith("| **")][0]
    return first_row.startswith("| **Actual")


def ind_confusion_matrix(q) -> float:
    text = q.q.en
    cells = confusion_cells(text)
    # The sentence above the table must describe the same orientation as the labels.
    stated_actual = "**rows are the actual class**" in text
    assert stated_actual != ("**rows are the predicted class**" in text)
    assert stated_actual == rows_are_actual(text)
    tp = cells[("positive", "positive")]
    fp = cells[("negative", "positive")]
    fn = cells[("positive", "negative")]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    metric = one(r"What is the (precision|recall|F1 score) for", text)
    return {"precision": precision, "recall": recall,
            "F1 score": stats.hmean([precision, recall])}[metric]


def ind_softmax(q) -> float:
    text = q.q.en
    z = np.array(vector(r"logits \$z = \(([^)]*)\)\$", text))
    k = int(one(r"probability \$p_\{(\d+)\}\$", text)) - 1
    # 1 / sum_j exp(z_j - z_k): no division of exponentials, safe for logits near 1000.
    return float(1.0 / np.exp(z - z[k]).sum())


def ind_sigmoid(q) -> float:
    text = q.q.en
    if "What is the logit" in text:
        p = float(one(rf"probability \$p = ({NUM})\$", text))
        return 2 * math.atanh(2 * p - 1)                     # logit = 2 artanh(2p - 1)
    z = float(one(rf"at \$z = ({NUM})\$", text))
    if "derivative" in text:
        return 1 / (4 * math.cosh(z / 2) ** 2)               # σ' = sech²(z/2)/4
    return 0.5 * (1 + math.tanh(z / 2))                      # σ = (1 + tanh(z/2))/2


def ind_gd_step(q) -> float:
    text = q.q.en
    coef, sign, c = re.search(rf"\$f\(w\) = ({NUM})?\(w(?: ([+-]) (\d+))?\)\^2\$", text).groups()
    a = float(coef) if coef else 1.0
    c = 0.0 if sign is None else (float(c) if sign == "-" else -float(c))
    w = float(one(rf"currently \$w = ({NUM})\$", text))
    eta = greek("eta", text)

    def f(x):
        return a * (x - c) ** 2

    h = 1e-4
    slope = (f(w + h) - f(w - h)) / (2 * h)                  # exact for a quadratic
    return w - eta * slope


def ind_conv_output(q) -> float:
    text = q.q.en
    n, _, cin = (int(x) for x in one(r"input feature map is \$(\d+) \\times (\d+) \\times (\d+)\$",
                                     text))
    k = int(one(r"\$(\d+) \\times \d+\$ kernel", text))
    s = int(one(r"stride \$(\d+)\$", text))
    p = int(one(r"padding \$(\d+)\$", text))
    cout = int(one(r"\$(\d+)\$ output channels", text))
    if "width (= height) of the output" in text:
        # Count the positions where the kernel fits inside the padded input.
        return len(range(0, n + 2 * p - k + 1, s))
    weight = np.zeros((cout, cin, k, k))                     # PyTorch's Conv2d weight shape
    bias = np.zeros(cout) if "no bias" not in text else np.zeros(0)
    return weight.size + bias.size


def ind_conv_shape(q) -> float:
    """The output of a real tutor.nn layer on a zero image of the stated shape."""
    from tutor.nn import Conv2d, MaxPool2d
    text = q.q.en
    h, w, cin = (int(x) for x in one(r"input feature map is \$(\d+) \\times (\d+) \\times (\d+)\$", text))
    s = int(one(r"stride \$(\d+)\$", text))
    if "max pooling" in text:
        k = int(one(r"a \$(\d+) \\times \d+\$ max pooling", text))
        out = MaxPool2d(k, stride=s).forward(np.zeros((1, cin, h, w)))
    else:
        k = int(one(r"kernels of \$(\d+) \\times \d+\$", text))
        cout = int(one(r"has \$(\d+)\$ kernels", text))
        out = Conv2d(cin, cout, k, stride=s, padding=int(one(r"padding \$(\d+)\$", text))).forward(
            np.zeros((1, cin, h, w), np.float32))
    _, c, oh, ow = out.shape
    if "height of the output" in text:
        return oh
    if "width of the output" in text:
        return ow
    return oh * ow * c


def ind_mlp_params(q) -> float:
    text = q.q.en
    sizes = [int(x) for x in one(r"layer sizes \$([\d \\to]+)\$", text).split(" \\to ")]
    with_bias = "no biases" not in text
    # (n_in + 1) * n_out: the bias is one extra input that is always 1.
    return sum((a + with_bias) * b for a, b in zip(sizes, sizes[1:]))


def ind_momentum_step(q) -> float:
    text = q.q.en
    w = np.array([float(one(rf"Now \$w = ({NUM})\$", text))])
    v = float(one(rf"buffer is \$v = ({NUM})\$", text))
    g = float(one(rf"gradient is \$g = ({NUM})\$", text))
    opt = SGD(lr=greek("eta", text), momentum=greek("mu", text))
    # Resume the optimizer from the stated momentum buffer, then take one step.
    opt.state[""] = {"t": 1, "tmp": np.empty(1), "momentum_buffer": np.array([v])}
    opt.update(w, np.array([g]))
    if "new momentum buffer" in text:
        return float(opt.state[""]["momentum_buffer"][0])
    return float(w[0])


def ind_adam_step(q) -> float:
    text = q.q.en
    t = int(one(r"step number \$t = (\d+)\$", text))
    w = np.array([float(one(rf"Now \$w = ({NUM})\$", text))])
    g = float(one(rf"gradient is \$g = ({NUM})\$", text))
    m = float(one(rf"moments are \$m = ({NUM})\$", text))
    v = float(one(rf"\$v = ({NUM})\$. What", text))
    opt = Adam(lr=greek("eta", text), betas=(0.9, 0.999), eps=1e-8)
    opt.state[""] = {"t": t - 1, "tmp": np.empty(1), "exp_avg": np.array([m]),
                     "exp_avg_sq": np.array([v])}
    opt.update(w, np.array([g]))
    assert opt.state[""]["t"] == t
    return float(w[0])


def ind_entropy(q) -> float:
    p = vector(r"distribution \$p = \(([^)]*)\)\$", q.q.en)
    assert math.isclose(sum(p), 1.0)
    return float(stats.entropy(p))                           # natural log by default


def ind_cross_entropy(q) -> float:
    text = q.q.en
    p = np.array(vector(r"is \$p = \(([^)]*)\)\$", text))
    qq = np.array(vector(r"predicts \$q = \(([^)]*)\)\$", text))
    assert math.isclose(p.sum(), 1.0) and math.isclose(qq.sum(), 1.0)
    kl = float(stats.entropy(p, qq))                         # SciPy: KL(p || q), natural log
    if "KL divergence" in text:
        return kl
    return kl + float(stats.entropy(p))                      # H(p, q) = KL + H(p)


def ind_dense_vs_conv_params(q) -> float:
    """The parameters of real tutor.nn layers of the stated sizes."""
    from tutor.nn import Conv2d, Linear
    text = q.q.en
    h, w, c = (int(x) for x in one(r"image of \$(\d+) \\times (\d+) \\times (\d+)\$", text))
    if "(b), the convolution layer" in text:
        k = int(one(r"filters of \$(\d+) \\times \d+\$", text))
        layer = Conv2d(c, int(one(r"layer of \$(\d+)\$ filters", text)), k)
    else:
        layer = Linear(h * w * c, int(one(r"layer of \$(\d+)\$ units", text)))
    return sum(p.size for p in layer.params.values())


INDEPENDENT = {
    "confusion_matrix": ind_confusion_matrix, "softmax": ind_softmax, "sigmoid": ind_sigmoid,
    "gd_step": ind_gd_step, "conv_output": ind_conv_output, "mlp_params": ind_mlp_params,
    "conv_shape": ind_conv_shape,
    "momentum_step": ind_momentum_step, "adam_step": ind_adam_step, "entropy": ind_entropy,
    "cross_entropy": ind_cross_entropy,
    "dense_vs_conv_params": ind_dense_vs_conv_params,
}

ORDINAL_KO = {2: "둘째", 3: "셋째", 4: "넷째"}


def decimals(tolerance: float) -> int:
    return 0 if tolerance == 0 else round(-math.log10(tolerance))


def exact(x: float) -> Decimal:
    """A float as the shortest decimal that is it (what a learner would write)."""
    return Decimal(repr(float(x)))


def half_up(x: float, digits: int) -> str:
    """``x`` rounded the way 반올림 / "round to k decimals" is taught: halves away from zero."""
    return f"{exact(x).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):f}"


def is_exact_half(x: float, digits: int) -> bool:
    return abs(exact(x).scaleb(digits) % 1) == Decimal("0.5")


def check_fair_grading(q: NumericQuestion, expected: float, digits: int) -> None:
    """The key ± one unit in the last asked digit is right, ± two units wrong, and both roundings
    of the exact value (an exact half included) are right; integer answers must be exact."""
    unit = Decimal(1).scaleb(-digits)
    key = exact(q.answer).quantize(unit)
    ok = [key, exact(expected).quantize(unit, ROUND_FLOOR),
          exact(expected).quantize(unit, ROUND_CEILING)]
    near, far = [key - unit, key + unit], [key - 2 * unit, key + 2 * unit]
    (ok if digits else far).extend(near)
    for value in ok:
        assert grade(q, f"{value:f}").correct is True, (q.q.en, expected, value)
    for value in far:
        assert grade(q, f"{value:f}").correct is False, (q.q.en, expected, value)
    assert grade(q, repr(float(expected))).correct is True, (q.answer, expected)


def all_texts(q) -> list[str]:
    out = [q.q.ko, q.q.en, q.explanation.ko, q.explanation.en]
    if isinstance(q, McqQuestion):
        out += [t for c in q.choices for t in (c.ko, c.en)]
    return out


# --------------------------------------------------------------------------- the tests

def test_every_generator_has_cases_and_an_independent_check():
    assert set(CASES) == set(GENERATORS) == set(INDEPENDENT)
    for name, gen in GENERATORS.items():
        used = {(k, v if not isinstance(v, list) else tuple(v))
                for params in CASES[name] for k, v in params.items()}
        for key, spec in gen.params.items():
            if spec.choices is not None:
                missing = {c for c in spec.choices if (key, c) not in used}
                assert not missing, f"{name}: no case uses {key}={missing}"
            else:
                assert (key, spec.lo) in used and (key, spec.hi) in used, f"{name}: {key} range"


def test_the_required_generators_exist():
    required = {"confusion_matrix", "softmax", "sigmoid", "gd_step", "conv_output", "mlp_params",
                "momentum_step", "adam_step", "entropy", "cross_entropy"}
    assert required <= set(GENERATORS)


@pytest.mark.parametrize(("name", "params"), ALL_CASES,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}"
                              for n, p in ALL_CASES])
def test_answer_matches_independent_computation(name, params):
    for seed in SEEDS:
        q = generate(gq(name, params), seed)
        expected = INDEPENDENT[name](q)
        if isinstance(q, NumericQuestion):
            d = decimals(q.tolerance)
            # The answer is the exact value rounded as the question asks ...
            assert abs(q.answer - expected) <= 0.5 * 10 ** -d + 1e-9, (seed, q.q.en, expected)
            # ... and graded fairly: the exact value, either rounding, the key ± one unit.
            check_fair_grading(q, expected, d)
            if d:
                assert f"Round to {d} decimals." in q.q.en
                assert f"소수 {ORDINAL_KO[d]} 자리까지" in q.q.ko
                shown = f"{q.answer:.{d}f}"
            else:
                assert q.answer == int(q.answer)
                assert "Answer with an integer." in q.q.en and "정수로 답하세요" in q.q.ko
                shown = str(int(q.answer))
            # The explanation shows the working down to the answer itself.
            assert shown in q.explanation.en and shown in q.explanation.ko, (seed, shown)
        else:
            assert isinstance(q, McqQuestion)
            shown = [c.en for c in q.choices]
            assert len(set(shown)) == len(shown), shown
            assert float(shown[q.answer]) == pytest.approx(expected, abs=0.0005 + 1e-9)
            others = [float(s) for i, s in enumerate(shown) if i != q.answer]
            assert all(abs(o - expected) > 0.0005 for o in others)


@pytest.mark.parametrize(("name", "params"), ALL_CASES)
def test_text_renders_and_is_bilingual(name, params):
    for seed in SEEDS:
        q = generate(gq(name, params), seed)
        for text in all_texts(q):
            rendered = render_inline_math(text)
            assert "\\" not in rendered, (seed, rendered)
            assert "$" not in rendered, (seed, rendered)
            assert "{" not in rendered and "}" not in rendered, (seed, rendered)
            assert "nan" not in rendered.lower().split() and "inf" not in rendered.split()
            for sloppy in ("- -", "+ -", "· -", "-0.000 ", " --"):
                assert sloppy not in rendered, (seed, sloppy, rendered)
        for ko, en in [(q.q.ko, q.q.en), (q.explanation.ko, q.explanation.en)]:
            assert HANGUL.search(ko), ko
            # the English term beside the Korean one, with no space: 로짓(logit)
            assert not re.search(r"[\uac00-\ud7a3] \([A-Za-z]", ko), ko
            assert not HANGUL.search(en), en
            assert re.search(r"[A-Za-z]{3}", en)
            assert ko != en


def test_metadata_is_copied_from_the_bank_entry():
    entry = gq("softmax", {"classes": 3}, tags=["softmax", "logit"], difficulty="H", level=2,
               follow_up=["q05-why-logit"])
    q = generate(entry, 7)
    assert (q.id, q.chapter, q.tags, q.difficulty, q.level, q.follow_up) == (
        entry.id, 5, ["softmax", "logit"], "H", 2, ["q05-why-logit"])
    assert q.type == "numeric" and q.tolerance > 0


@pytest.mark.parametrize(("name", "params"), ALL_CASES)
def test_deterministic_for_a_seed_and_varied_across_seeds(name, params):
    entry = gq(name, params)
    for seed in (0, 1, 12345, 2**31 - 1):
        assert generate(entry, seed) == generate(entry, seed)
        assert generate(entry, seed).model_dump() == generate(entry, seed).model_dump()
    texts = {generate(entry, seed).q.en for seed in range(40)}
    assert len(texts) >= 10, f"{name} {params}: only {len(texts)} different questions in 40 seeds"


def test_confusion_matrix_is_drawn_both_ways_and_in_both_class_orders():
    seen_orientation, seen_order, seen_ask = set(), set(), set()
    for seed in SEEDS:
        text = generate(gq("confusion_matrix"), seed).q.en
        seen_orientation.add(rows_are_actual(text))
        first_row = [ln for ln in text.splitlines() if ln.startswith("| **")][0]
        seen_order.add("positive" in first_row)
        seen_ask.add(one(r"What is the (precision|recall|F1 score) for", text))
    assert seen_orientation == {True, False}
    assert seen_order == {True, False}
    assert seen_ask == {"precision", "recall", "F1 score"}


@pytest.mark.parametrize("orientation", ["actual-rows", "predicted-rows"])
def test_confusion_matrix_orientation_param_is_obeyed(orientation):
    for seed in range(60):
        q = generate(gq("confusion_matrix", {"orientation": orientation}), seed)
        assert rows_are_actual(q.q.en) == (orientation == "actual-rows")
        # The Korean question says the same thing as the English one.
        rows_ko = "**행(가로줄)이 실제 클래스**" in q.q.ko
        assert rows_ko == (orientation == "actual-rows")
        assert ("| **실제" in q.q.ko) == rows_ko


def test_confusion_matrix_reading_it_the_wrong_way_gives_the_other_metric():
    """The trap is real: transposing the table swaps precision and recall (FP ≠ FN always)."""
    for seed in SEEDS:
        q = generate(gq("confusion_matrix", {"ask": "precision"}), seed)
        cells = confusion_cells(q.q.en)
        tp, fp, fn = (cells[("positive", "positive")], cells[("negative", "positive")],
                      cells[("positive", "negative")])
        assert fp != fn
        recall = tp / (tp + fn)
        assert half_up(recall, 3) in q.explanation.en       # the explanation names the trap value
        assert grade(q, half_up(recall, 3)).correct is False   # ... and answering it is wrong


def test_confusion_matrix_mcq_offers_the_swapped_metric_as_a_distractor():
    for seed in range(100):
        q = generate(gq("confusion_matrix", {"form": "mcq", "ask": "recall"}), seed)
        cells = confusion_cells(q.q.en)
        tp, fp = cells[("positive", "positive")], cells[("negative", "positive")]
        assert half_up(tp / (tp + fp), 3) in [c.en for c in q.choices]


def test_softmax_overflow_logits_really_overflow_without_the_trick():
    for seed in range(50):
        q = generate(gq("softmax", {"overflow": True}), seed)
        z = np.array(vector(r"logits \$z = \(([^)]*)\)\$", q.q.en))
        with np.errstate(over="ignore", invalid="ignore"):
            assert not np.isfinite(np.exp(z) / np.exp(z).sum()).all()
        assert "max" in q.explanation.en


@pytest.mark.parametrize(("regime", "lo", "hi"), [("stable", 0, 1), ("overshoot", 1, 2),
                                                  ("diverge", 2, 99)])
def test_gd_step_regimes_move_as_named(regime, lo, hi):
    for seed in range(100):
        q = generate(gq("gd_step", {"regime": regime}), seed)
        text = q.q.en
        coef, sign, c = re.search(rf"\$f\(w\) = ({NUM})?\(w(?: ([+-]) (\d+))?\)\^2\$",
                                  text).groups()
        c = 0.0 if sign is None else (float(c) if sign == "-" else -float(c))
        w = float(one(rf"currently \$w = ({NUM})\$", text))
        ratio = (ind_gd_step(q) - c) / (w - c)      # distance to the minimum scales by 1 - 2aη
        if regime == "stable":
            assert 0 < ratio < 1
        elif regime == "overshoot":
            assert -1 < ratio < 0
        else:
            assert ratio < -1


def test_adam_first_step_is_about_the_learning_rate():
    for seed in range(100):
        q = generate(gq("adam_step", {"t": 1}), seed)
        w = float(one(rf"Now \$w = ({NUM})\$", q.q.en))
        eta = greek("eta", q.q.en)
        assert abs(abs(ind_adam_step(q) - w) - eta) < 1e-6


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma_numerically():
    for seed in range(100):
        q = generate(gq("sigmoid", {"ask": "derivative"}), seed)
        z = float(one(rf"at \$z = ({NUM})\$", q.q.en))
        h = 1e-5

        def sig(x):
            return 1 / (1 + math.exp(-x))

        assert (sig(z + h) - sig(z - h)) / (2 * h) == pytest.approx(ind_sigmoid(q), abs=1e-9)


# --------------------------------------------------------------------------- check_generator

def test_check_generator_accepts_every_case():
    for name, params in ALL_CASES:
        assert check_generator(name, params) is None, (name, params)


def test_unknown_generator_names_the_known_ones():
    msg = check_generator("confusion_matrx", {})
    assert msg is not None and "unknown generator 'confusion_matrx'" in msg
    for name in GENERATORS:
        assert name in msg
    assert "\n" not in msg


@pytest.mark.parametrize(("name", "params", "words"), [
    ("softmax", {"temperature": 2}, ["unknown parameter 'temperature'", "classes", "overflow"]),
    ("confusion_matrix", {"ask": "accuracy"}, ["'ask'", "accuracy", "precision, recall, f1"]),
    ("confusion_matrix", {"orientation": "rows"}, ["'orientation'", "actual-rows"]),
    ("softmax", {"classes": 1}, ["'classes'", "2 to 5"]),
    ("softmax", {"classes": "3"}, ["'classes'", "integer"]),
    ("softmax", {"classes": True}, ["'classes'", "integer"]),
    ("softmax", {"overflow": "yes"}, ["'overflow'", "true, false"]),
    ("softmax", {"overflow": 1}, ["'overflow'", "true, false"]),
    ("adam_step", {"t": 0}, ["'t'", "1 to 100"]),
    ("mlp_params", {"layers": 6}, ["'layers'"]),
    ("gd_step", {"regime": "chaos"}, ["'regime'", "stable"]),
    ("cross_entropy", {"ask": "entropy"}, ["'ask'", "ce, kl"]),
])
def test_check_generator_rejects_bad_params_clearly(name, params, words):
    msg = check_generator(name, params)
    assert msg is not None
    assert msg.startswith(f"generator '{name}'")
    assert "\n" not in msg
    for word in words:
        assert word in msg, (word, msg)


def test_generate_refuses_what_check_generator_rejects():
    with pytest.raises(ValueError, match="unknown parameter"):
        generate(gq("softmax", {"temperature": 2}), 0)
    with pytest.raises(ValueError, match="unknown generator"):
        generate(gq("nope"), 0)


def test_exact_halves_occur_are_keyed_half_up_and_both_roundings_are_right():
    """41/80 = 0.5125 asked to 3 decimals: the key is 0.513 (반올림), and 0.512 is right too."""
    halves = 0
    for seed in SEEDS:
        for ask in ("precision", "recall"):
            q = generate(gq("confusion_matrix", {"ask": ask}), seed)
            value = ind_confusion_matrix(q)
            if not is_exact_half(value, 3):
                continue
            halves += 1
            assert f"{q.answer:.3f}" == half_up(value, 3), (value, q.answer)
            assert half_up(value, 3) in q.explanation.en and half_up(value, 3) in q.explanation.ko
            down = exact(value).quantize(Decimal("0.001"), ROUND_FLOOR)
            assert grade(q, half_up(value, 3)).correct is True
            assert grade(q, f"{down:f}").correct is True, (value, down)
    assert halves >= 5, halves
