"""Named question generators: fresh numbers from a seed, a worked explanation, a known answer.

A quiz bank entry of ``type: generated`` names a generator and optional ``params``; at quiz time
:func:`generate` turns it into an ordinary :class:`NumericQuestion` (or :class:`McqQuestion`) with
both languages, the rounding stated in the question and the working shown in the explanation.

Pure standard library: ``random.Random(seed)`` draws the numbers, ``math`` computes the answers.
``tests/content/test_generators.py`` recomputes every answer independently on hundreds of seeds.

Conventions stated in the questions themselves:
- confusion matrix: drawn with rows = actual *or* rows = predicted (chosen at random, labelled),
  and with the positive class first or second — the trap the course warns about;
- momentum: PyTorch's ``v ← μv + g, w ← w − ηv`` (no (1−μ) factor);
- Adam: PyTorch's, with bias correction, ``β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸``;
- entropy and cross-entropy: natural log (nats).
"""

from __future__ import annotations

import math
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import GeneratedQuestion, McqQuestion, NumericQuestion

__all__ = ["GENERATORS", "Generator", "Param", "check_generator", "generate"]


# --------------------------------------------------------------------------- registry types

@dataclass(frozen=True)
class Param:
    """One parameter a bank may set: either one of ``choices`` or an int in ``[lo, hi]``."""

    help: str
    choices: tuple[Any, ...] | None = None
    lo: int | None = None
    hi: int | None = None

    def problem(self, value: Any) -> str | None:
        if self.choices is not None:
            if value not in self.choices or isinstance(value, bool) != any(
                    isinstance(c, bool) for c in self.choices):
                return f"expected one of: {', '.join(_show(c) for c in self.choices)}"
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer from {self.lo} to {self.hi}"
        if not self.lo <= value <= self.hi:
            return f"expected an integer from {self.lo} to {self.hi}"
        return None


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Numeric:
    q: tuple[str, str]            # (ko, en)
    explanation: tuple[str, str]
    answer: float
    tolerance: float
    unit: str | None = None


@dataclass(frozen=True)
class Choice:
    q: tuple[str, str]
    explanation: tuple[str, str]
    choices: list[tuple[str, str]]
    answer: int


@dataclass(frozen=True)
class Generator:
    name: str
    summary: str
    make: Callable[[random.Random, dict[str, Any]], Numeric | Choice]
    params: dict[str, Param] = field(default_factory=dict)


GENERATORS: dict[str, Generator] = {}


def _register(name: str, summary: str, **params: Param):
    def wrap(fn):
        GENERATORS[name] = Generator(name, summary, fn, dict(params))
        return fn
    return wrap


def check_generator(name: str, params: dict) -> str | None:
    """None when ``name`` and ``params`` are usable, else a one-line message naming the problem."""
    gen = GENERATORS.get(name)
    if gen is None:
        return f"unknown generator {name!r} (known: {', '.join(sorted(GENERATORS))})"
    if not isinstance(params, dict):
        return f"generator {name!r}: params must be a mapping"
    for key, value in params.items():
        spec = gen.params.get(key)
        if spec is None:
            known = ", ".join(sorted(gen.params)) or "none"
            return f"generator {name!r}: unknown parameter {key!r} (known: {known})"
        problem = spec.problem(value)
        if problem:
            return f"generator {name!r}: bad value {value!r} for {key!r} ({problem})"
    return None


_GREEK_BEFORE_EQ = re.compile(r"(\\(?:alpha|beta|eta|mu|epsilon|lambda)) =")


def _tidy(text: str) -> str:
    """``\\eta = 0.1`` renders as ``η= 0.1`` (LaTeX eats the space after a command); brace it."""
    return _GREEK_BEFORE_EQ.sub(r"{\1} =", text)


def generate(question: GeneratedQuestion, seed: int) -> NumericQuestion | McqQuestion:
    """A concrete question made from ``random.Random(seed)``; same seed, same question."""
    problem = check_generator(question.generator, dict(question.params))
    if problem:
        raise ValueError(f"{question.id}: {problem}")
    gen = GENERATORS[question.generator]
    made = gen.make(random.Random(seed), dict(question.params))
    common = dict(
        id=question.id, chapter=question.chapter, tags=list(question.tags),
        difficulty=question.difficulty, level=question.level,
        follow_up=list(question.follow_up),
        q={"ko": _tidy(made.q[0]), "en": _tidy(made.q[1])},
        explanation={"ko": _tidy(made.explanation[0]), "en": _tidy(made.explanation[1])},
    )
    if isinstance(made, Numeric):
        return NumericQuestion(type="numeric", answer=made.answer, tolerance=made.tolerance,
                               unit=made.unit, **common)
    return McqQuestion(type="mcq", choices=[{"ko": ko, "en": en} for ko, en in made.choices],
                       answer=made.answer, **common)


# --------------------------------------------------------------------------- formatting helpers

_ORDINAL_KO = {0: "", 1: "첫째", 2: "둘째", 3: "셋째", 4: "넷째", 5: "다섯째"}


def fixed(x: float, digits: int) -> str:
    """``x`` rounded half up (반올림, as the questions ask) to ``digits`` decimals, never ``-0.000``.

    Rounds the shortest decimal that is ``x`` (its ``repr``), so 41/80 = 0.5125 gives 0.513, where
    binary formatting gives 0.512; the grader accepts either rounding of such a half.
    """
    text = f"{Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def num(x: float) -> str:
    """A given number as short as it is exact: 2, 0.1, -1.5 (never 2.0 or 0.30000000000000004)."""
    if float(x).is_integer():
        return str(int(x))
    return f"{round(x, 10):.10f}".rstrip("0")


def par(x: float) -> str:
    """A number inside a formula: negative numbers in brackets."""
    return f"({num(x)})" if x < 0 else num(x)


def rounding(digits: int) -> tuple[str, str]:
    if digits == 0:
        return "정수로 답하세요.", "Answer with an integer."
    return (f"소수 {_ORDINAL_KO[digits]} 자리까지 반올림해 답하세요.",
            f"Round to {digits} decimals.")


def numeric(q: tuple[str, str], ex: tuple[str, str], value: float, digits: int,
            unit: str | None = None) -> Numeric:
    """A numeric question whose answer is ``value`` rounded as the text asks.

    The tolerance is one unit in the last asked digit (``tutor.practice.grading`` compares in
    decimal), so a learner who rounded an intermediate value, or rounded an exact half the other
    way, is not marked wrong; integer answers must be exact.
    """
    ko_r, en_r = rounding(digits)
    answer = float(fixed(value, digits))
    tolerance = float(Decimal(1).scaleb(-digits)) if digits else 0.0
    return Numeric((f"{q[0]} {ko_r}", f"{q[1]} {en_r}"), ex, answer, tolerance, unit)


def _pick(rng: random.Random, params: dict, key: str, options: tuple) -> Any:
    return params[key] if key in params else rng.choice(options)


# --------------------------------------------------------------------------- confusion matrix

_SCENARIOS = [
    ("스팸 필터를 이메일로 시험했습니다 (양성 = 스팸).",
     "A spam filter was tested on emails (positive = spam)."),
    ("질병 선별 검사를 환자들에게 시험했습니다 (양성 = 질병 있음).",
     "A disease screening test was tried on patients (positive = has the disease)."),
    ("카드 거래의 사기 탐지 모델을 평가했습니다 (양성 = 사기).",
     "A fraud detector was evaluated on card transactions (positive = fraud)."),
    ("공장 불량품 검출 모델을 평가했습니다 (양성 = 불량).",
     "A defect detector was evaluated on factory parts (positive = defective)."),
]

