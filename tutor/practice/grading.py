"""Checking an answer against a question: the same rules in a lesson, a quiz and the plain CLI.

Numbers are compared in decimal, never in binary floating point: a question answered to ``k``
decimals carries ``tolerance = 10^-k`` ("one unit in the last asked digit"), and an answer within
one unit of the key is right — so both roundings of an exact half (0.5125 → 0.512 or 0.513) pass.
An answer with fewer decimals than the key needs is graded as written and says so in ``note``.

Order questions accept every order the question allows: the items of an ``interchangeable`` group
may appear in any order among themselves.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from tutor.i18n import tr
from tutor.content import (
    McqQuestion,
    MultiQuestion,
    NumericQuestion,
    OrderQuestion,
    render_inline_math,
)

# Longer input is not a number anyone typed; refusing it keeps parsing bounded.
MAX_NUMBER_CHARS = 64
SHOWN_CHARS = 40

# Full-width forms (a Korean IME's digits) and the typographic minus read as their ASCII twins;
# every other non-ASCII character (e.g. '²', which NFKC would turn into '2') is not a number.
_ASCII_TWINS = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                              "．": ".", "，": ",", "－": "-", "＋": "+", "ｅ": "e", "Ｅ": "E",
                              "−": "-"})
# Commas only as thousands separators ("1,234.5"); "0,5" is ambiguous and refused.
_NUMBER = re.compile(r"[+-]?(?=\.?[0-9])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?"
                     r"(?:[eE][+-]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Graded:
    """The outcome of one answer. ``problem`` is set (and ``correct`` None) when the input
    could not be read as an answer at all, e.g. letters for a number: ask again. ``note`` is an
    i18n key (with ``note_values``) for something the learner should be told beside the verdict."""

    correct: bool | None
    given: str
    problem: str | None = None
    note: str | None = None
    note_values: tuple[tuple[str, str], ...] = ()

    def problem_text(self, lang: str) -> str:
        key, _, n = (self.problem or "").partition(":")
        return tr(key, lang, n=n, text=self.given)

    def note_text(self, lang: str) -> str:
        """The note in ``lang``, or "" when there is none."""
        return tr(self.note, lang, **dict(self.note_values)) if self.note else ""


# --------------------------------------------------------------------------- numbers

def parse_decimal(raw: str) -> Decimal | None:
    """``raw`` as an exact decimal, or None: "0.5", ".5", "5e-1", "1,234.5", "０.５", "−2"."""
    text = raw.strip().translate(_ASCII_TWINS)
    if len(text) > MAX_NUMBER_CHARS or not text.isascii() or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", ""))


def _decimal(x: float) -> Decimal:
    """A stored float as the decimal its author wrote (``repr`` is the shortest round trip)."""
    return Decimal(repr(float(x)))


def decimals_of(value: Decimal) -> int:
    """How many decimals ``value`` is written with: 7.210 → 3, 5e-1 → 1, 12 → 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def asked_decimals(question: NumericQuestion) -> int | None:
    """k when the tolerance is one unit in the k-th decimal (10^-k), else None."""
    tol = _decimal(question.tolerance)
    if tol <= 0:
        return None
    _, digits, exponent = tol.normalize().as_tuple()
    return -exponent if digits == (1,) and exponent <= 0 else None


def accepts(question: NumericQuestion, value: Decimal) -> bool:
    """The one numeric rule: within ``tolerance`` of the key, computed exactly in decimal."""
    with localcontext() as ctx:
        ctx.prec = 4 * MAX_NUMBER_CHARS      # exact near the key for any input parse_decimal accepts
        return abs(value - _decimal(question.answer)) <= _decimal(question.tolerance)