_METRIC = {   # Korean name with its topic particle, English name
    "precision": ("정밀도(precision)는", "precision"),
    "recall": ("재현율(recall)은", "recall"),
    "f1": ("F1 점수(F1 score)는", "F1 score"),
}


def _cm_counts(rng: random.Random) -> dict[str, int]:
    while True:
        c = {"tp": rng.randint(5, 90), "fp": rng.randint(1, 40),
             "fn": rng.randint(1, 40), "tn": rng.randint(5, 120)}
        if c["fp"] != c["fn"]:          # otherwise precision = recall and the trap is invisible
            return c


def _cm_metrics(c: dict[str, int]) -> dict[str, float]:
    precision = c["tp"] / (c["tp"] + c["fp"])
    recall = c["tp"] / (c["tp"] + c["fn"])
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]),
        "accuracy": (c["tp"] + c["tn"]) / sum(c.values()),
        "specificity": c["tn"] / (c["tn"] + c["fp"]),
        "mean": (precision + recall) / 2,
    }


def _cm_table(c: dict[str, int], rows_actual: bool, positive_first: bool) -> tuple[str, str]:
    order = ["pos", "neg"] if positive_first else ["neg", "pos"]
    word = {"pos": ("양성", "positive"), "neg": ("음성", "negative")}
    count = {("pos", "pos"): c["tp"], ("neg", "pos"): c["fp"],   # (actual, predicted)
             ("pos", "neg"): c["fn"], ("neg", "neg"): c["tn"]}
    row_ko, row_en, col_ko, col_en = (("실제", "Actual", "예측", "Predicted") if rows_actual
                                      else ("예측", "Predicted", "실제", "Actual"))
    tables = []
    for lang, (row_word, col_word) in enumerate([(row_ko, col_ko), (row_en, col_en)]):
        lines = ["| | " + " | ".join(f"{col_word} {word[k][lang]}" for k in order) + " |",
                 "|---|---|---|"]
        for r in order:
            cells = [count[(r, k)] if rows_actual else count[(k, r)] for k in order]
            lines.append(f"| **{row_word} {word[r][lang]}** | "
                         + " | ".join(str(x) for x in cells) + " |")
        tables.append("\n".join(lines))
    return tables[0], tables[1]


@_register(
    "confusion_matrix",
    "precision, recall or F1 from a 2×2 confusion matrix drawn either way round",
    ask=Param("which metric to ask", choices=("precision", "recall", "f1")),
    orientation=Param("rows = actual or rows = predicted (default: random)",
                      choices=("actual-rows", "predicted-rows")),
    form=Param("numeric answer or multiple choice with the swapped metric as a distractor",
               choices=("numeric", "mcq")),
)
def _confusion_matrix(rng: random.Random, params: dict) -> Numeric | Choice:
    ask = _pick(rng, params, "ask", ("precision", "recall", "f1"))
    orientation = _pick(rng, params, "orientation", ("actual-rows", "predicted-rows"))
    rows_actual = orientation == "actual-rows"
    positive_first = rng.random() < 0.5
    form = params.get("form", "numeric")
    scenario = rng.choice(_SCENARIOS)
    while True:
        c = _cm_counts(rng)
        m = _cm_metrics(c)
        if form == "numeric":
            break
        distractors = {"precision": ["recall", "accuracy", "specificity"],
                       "recall": ["precision", "accuracy", "specificity"],
                       "f1": ["mean", "accuracy", "precision"]}[ask]
        shown = [fixed(m[k], 3) for k in [ask, *distractors]]
        if len(set(shown)) == len(shown):
            break
    table_ko, table_en = _cm_table(c, rows_actual, positive_first)
    orient_ko = ("**행(가로줄)이 실제 클래스**, **열(세로줄)이 예측 클래스**" if rows_actual
                 else "**행(가로줄)이 예측 클래스**, **열(세로줄)이 실제 클래스**")
    orient_en = ("**rows are the actual class** and **columns the predicted class**" if rows_actual
                 else "**rows are the predicted class** and **columns the actual class**")
    metric_ko, metric_en = _METRIC[ask]
    q_ko = (f"{scenario[0]} 아래 혼동 행렬(confusion matrix)은 {orient_ko}입니다.\n\n{table_ko}\n\n"
            f"양성 클래스의 {metric_ko} 얼마입니까?")
    q_en = (f"{scenario[1]} In the confusion matrix below, {orient_en}.\n\n{table_en}\n\n"
            f"What is the {metric_en} for the positive class?")

    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    where_fp_ko = "실제 음성인데 양성으로 예측"
    where_fn_ko = "실제 양성인데 음성으로 예측"
    read_ko = (f"행이 {'실제' if rows_actual else '예측'}, 열이 {'예측' if rows_actual else '실제'}이므로 "
               f"TP = {tp} (실제 양성·예측 양성), FP = {fp} ({where_fp_ko}), "
               f"FN = {fn} ({where_fn_ko})입니다.")
    read_en = (f"Rows are {'actual' if rows_actual else 'predicted'}, columns "
               f"{'predicted' if rows_actual else 'actual'}, so TP = {tp} (actual positive, "
               f"predicted positive), FP = {fp} (actually negative, predicted positive) and "
               f"FN = {fn} (actually positive, predicted negative).")
    p_line = f"$\\frac{{TP}}{{TP + FP}} = \\frac{{{tp}}}{{{tp} + {fp}}} = {fixed(m['precision'], 3)}$"
    r_line = f"$\\frac{{TP}}{{TP + FN}} = \\frac{{{tp}}}{{{tp} + {fn}}} = {fixed(m['recall'], 3)}$"
    if ask == "precision":
        work_ko = f"정밀도 = {p_line}."
        work_en = f"Precision = {p_line}."
        trap_ko = (f"행과 열을 바꿔 읽으면 FP와 FN이 뒤바뀌어 재현율({fixed(m['recall'], 3)})을 "
                   f"정밀도로 잘못 답하게 됩니다.")
        trap_en = (f"Read the other way round, FP and FN swap and you would answer the recall, "
                   f"{fixed(m['recall'], 3)}, instead.")
    elif ask == "recall":
        work_ko = f"재현율 = {r_line}."
        work_en = f"Recall = {r_line}."
        trap_ko = (f"행과 열을 바꿔 읽으면 FP와 FN이 뒤바뀌어 정밀도({fixed(m['precision'], 3)})를 "
                   f"재현율로 잘못 답하게 됩니다.")
        trap_en = (f"Read the other way round, FP and FN swap and you would answer the precision, "
                   f"{fixed(m['precision'], 3)}, instead.")
    else:
        f1_line = (f"$F_1 = \\frac{{2TP}}{{2TP + FP + FN}} = \\frac{{{2 * tp}}}{{{2 * tp} + {fp} + {fn}}}"
                   f" = {fixed(m['f1'], 3)}$")
        work_ko = (f"정밀도 = {p_line}, 재현율 = {r_line}이고, F1은 둘의 조화 평균 "
                   f"$\\frac{{2PR}}{{P + R}}$이므로 {f1_line}입니다.")
        work_en = (f"Precision = {p_line}, recall = {r_line}, and F1 is their harmonic mean "
                   f"$\\frac{{2PR}}{{P + R}}$, so {f1_line}.")
        trap_ko = ("F1은 FP와 FN에 대칭이라 표를 뒤집어 읽어도 값이 같지만, 정밀도와 재현율은 서로 "
                   "뒤바뀝니다.")
        trap_en = ("F1 is symmetric in FP and FN, so reading the table the wrong way round gives "
                   "the same F1 — but precision and recall trade places.")
    ex_ko = (f"{read_ko} {work_ko} {trap_ko} 자료마다 혼동 행렬의 방향이 다르므로 "
             f"항상 라벨부터 확인하세요.")
    ex_en = (f"{read_en} {work_en} {trap_en} Sources draw confusion matrices both ways, so "
             f"always read the labels first.")
    if form == "numeric":
        return numeric((q_ko, q_en), (ex_ko, ex_en), m[ask], 3)
    values = [ask, *distractors]
    rng.shuffle(values)
    choices = [(fixed(m[k], 3), fixed(m[k], 3)) for k in values]
    return Choice((q_ko + "\n\n보기는 소수 셋째 자리까지 반올림한 값입니다.",
                   q_en + "\n\nThe choices are rounded to 3 decimals."),
                  (ex_ko, ex_en), choices, values.index(ask))