def _grade_number(question: NumericQuestion, raw: str) -> Graded:
    value = parse_decimal(raw)
    if value is None:
        shown = raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"
        return Graded(None, shown, "bad_number:")
    correct = accepts(question, value)
    asked = asked_decimals(question)
    needed = min(asked, decimals_of(_decimal(question.answer).normalize())) if asked else 0
    if decimals_of(value) < needed:
        padded = f"{value:.{asked}f}"
        return Graded(correct, raw, note="note_decimals",
                      note_values=(("text", raw), ("padded", padded), ("n", str(asked))))
    return Graded(correct, raw)


# --------------------------------------------------------------------------- order

def order_blocks(question: OrderQuestion) -> list[int]:
    """For each item (0-based), the first item of its block: items of one interchangeable group
    share a block, every other item is a block of its own."""
    block = list(range(len(question.items)))
    for group in question.interchangeable:
        for number in group:
            block[number - 1] = group[0] - 1
    return block


def is_valid_order(question: OrderQuestion, sequence: list[int]) -> bool:
    """Whether ``sequence`` (items, 0-based, in the learner's order) is a right order: every
    position holds an item of the block that owns that position in the written order."""
    block = order_blocks(question)
    return [block[i] for i in sequence] == block


def shuffled_order(question: OrderQuestion, seed: object) -> list[int]:
    """The order in which an order question's items are shown (never one already right; the
    model guarantees a wrong order exists)."""
    order = list(range(len(question.items)))
    rng = random.Random(str(seed))
    while is_valid_order(question, order):
        rng.shuffle(order)
    return order


def parse_numbers(raw: str) -> list[int] | None:
    parts = raw.translate(_ASCII_TWINS).replace(",", " ").split()
    if not parts or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return None
    return [int(p) for p in parts]


# --------------------------------------------------------------------------- grading

def grade(question, raw: str, order: list[int] | None = None) -> Graded:
    """Grade ``raw`` (what the learner typed; choices are counted from 1)."""
    raw = raw.strip()
    if isinstance(question, McqQuestion):
        picked = parse_numbers(raw)
        if not picked or len(picked) != 1 or not 1 <= picked[0] <= len(question.choices):
            return Graded(None, raw, f"bad_choice:{len(question.choices)}")
        return Graded(picked[0] - 1 == question.answer, str(picked[0] - 1))
    if isinstance(question, MultiQuestion):
        picked = parse_numbers(raw)
        if not picked or not all(1 <= p <= len(question.choices) for p in picked):
            return Graded(None, raw, f"bad_choices:{len(question.choices)}")
        chosen = sorted({p - 1 for p in picked})
        return Graded(set(chosen) == set(question.answers), ",".join(map(str, chosen)))
    if isinstance(question, NumericQuestion):
        return _grade_number(question, raw)
    if isinstance(question, OrderQuestion):
        n = len(question.items)
        order = order if order is not None else list(range(n))
        picked = parse_numbers(raw)
        if picked is None or sorted(picked) != list(range(1, n + 1)):
            return Graded(None, raw, f"bad_order:{n}")
        return Graded(is_valid_order(question, [order[p - 1] for p in picked]), raw)
    raise TypeError(f"{type(question).__name__} is self-rated, not graded")


def answer_text(question, lang: str, order: list[int] | None = None) -> str:
    """The right answer as the learner would type it, with the text of a chosen option."""
    if isinstance(question, McqQuestion):
        choice = render_inline_math(question.choices[question.answer].get(lang))
        return f"[{question.answer + 1}] {choice}"
    if isinstance(question, MultiQuestion):
        return ", ".join(f"[{a + 1}]" for a in sorted(question.answers))
    if isinstance(question, NumericQuestion):
        key = f"{_decimal(question.answer).normalize():f}"
        return key + (f" {question.unit}" if question.unit else "")
    if isinstance(question, OrderQuestion):
        order = order if order is not None else list(range(len(question.items)))
        shown = [order.index(i) + 1 for i in range(len(question.items))]
        text = " ".join(map(str, shown))
        for group in question.interchangeable:
            members = ", ".join(str(shown[number - 1]) for number in group)
            text += " " + tr("order_any_within", lang, items=members)
        return text
    return ""