# --------------------------------------------------------------------------- softmax

def _distinct_decimals(rng: random.Random, k: int, lo: float, hi: float) -> list[float]:
    while True:
        values = [round(rng.uniform(lo, hi), 1) for _ in range(k)]
        if len(set(values)) == k:
            return [v + 0.0 for v in values]        # no -0.0


@_register(
    "softmax",
    "one class's softmax probability for given logits (optionally with the overflow trick)",
    classes=Param("number of classes", lo=2, hi=5),
    overflow=Param("logits near 1000, so e^z overflows and the max must be subtracted",
                   choices=(True, False)),
)
def _softmax(rng: random.Random, params: dict) -> Numeric:
    k = params.get("classes", rng.choice((3, 4)))
    overflow = params.get("overflow", False)
    if overflow:
        base = rng.choice((800, 1000, 1200))   # e^z overflows float64 above z ≈ 709.8
        z = [base + d for d in _distinct_decimals(rng, k, -3.0, 3.0)]
        z = [round(v, 1) + 0.0 for v in z]
    else:
        z = _distinct_decimals(rng, k, -3.0, 3.0)
    target = rng.randrange(k)
    shift = max(z) if overflow else 0.0
    exps = [math.exp(v - shift) for v in z]
    total = sum(exps)
    p = exps[target] / total
    zs = ", ".join(num(v) for v in z)
    cls = target + 1
    q_ko = (f"{k}개 클래스의 로짓(logit)이 $z = ({zs})$입니다 (클래스 1부터 차례로). "
            f"소프트맥스(softmax)를 적용했을 때 클래스 {cls}의 확률 $p_{{{cls}}}$는 얼마입니까?")
    q_en = (f"A {k}-class model outputs the logits $z = ({zs})$ (classes 1 to {k} in order). "
            f"After softmax, what is the probability $p_{{{cls}}}$ of class {cls}?")
    if overflow:
        d = [num(round(v - shift, 1) + 0.0) for v in z]
        terms = " + ".join(f"{e:.4f}" for e in exps)
        ex_ko = (f"$e^{{{num(z[0])}}}$ 같은 값은 float64의 최댓값(약 $1.8 \\times 10^{{308}}$)을 넘어 "
                 f"오버플로됩니다. 모든 로짓에서 같은 값, 최댓값 $m = \\max_j z_j = {num(shift)}$만큼을 빼도 "
                 f"$\\frac{{e^{{z_k - m}}}}{{\\sum_j e^{{z_j - m}}}} = \\frac{{e^{{z_k}}}}{{\\sum_j e^{{z_j}}}}$라서 "
                 f"확률은 그대로입니다. $z - m = ({', '.join(d)})$이고, 지수는 $({terms})$, "
                 f"합은 ${total:.4f}$이므로 $p_{{{cls}}} = \\frac{{{exps[target]:.4f}}}{{{total:.4f}}} = "
                 f"{fixed(p, 3)}$입니다.")
        ex_en = (f"A value such as $e^{{{num(z[0])}}}$ overflows float64 (its maximum is about "
                 f"$1.8 \\times 10^{{308}}$). Subtracting the same $m = \\max_j z_j = {num(shift)}$ "
                 f"from every logit changes nothing, because "
                 f"$\\frac{{e^{{z_k - m}}}}{{\\sum_j e^{{z_j - m}}}} = \\frac{{e^{{z_k}}}}{{\\sum_j e^{{z_j}}}}$. "
                 f"Now $z - m = ({', '.join(d)})$, the exponentials are $({terms})$, their sum is "
                 f"${total:.4f}$, so $p_{{{cls}}} = \\frac{{{exps[target]:.4f}}}{{{total:.4f}}} = "
                 f"{fixed(p, 3)}$.")
    else:
        terms = ", ".join(f"e^{{{num(v)}}} = {e:.4f}" for v, e in zip(z, exps))
        ex_ko = (f"소프트맥스는 $p_k = \\frac{{e^{{z_k}}}}{{\\sum_j e^{{z_j}}}}$입니다. "
                 f"${terms}$이고 합은 ${total:.4f}$이므로 "
                 f"$p_{{{cls}}} = \\frac{{{exps[target]:.4f}}}{{{total:.4f}}} = {fixed(p, 3)}$입니다. "
                 f"로짓이 가장 큰 클래스가 가장 큰 확률을 받지만, 확률은 로짓에 비례하지 않고 "
                 f"로짓의 **차이**에 지수적으로 반응합니다.")
        ex_en = (f"Softmax is $p_k = \\frac{{e^{{z_k}}}}{{\\sum_j e^{{z_j}}}}$. "
                 f"${terms}$, their sum is ${total:.4f}$, so "
                 f"$p_{{{cls}}} = \\frac{{{exps[target]:.4f}}}{{{total:.4f}}} = {fixed(p, 3)}$. "
                 f"The largest logit gets the largest probability, but probabilities are not "
                 f"proportional to logits: they respond exponentially to logit **differences**.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), p, 3)


# --------------------------------------------------------------------------- sigmoid

@_register(
    "sigmoid",
    "σ(z), its derivative σ'(z), or the logit of a probability",
    ask=Param("value: σ(z); derivative: σ'(z); logit: z for a given p",
              choices=("value", "derivative", "logit")),
)
def _sigmoid(rng: random.Random, params: dict) -> Numeric:
    ask = _pick(rng, params, "ask", ("value", "derivative", "logit"))
    if ask == "logit":
        p = rng.choice([i / 100 for i in range(2, 99) if i != 50])
        z = math.log(p / (1 - p))
        q_ko = (f"이진 분류 모델이 출력한 양성 클래스의 확률이 $p = {num(p)}$입니다. 시그모이드(sigmoid) "
                f"직전의 값, 즉 로짓(logit) $z$는 얼마입니까? (자연로그)")
        q_en = (f"A binary classifier outputs the probability $p = {num(p)}$ for the positive class. "
                f"What is the logit $z$, the value before the sigmoid? (natural log)")
        sign_ko = "양수" if z > 0 else "음수"
        ex_ko = (f"로짓은 시그모이드의 역함수, 즉 로그 오즈(log-odds)입니다: "
                 f"$z = \\ln(\\frac{{p}}{{1 - p}}) = \\ln(\\frac{{{num(p)}}}{{{num(round(1 - p, 2))}}}) = "
                 f"{fixed(z, 3)}$. $p {'>' if p > 0.5 else '<'} 0.5$이므로 로짓은 {sign_ko}입니다. "
                 f"확률은 0과 1 사이에 갇혀 있지만 로짓은 실수 전체를 움직입니다.")
        ex_en = (f"The logit is the inverse of the sigmoid, the log-odds: "
                 f"$z = \\ln(\\frac{{p}}{{1 - p}}) = \\ln(\\frac{{{num(p)}}}{{{num(round(1 - p, 2))}}}) = "
                 f"{fixed(z, 3)}$. Since $p {'>' if p > 0.5 else '<'} 0.5$ the logit is "
                 f"{'positive' if z > 0 else 'negative'}. A probability is stuck between 0 and 1; "
                 f"a logit ranges over all real numbers.")
        return numeric((q_ko, q_en), (ex_ko, ex_en), z, 3)

    z = round(rng.uniform(-5, 5), 1) + 0.0
    s = 1 / (1 + math.exp(-z))
    value_line = (f"$\\sigma({num(z)}) = \\frac{{1}}{{1 + e^{{{num(-z + 0.0)}}}}} = "
                  f"\\frac{{1}}{{1 + {math.exp(-z):.4f}}} = {s:.4f}$")
    if ask == "value":
        q_ko = f"시그모이드(sigmoid) 함수 $\\sigma(z) = \\frac{{1}}{{1 + e^{{-z}}}}$에서 $z = {num(z)}$일 때의 값은 얼마입니까?"
        q_en = f"What is the value of the sigmoid $\\sigma(z) = \\frac{{1}}{{1 + e^{{-z}}}}$ at $z = {num(z)}$, $\\sigma({num(z)})$?"
        ex_ko = (f"{value_line}. 반올림하면 ${fixed(s, 3)}$입니다. "
                 f"$z {'>' if z > 0 else '<' if z < 0 else '='} 0$이므로 "
                 f"$\\sigma(z) {'>' if z > 0 else '<' if z < 0 else '='} 0.5$입니다.")
        ex_en = (f"{value_line}, which rounds to ${fixed(s, 3)}$. Since "
                 f"$z {'>' if z > 0 else '<' if z < 0 else '='} 0$, "
                 f"$\\sigma(z) {'>' if z > 0 else '<' if z < 0 else '='} 0.5$.")
        return numeric((q_ko, q_en), (ex_ko, ex_en), s, 3)

    d = s * (1 - s)
    q_ko = (f"시그모이드의 도함수 $\\sigma'(z)$를 $z = {num(z)}$에서 구하세요.")
    q_en = f"What is the derivative of the sigmoid, $\\sigma'(z)$, at $z = {num(z)}$?"
    ex_ko = (f"$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$입니다. {value_line}이므로 "
             f"$\\sigma'({num(z)}) = {s:.4f} \\times {1 - s:.4f} = {fixed(d, 4)}$입니다. "
             f"최댓값도 $z = 0$에서 $0.25$뿐이라, 시그모이드 층을 여러 개 거치면 곱해진 기울기가 "
             f"빠르게 작아집니다 — 기울기 소실(vanishing gradient)의 원인입니다.")
    ex_en = (f"$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$. {value_line}, so "
             f"$\\sigma'({num(z)}) = {s:.4f} \\times {1 - s:.4f} = {fixed(d, 4)}$. "
             f"Even its maximum, at $z = 0$, is only $0.25$, so through many sigmoid layers the "
             f"multiplied gradients shrink fast — the vanishing gradient.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), d, 4)


# --------------------------------------------------------------------------- gradient descent

_ETAS = (0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75)


@_register(
    "gd_step",
    "one gradient-descent step on f(w) = a(w − c)²",
    regime=Param("stable: 2aη < 1; overshoot: 1 < 2aη < 2; diverge: 2aη > 2 (default: any)",
                 choices=("any", "stable", "overshoot", "diverge")),
)
def _gd_step(rng: random.Random, params: dict) -> Numeric:
    regime = params.get("regime", "any")
    tests = {"any": lambda r: True, "stable": lambda r: r < 1,
             "overshoot": lambda r: 1 < r < 2, "diverge": lambda r: r > 2}[regime]
    while True:
        a = rng.choice((0.5, 1, 1.5, 2, 2.5, 3))
        eta = rng.choice(_ETAS)
        if tests(2 * a * eta) and 2 * a * eta not in (1, 2):
            break
    c = rng.randint(-3, 3)
    while True:
        w = round(rng.uniform(-5, 5), 1) + 0.0
        if abs(w - c) >= 0.5:
            break
    grad = 2 * a * (w - c)
    w_new = w - eta * grad
    wc = "w" if c == 0 else (f"w - {c}" if c > 0 else f"w + {-c}")
    coef = "" if a == 1 else num(a)
    q_ko = (f"손실 $f(w) = {coef}({wc})^2$에서 현재 $w = {num(w)}$입니다. 학습률(learning rate) "
            f"$\\eta = {num(eta)}$로 경사 하강법(gradient descent)을 한 번 적용한 뒤의 $w$는 얼마입니까?")
    q_en = (f"The loss is $f(w) = {coef}({wc})^2$ and currently $w = {num(w)}$. "
            f"After one gradient-descent step with learning rate $\\eta = {num(eta)}$, what is $w$?")
    factor = 1 - 2 * a * eta
    r = 2 * a * eta
    if r < 1:
        verdict_ko, verdict_en = ("최솟값 쪽으로 다가가되 넘어가지 않습니다",
                                  "it moves towards the minimum without crossing it")
    elif r < 2:
        verdict_ko, verdict_en = ("최솟값을 넘어가 반대편으로 가지만 거리는 줄어듭니다 (진동하며 수렴)",
                                  "it jumps past the minimum but lands closer (oscillating convergence)")
    else:
        verdict_ko, verdict_en = ("최솟값에서 오히려 멀어집니다 — 학습률이 너무 커서 발산합니다",
                                  "it ends up farther from the minimum — the learning rate is too "
                                  "large and the iteration diverges")
    ex_ko = (f"$f'(w) = 2a(w - c) = 2 \\cdot {num(a)} \\cdot ({num(w)} - {par(c)}) = {num(round(grad, 10))}$이고, "
             f"$w \\leftarrow w - \\eta f'(w) = {num(w)} - {num(eta)} \\cdot {par(round(grad, 10))} = "
             f"{fixed(w_new, 3)}$입니다. 최솟값 $c = {num(c)}$까지의 거리는 한 걸음마다 "
             f"$1 - 2a\\eta = {num(round(factor, 10))}$배가 되므로, {verdict_ko}.")
    ex_en = (f"$f'(w) = 2a(w - c) = 2 \\cdot {num(a)} \\cdot ({num(w)} - {par(c)}) = {num(round(grad, 10))}$, so "
             f"$w \\leftarrow w - \\eta f'(w) = {num(w)} - {num(eta)} \\cdot {par(round(grad, 10))} = "
             f"{fixed(w_new, 3)}$. Each step multiplies the distance to the minimum $c = {num(c)}$ by "
             f"$1 - 2a\\eta = {num(round(factor, 10))}$, so {verdict_en}.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), w_new, 3)


# --------------------------------------------------------------------------- conv layer

@_register(
    "conv_output",
    "output size or parameter count of a 2-D convolution layer",
    ask=Param("size: output width (= height); params: weights + biases",
              choices=("size", "params")),
    bias=Param("whether the layer has a bias per output channel (default: true)",
               choices=(True, False)),
)
def _conv_output(rng: random.Random, params: dict) -> Numeric:
    ask = _pick(rng, params, "ask", ("size", "params"))
    bias = params.get("bias", True)
    while True:
        n = rng.choice((7, 8, 14, 15, 28, 31, 32, 56, 64, 100, 224, 227))
        k = rng.choice((1, 3, 3, 5, 7, 11))
        s = rng.choice((1, 1, 2, 2, 3, 4))
        p = rng.choice((0, 0, 1, 1, 2, 3))
        if n + 2 * p >= k and k <= n:
            break
    cin = rng.choice((1, 3, 16, 32, 64))
    cout = rng.choice((6, 8, 16, 32, 64, 96, 128))
    out = (n + 2 * p - k) // s + 1
    weights = k * k * cin * cout
    total = weights + (cout if bias else 0)
    bias_ko = "편향(bias)이 출력 채널마다 하나씩 있습니다" if bias else "편향(bias)은 없습니다"
    bias_en = "one bias per output channel" if bias else "no bias"
    given_ko = (f"입력 특성 맵(feature map)이 ${n} \\times {n} \\times {cin}$ (가로 × 세로 × 채널)이고, "
                f"합성곱(convolution) 층의 커널(kernel)은 ${k} \\times {k}$, 스트라이드(stride) ${s}$, "
                f"패딩(padding) ${p}$, 출력 채널 ${cout}$개이며 {bias_ko}.")
    given_en = (f"The input feature map is ${n} \\times {n} \\times {cin}$ (width × height × channels); "
                f"the convolution layer has a ${k} \\times {k}$ kernel, stride ${s}$, padding ${p}$, "
                f"${cout}$ output channels and {bias_en}.")
    floor_ko = "" if (n + 2 * p - k) % s == 0 else " (나누어떨어지지 않으면 버림: 마지막 칸에 커널이 다 들어가지 않기 때문입니다)"
    floor_en = "" if (n + 2 * p - k) % s == 0 else " (rounded down: the kernel does not fit a last partial position)"
    size_line = (f"$\\frac{{n + 2p - k}}{{s}} + 1 = \\frac{{{n} + 2 \\cdot {p} - {k}}}{{{s}}} + 1 = "
                 f"{out}$")
    param_line = (f"$k \\cdot k \\cdot C_{{in}} \\cdot C_{{out}}{' + C_{out}' if bias else ''} = "
                  f"{k} \\cdot {k} \\cdot {cin} \\cdot {cout}{f' + {cout}' if bias else ''} = {total}$")
    if ask == "size":
        q_ko = f"{given_ko} 출력 특성 맵의 가로 크기(= 세로 크기)는 얼마입니까?"
        q_en = f"{given_en} What is the width (= height) of the output feature map?"
        ex_ko = (f"출력 크기 = {size_line}{floor_ko}. 출력은 ${out} \\times {out} \\times {cout}$입니다. "
                 f"채널 수는 커널 개수(출력 채널 수)가 정합니다.")
        ex_en = (f"Output size = {size_line}{floor_en}. The output is "
                 f"${out} \\times {out} \\times {cout}$: the number of kernels (output channels) sets "
                 f"the depth.")
        return numeric((q_ko, q_en), (ex_ko, ex_en), out, 0)
    q_ko = f"{given_ko} 이 층의 학습 파라미터 수는 몇 개입니까?"
    q_en = f"{given_en} How many trainable parameters does the layer have?"
    ex_ko = (f"커널 하나는 ${k} \\times {k} \\times {cin}$개의 가중치(weight)를 갖고(입력 채널 전체를 덮음), "
             f"출력 채널마다 커널이 하나씩 있습니다: {param_line}. "
             f"입력의 가로·세로 크기(${n}$), 스트라이드, 패딩은 파라미터 수와 무관합니다 — "
             f"같은 커널을 모든 위치에서 공유하기(parameter sharing) 때문입니다.")
    ex_en = (f"Each kernel has ${k} \\times {k} \\times {cin}$ weights (it spans all input channels), "
             f"and there is one kernel per output channel: {param_line}. The input's width "
             f"${n}$, the stride and the padding do not matter — the same kernel is shared across "
             f"all positions (parameter sharing).")
    return numeric((q_ko, q_en), (ex_ko, ex_en), total, 0)


# --------------------------------------------------------------------------- conv/pool output shape

@_register(
    "conv_shape",
    "the output shape (H × W × C) of a convolution or max-pooling layer on a non-square input",
    layer=Param("conv: a convolution with padding; pool: max pooling (no padding, no parameters)",
                choices=("conv", "pool")),
    ask=Param("height, width, or values: H_out · W_out · C_out, the whole shape in one number",
              choices=("height", "width", "values")),
)
def _conv_shape(rng: random.Random, params: dict) -> Numeric:
    layer = _pick(rng, params, "layer", ("conv", "pool"))
    ask = _pick(rng, params, "ask", ("height", "width", "values"))
    while True:
        h, w = rng.sample((6, 7, 9, 10, 12, 13, 16, 17, 20, 24, 27, 28, 31, 32, 33, 48, 57, 64), 2)
        if layer == "conv":
            k = rng.choice((1, 2, 3, 3, 5, 5, 7))
            s = rng.choice((1, 1, 2, 2, 3))
            p = rng.choice((0, 1, 1, 2, 3))
        else:
            k, s, p = rng.choice(((2, 2), (2, 2), (3, 2), (3, 3), (2, 1), (4, 4))) + (0,)
        if p < k and k <= min(h, w):
            break
    cin = rng.choice((1, 3, 4, 8, 16))
    cout = rng.choice((4, 6, 8, 10, 12, 16)) if layer == "conv" else cin
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    if layer == "conv":
        given_ko = (f"입력 특성 맵(feature map)이 ${h} \\times {w} \\times {cin}$ (높이 × 너비 × 채널)이고, "
                    f"합성곱(convolution) 층은 ${k} \\times {k}$ 커널(kernel) ${cout}$개, "
                    f"스트라이드(stride) ${s}$, 패딩(padding) ${p}$ (위아래·좌우 모두)입니다.")
        given_en = (f"The input feature map is ${h} \\times {w} \\times {cin}$ (height × width × channels); "
                    f"the convolution layer has ${cout}$ kernels of ${k} \\times {k}$, stride ${s}$ and "
                    f"padding ${p}$ (on every side).")
        depth_ko = f"채널 수는 커널 개수 ${cout}$입니다"
        depth_en = f"the depth is the number of kernels, ${cout}$"
    else:
        given_ko = (f"입력 특성 맵(feature map)이 ${h} \\times {w} \\times {cin}$ (높이 × 너비 × 채널)이고, "
                    f"${k} \\times {k}$ 최대 풀링(max pooling)을 스트라이드(stride) ${s}$, 패딩(padding) 없이 합니다.")
        given_en = (f"The input feature map is ${h} \\times {w} \\times {cin}$ (height × width × channels); "
                    f"a ${k} \\times {k}$ max pooling is applied with stride ${s}$ and no padding.")
        depth_ko = f"풀링은 채널마다 따로 하므로 채널 수 ${cin}$은 그대로입니다"
        depth_en = f"pooling works on each channel separately, so the depth stays ${cin}$"

    def line(n: int, out: int) -> str:
        return (f"⌊\\frac{{{n} + 2 \\cdot {p} - {k}}}{{{s}}}⌋ + 1 = {out}")

    def floor_note(n: int) -> tuple[str, str]:
        if (n + 2 * p - k) % s == 0:
            return "", ""
        return (" (나누어떨어지지 않아 버립니다: 마지막에 커널이 다 들어가지 않는 자리는 계산하지 않습니다)",
                " (rounded down: a last position where the window does not fit is not computed)")

    fh, fw = floor_note(h), floor_note(w)
    ex_ko = (f"출력 크기 $O = ⌊(I + 2P - K)/S⌋ + 1$ (창이 시작할 수 있는 자리의 수)를 높이와 너비에 "
             f"따로 씁니다. 높이: ${line(h, oh)}${fh[0]}, 너비: ${line(w, ow)}${fw[0]}. {depth_ko}. "
             f"출력은 ${oh} \\times {ow} \\times {cout}$이고, 값은 모두 ${oh} \\cdot {ow} \\cdot {cout} = "
             f"{oh * ow * cout}$개입니다.")
    ex_en = (f"The output size $O = ⌊(I + 2P - K)/S⌋ + 1$ (the number of positions where the "
             f"window can start) applies to height and width separately. Height: ${line(h, oh)}${fh[1]}; "
             f"width: ${line(w, ow)}${fw[1]}. And {depth_en}. The output is "
             f"${oh} \\times {ow} \\times {cout}$, holding ${oh} \\cdot {ow} \\cdot {cout} = {oh * ow * cout}$ values.")
    if ask == "height":
        q_ko, q_en, value = (f"{given_ko} 출력 특성 맵의 높이는 얼마입니까?",
                             f"{given_en} What is the height of the output feature map?", oh)
    elif ask == "width":
        q_ko, q_en, value = (f"{given_ko} 출력 특성 맵의 너비는 얼마입니까?",
                             f"{given_en} What is the width of the output feature map?", ow)
    else:
        q_ko, q_en, value = (f"{given_ko} 출력 특성 맵의 모양(높이 × 너비 × 채널)을 구하고, 그 안의 값이 모두 몇 개인지 답하세요.",
                             f"{given_en} Work out the output's shape (height × width × channels): how many "
                             f"values does the output feature map hold?", oh * ow * cout)
    return numeric((q_ko, q_en), (ex_ko, ex_en), value, 0)


# --------------------------------------------------------------------------- MLP

@_register(
    "mlp_params",
    "parameter count (weights + biases) of a fully connected network",
    layers=Param("number of weight layers", lo=1, hi=5),
    bias=Param("whether every layer has biases (default: true)", choices=(True, False)),
)
def _mlp_params(rng: random.Random, params: dict) -> Numeric:
    n_layers = params.get("layers", rng.choice((2, 3)))
    bias = params.get("bias", True)
    sizes = [rng.choice((2, 4, 10, 20, 64, 100, 784))]
    sizes += [rng.choice((8, 16, 32, 50, 64, 100, 128, 256)) for _ in range(n_layers - 1)]
    sizes.append(rng.choice((1, 2, 3, 10)))
    per = [sizes[i] * sizes[i + 1] + (sizes[i + 1] if bias else 0) for i in range(n_layers)]
    total = sum(per)
    arrow = " \\to ".join(str(x) for x in sizes)
    bias_ko = "가중치(weight)와 편향(bias)을 모두 셉니다" if bias else "편향(bias) 없이 가중치(weight)만 있습니다"
    bias_en = "Count weights and biases" if bias else "The layers have weights only, no biases"
    q_ko = (f"층 크기가 ${arrow}$인 완전 연결(fully connected) 신경망(MLP)의 학습 파라미터는 "
            f"모두 몇 개입니까? ({bias_ko}.)")
    q_en = (f"A fully connected network (MLP) has layer sizes ${arrow}$. How many trainable "
            f"parameters does it have? ({bias_en}.)")
    terms = " + ".join(
        f"({sizes[i]} \\cdot {sizes[i + 1]}{f' + {sizes[i + 1]}' if bias else ''})"
        for i in range(n_layers))
    ex_ko = (f"층 $n_{{i}} \\to n_{{i+1}}$ 하나에는 가중치 $n_{{i}} \\times n_{{i+1}}$개"
             f"{'와 편향 $n_{i+1}$개' if bias else ''}가 있습니다: ${terms} = {total}$. "
             f"입력층은 파라미터가 없고, 층이 {n_layers}개 있습니다. 대부분의 파라미터는 큰 층 사이의 "
             f"가중치 행렬에 있습니다.")
    ex_en = (f"A layer $n_{{i}} \\to n_{{i+1}}$ has an $n_{{i}} \\times n_{{i+1}}$ weight matrix"
             f"{' plus $n_{i+1}$ biases' if bias else ''}: ${terms} = {total}$. The input layer has "
             f"no parameters; there are {n_layers} weight layers. Most parameters sit in the weight "
             f"matrices between the big layers.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), total, 0)


# --------------------------------------------------------------------------- momentum and Adam

@_register(
    "momentum_step",
    "one SGD-with-momentum step, PyTorch convention v ← μv + g, w ← w − ηv",
    ask=Param("w: the new weight; v: the new momentum buffer", choices=("w", "v")),
)
def _momentum_step(rng: random.Random, params: dict) -> Numeric:
    ask = _pick(rng, params, "ask", ("w", "v"))
    mu = rng.choice((0.5, 0.8, 0.9, 0.9, 0.99))
    eta = rng.choice((0.01, 0.05, 0.1, 0.2))
    w = round(rng.uniform(-3, 3), 1) + 0.0
    v = round(rng.uniform(-2, 2), 1) + 0.0
    g = round(rng.uniform(-3, 3), 1) + 0.0
    v_new = mu * v + g
    w_new = w - eta * v_new
    given_ko = (f"모멘텀(momentum) SGD를 PyTorch 방식 $v \\leftarrow \\mu v + g$, "
                f"$w \\leftarrow w - \\eta v$로 한 걸음 진행합니다. 현재 $w = {num(w)}$, "
                f"이전 모멘텀 버퍼 $v = {num(v)}$, 그라디언트 $g = {num(g)}$, "
                f"$\\mu = {num(mu)}$, $\\eta = {num(eta)}$입니다.")
    given_en = (f"Take one step of SGD with momentum in PyTorch's convention, $v \\leftarrow \\mu v + g$ "
                f"and $w \\leftarrow w - \\eta v$. Now $w = {num(w)}$, the previous momentum "
                f"buffer is $v = {num(v)}$, the gradient is $g = {num(g)}$, $\\mu = {num(mu)}$ and "
                f"$\\eta = {num(eta)}$.")
    v_line = f"$v = {num(mu)} \\cdot {par(v)} + {par(g)} = {fixed(v_new, 4)}$"
    w_line = f"$w = {num(w)} - {num(eta)} \\cdot {par(round(v_new, 10))} = {fixed(w_new, 4)}$"
    note_ko = ("다른 자료는 $v \\leftarrow \\beta v + (1 - \\beta) g$처럼 $(1 - \\beta)$를 곱해 쓰기도 "
               "합니다. 그러면 같은 학습률에서 걸음이 $(1 - \\beta)$배가 되니, 어느 관례인지 먼저 확인하세요.")
    note_en = ("Other sources write $v \\leftarrow \\beta v + (1 - \\beta) g$ with a $(1 - \\beta)$ "
               "factor, which scales the step by $(1 - \\beta)$ at the same learning rate; check the "
               "convention first.")
    if ask == "v":
        q_ko = f"{given_ko} 새 모멘텀 버퍼 $v$는 얼마입니까?"
        q_en = f"{given_en} What is the new momentum buffer $v$?"
        ex_ko = (f"{v_line}. 이전 속도의 {num(mu)}배에 새 그라디언트를 더하므로, 같은 방향의 그라디언트가 "
                 f"이어지면 속도가 쌓이고 방향이 바뀌면 상쇄됩니다. {note_ko}")
        ex_en = (f"{v_line}. It keeps {num(mu)} of the old velocity and adds the new gradient, so "
                 f"gradients that agree accumulate and gradients that flip cancel. {note_en}")
        return numeric((q_ko, q_en), (ex_ko, ex_en), v_new, 4)
    q_ko = f"{given_ko} 이 걸음 뒤의 $w$는 얼마입니까?"
    q_en = f"{given_en} What is $w$ after this step?"
    ex_ko = f"먼저 버퍼를 갱신합니다: {v_line}. 그다음 {w_line}입니다. {note_ko}"
    ex_en = f"First update the buffer: {v_line}. Then {w_line}. {note_en}"
    return numeric((q_ko, q_en), (ex_ko, ex_en), w_new, 4)


@_register(
    "adam_step",
    "one Adam step with bias correction (β₁ = 0.9, β₂ = 0.999, ε = 1e-8)",
    t=Param("the step number t (t = 1 starts from m = v = 0)", lo=1, hi=100),
)
def _adam_step(rng: random.Random, params: dict) -> Numeric:
    t = params.get("t", rng.choice((1, 1, 2, 3, 5, 10)))
    b1, b2, eps = 0.9, 0.999, 1e-8
    eta = rng.choice((0.1, 0.05, 0.01))
    w = round(rng.uniform(-2, 2), 1) + 0.0
    while True:
        g = round(rng.uniform(-2, 2), 1) + 0.0
        if g != 0:
            break
    # Moments as Adam would have them after t - 1 earlier gradients near g (rounded to what the
    # question shows, so the stated numbers are the givens).
    m_prev = v_prev = 0.0
    for _ in range(t - 1):
        g_old = g + rng.uniform(-0.5, 0.5)
        m_prev = b1 * m_prev + (1 - b1) * g_old
        v_prev = b2 * v_prev + (1 - b2) * g_old * g_old
    m_prev, v_prev = round(m_prev, 4) + 0.0, round(v_prev, 6) + 0.0
    m = b1 * m_prev + (1 - b1) * g
    v = b2 * v_prev + (1 - b2) * g * g
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    step = eta * m_hat / (math.sqrt(v_hat) + eps)
    w_new = w - step
    step_s = f"({step:.6g})" if step < 0 else f"{step:.6g}"
    given_ko = (f"Adam으로 $t = {t}$번째 걸음을 진행합니다. PyTorch 방식이고 편향 보정을 하며 "
                f"$\\beta_1 = 0.9$, $\\beta_2 = 0.999$, $\\epsilon = 10^{{-8}}$입니다. "
                f"현재 $w = {num(w)}$, 그라디언트 $g = {num(g)}$, 학습률 $\\eta = {num(eta)}$, "
                f"이전 모멘트 $m = {num(m_prev)}$, $v = {num(v_prev)}$입니다. 이 걸음 뒤의 $w$는 얼마입니까?")
    given_en = (f"Take Adam's step number $t = {t}$ (PyTorch's convention, with bias correction, "
                f"$\\beta_1 = 0.9$, $\\beta_2 = 0.999$, $\\epsilon = 10^{{-8}}$). Now $w = {num(w)}$, "
                f"the gradient is $g = {num(g)}$, the learning rate $\\eta = {num(eta)}$, and the "
                f"previous moments are $m = {num(m_prev)}$, $v = {num(v_prev)}$. What is $w$ after "
                f"this step?")
    work = (f"$m = 0.9 \\cdot {par(m_prev)} + 0.1 \\cdot {par(g)} = {m:.6g}$, "
            f"$v = 0.999 \\cdot {num(v_prev)} + 0.001 \\cdot {par(g)}^2 = {v:.6g}$, "
            f"$\\hat{{m}} = \\frac{{m}}{{1 - 0.9^{{{t}}}}} = {m_hat:.6g}$, "
            f"$\\hat{{v}} = \\frac{{v}}{{1 - 0.999^{{{t}}}}} = {v_hat:.6g}$, "
            f"$w = {num(w)} - {num(eta)} \\cdot \\frac{{\\hat{{m}}}}{{\\sqrt{{\\hat{{v}}}} + \\epsilon}} = "
            f"{num(w)} - {step_s} = {fixed(w_new, 4)}$")
    if t == 1:
        why_ko = ("첫 걸음에서는 $\\hat{m} = g$, $\\hat{v} = g^2$이므로 걸음 크기가 그라디언트 크기와 "
                  "상관없이 거의 정확히 $\\eta$입니다. 편향 보정이 없으면 0에서 시작한 $m$, $v$가 "
                  "0 쪽으로 끌려 첫 걸음들이 왜곡됩니다.")
        why_en = ("On the first step $\\hat{m} = g$ and $\\hat{v} = g^2$, so the step is almost exactly "
                  "$\\eta$ whatever the size of the gradient. Without bias correction the averages, "
                  "started at 0, would be pulled towards 0 and distort the first steps.")
    else:
        why_ko = ("편향 보정은 0에서 시작한 이동 평균이 0 쪽으로 치우친 것을 $1 - \\beta^t$로 나누어 "
                  "되돌립니다. $t$가 커지면 보정 계수는 1에 가까워집니다.")
        why_en = ("Bias correction divides by $1 - \\beta^t$ to undo the pull towards 0 of moving "
                  "averages that started at 0; as $t$ grows the correction tends to 1.")
    ex_ko = f"{work}. {why_ko}"
    ex_en = f"{work}. {why_en}"
    return numeric((given_ko, given_en), (ex_ko, ex_en), w_new, 4)


# --------------------------------------------------------------------------- entropy

def _distribution(rng: random.Random, k: int) -> list[float]:
    """k probabilities, each a positive multiple of 0.05, summing to 1."""
    cuts = sorted(rng.sample(range(1, 20), k - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 20])]
    return [x / 20 for x in parts]


def _vec(values: list[float]) -> str:
    return "(" + ", ".join(num(v) for v in values) + ")"


@_register(
    "entropy",
    "entropy of a small distribution, natural log",
    outcomes=Param("number of outcomes", lo=2, hi=5),
)
def _entropy(rng: random.Random, params: dict) -> Numeric:
    k = params.get("outcomes", rng.choice((2, 3, 4)))
    p = _distribution(rng, k)
    h = -sum(x * math.log(x) for x in p)
    q_ko = (f"확률 분포 $p = {_vec(p)}$의 엔트로피(entropy) $H(p) = -\\sum_i p_i \\ln p_i$는 "
            f"얼마입니까? 자연로그를 씁니다(단위: nat).")
    q_en = (f"What is the entropy $H(p) = -\\sum_i p_i \\ln p_i$ of the distribution "
            f"$p = {_vec(p)}$? Use the natural log (unit: nats).")
    terms = " + ".join(f"{num(x)} \\ln {num(x)}" for x in p)
    values = " + ".join(f"({x * math.log(x):.4f})" for x in p)
    hmax = math.log(k)
    ex_ko = (f"$H = -({terms}) = -({values}) = {fixed(h, 3)}$. 분포가 {k}개 결과에 대한 균등 분포일 때 "
             f"최댓값 $\\ln {k} = {hmax:.3f}$에 이르고, 한 결과가 확실할수록 0에 가까워집니다. "
             f"엔트로피는 '평균적으로 얼마나 놀라운가'입니다.")
    ex_en = (f"$H = -({terms}) = -({values}) = {fixed(h, 3)}$. It is largest, "
             f"$\\ln {k} = {hmax:.3f}$, for the uniform distribution over {k} outcomes and "
             f"approaches 0 as one outcome becomes certain: entropy is the average surprise.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), h, 3, unit="nats")


@_register(
    "cross_entropy",
    "cross-entropy H(p, q) or KL divergence of small distributions, natural log",
    target=Param("onehot: p is a one-hot label; soft: p is any distribution",
                 choices=("onehot", "soft")),
    ask=Param("ce: cross-entropy H(p, q); kl: KL(p ‖ q) = H(p, q) − H(p)", choices=("ce", "kl")),
    outcomes=Param("number of outcomes", lo=2, hi=5),
)
def _cross_entropy(rng: random.Random, params: dict) -> Numeric:
    k = params.get("outcomes", rng.choice((2, 3, 4)))
    target = _pick(rng, params, "target", ("onehot", "soft"))
    ask = params.get("ask", "ce")
    if target == "onehot":
        hot = rng.randrange(k)
        p = [1.0 if i == hot else 0.0 for i in range(k)]
    else:
        p = _distribution(rng, k)
    while True:
        q = _distribution(rng, k)
        if q != p:
            break
    ce = -sum(a * math.log(b) for a, b in zip(p, q) if a > 0)
    h = -sum(a * math.log(a) for a in p if a > 0) + 0.0      # never -0.0
    kl = ce - h
    value = ce if ask == "ce" else kl
    name_ko = ("교차 엔트로피(cross-entropy) $H(p, q) = -\\sum_i p_i \\ln q_i$" if ask == "ce"
               else "KL 발산(KL divergence) $\\mathrm{KL}(p \\| q) = \\sum_i p_i \\ln(\\frac{p_i}{q_i})$")
    name_en = ("cross-entropy $H(p, q) = -\\sum_i p_i \\ln q_i$" if ask == "ce"
               else "KL divergence $\\mathrm{KL}(p \\| q) = \\sum_i p_i \\ln(\\frac{p_i}{q_i})$")
    role_ko = "정답 분포" + (" (원-핫, one-hot)" if target == "onehot" else "")
    role_en = "true distribution" + (" (one-hot)" if target == "onehot" else "")
    q_ko = (f"{role_ko}가 $p = {_vec(p)}$이고 모델의 예측 분포가 $q = {_vec(q)}$입니다. "
            f"{name_ko}는 얼마입니까? 자연로그를 씁니다(단위: nat).")
    q_en = (f"The {role_en} is $p = {_vec(p)}$ and the model predicts $q = {_vec(q)}$. What is the "
            f"{name_en}? Use the natural log (unit: nats).")
    ce_terms = " + ".join(f"{num(a)} \\ln {num(b)}" for a, b in zip(p, q) if a > 0)
    ce_line = f"$H(p, q) = -({ce_terms}) = {ce:.4f} \\approx {fixed(ce, 3)}$"
    if target == "onehot":
        hot_q = q[p.index(1.0)]
        extra_ko = (f"정답이 원-핫이면 정답 클래스의 $-\\ln q$만 남습니다: $-\\ln {num(hot_q)}$. "
                    f"이것이 분류에서 쓰는 음의 로그 우도(negative log-likelihood)입니다.")
        extra_en = (f"With a one-hot target only the true class's $-\\ln q$ survives: "
                    f"$-\\ln {num(hot_q)}$ — the negative log-likelihood used for classification.")
    else:
        extra_ko = extra_en = ""
    if ask == "ce":
        ex_ko = f"{ce_line}. {extra_ko} $q = p$일 때 최소인 $H(p)$가 됩니다.".replace("  ", " ")
        ex_en = f"{ce_line}. {extra_en} It is smallest, equal to $H(p)$, when $q = p$.".replace("  ", " ")
        return numeric((q_ko, q_en), (ex_ko, ex_en), value, 3, unit="nats")
    h_line = f"$H(p) = {h:.4f}$"
    ex_ko = (f"$\\mathrm{{KL}}(p \\| q) = H(p, q) - H(p)$입니다. {ce_line}, {h_line}이므로 "
             f"$\\mathrm{{KL}} = {ce:.4f} - {h:.4f} = {fixed(kl, 3)}$입니다. KL은 항상 0 이상이고 "
             f"$q = p$일 때만 0입니다. $H(p)$는 모델과 무관한 상수라서, 교차 엔트로피를 최소화하는 것은 "
             f"KL을 최소화하는 것과 같습니다.")
    ex_en = (f"$\\mathrm{{KL}}(p \\| q) = H(p, q) - H(p)$. {ce_line} and {h_line}, so "
             f"$\\mathrm{{KL}} = {ce:.4f} - {h:.4f} = {fixed(kl, 3)}$. KL is never negative and is 0 only "
             f"when $q = p$; since $H(p)$ does not depend on the model, minimising the "
             f"cross-entropy is the same as minimising the KL divergence.")
    return numeric((q_ko, q_en), (ex_ko, ex_en), value, 3, unit="nats")


# --------------------------------------------------------------------------- dense vs conv parameters

_IMAGES = ((8, 8, 1), (28, 28, 1), (32, 32, 3), (64, 64, 3), (96, 96, 3), (224, 224, 3))


@_register(
    "dense_vs_conv_params",
    "parameters of a fully connected layer vs a convolution layer on the same H × W × C image",
    ask=Param("conv: (k²C + 1)·K; dense: (HWC + 1)·n", choices=("conv", "dense")),
)
def _dense_vs_conv_params(rng: random.Random, params: dict) -> Numeric:
    ask = _pick(rng, params, "ask", ("conv", "dense"))
    h, w, c = rng.choice(_IMAGES)
    n = rng.choice((16, 32, 64, 100, 128, 256))
    k = rng.choice((3, 3, 5, 7))
    filters = rng.choice((8, 16, 32, 64))
    dense = (h * w * c + 1) * n
    conv = (k * k * c + 1) * filters
    given_ko = (f"${h} \\times {w} \\times {c}$ (높이 × 너비 × 채널) 이미지를 두 가지 층에 넣습니다. "
                f"(가) 이미지를 펼쳐(flatten) 뉴런 ${n}$개의 완전 연결 층(fully connected layer)에 넣고, "
                f"(나) ${k} \\times {k}$ 필터(filter) ${filters}$개의 합성곱 층(convolution layer)에 넣습니다. "
                f"두 층 모두 뉴런 또는 필터마다 편향(bias)이 하나씩 있습니다.")
    given_en = (f"An image of ${h} \\times {w} \\times {c}$ (height × width × channels) goes into two "
                f"kinds of layer: (a) flattened, into a fully connected layer of ${n}$ units; (b) into a "
                f"convolution layer of ${filters}$ filters of ${k} \\times {k}$. Both have one bias per "
                f"unit or filter.")
    dense_line = f"({h} \\cdot {w} \\cdot {c} + 1) \\cdot {n} = {dense}"
    conv_line = f"({k}^2 \\cdot {c} + 1) \\cdot {filters} = {conv}"
    if dense >= conv:
        more_ko = f"여기서는 완전 연결 층이 약 ${dense / conv:.0f}$배 많습니다"
        more_en = f"here the fully connected layer has about ${dense / conv:.0f}$ times as many"
    else:   # a tiny image and many large filters
        more_ko = f"이렇게 작은 이미지에서는 오히려 합성곱 층이 약 ${conv / dense:.1f}$배 많습니다"
        more_en = f"on an image this small the convolution layer has about ${conv / dense:.1f}$ times as many"
    ex_ko = (f"완전 연결 층은 뉴런마다 입력 값 하나하나(위치마다 하나)에 가중치를 하나씩 둡니다: ${dense_line}$. "
             f"합성곱 층의 필터 하나는 ${k} \\times {k} \\times {c}$개의 가중치와 편향 하나이고, 파라미터 "
             f"공유(parameter sharing)로 같은 필터를 모든 위치에 다시 씁니다: ${conv_line}$. 합성곱 층의 파라미터 수는 "
             f"이미지의 높이·너비와 무관하고, {more_ko}.")
    ex_en = (f"The fully connected layer has one weight per input value (per position) per unit: "
             f"${dense_line}$. One filter of the convolution layer has ${k} \\times {k} \\times {c}$ weights "
             f"and a bias, and the same filter is reused at every position (parameter sharing): "
             f"${conv_line}$. The convolution's count does not depend on the image's height and width; "
             f"{more_en}.")
    if ask == "conv":
        q_ko = f"{given_ko} (나) 합성곱 층의 학습 파라미터는 몇 개입니까?"
        q_en = f"{given_en} How many trainable parameters does (b), the convolution layer, have?"
        return numeric((q_ko, q_en), (ex_ko, ex_en), conv, 0)
    q_ko = f"{given_ko} (가) 완전 연결 층의 학습 파라미터는 몇 개입니까?"
    q_en = f"{given_en} How many trainable parameters does (a), the fully connected layer, have?"
    return numeric((q_ko, q_en), (ex_ko, ex_en), dense, 0)
