"""Checking an answer against a question: the same rules in a lesson, a quiz and the plain CLI."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tutor.i18n import tr
from tutor.content import (
    McqQuestion,
    MultiQuestion,
    NumericQuestion,
    OrderQuestion,
    render_inline_math,
)


@dataclass(frozen=True)
class Graded:
    """The outcome of one answer. ``problem`` is set (and ``correct`` None) when the input
    could not be read as an answer at all, e.g. letters for a number: ask again."""

    correct: bool | None
    given: str
    problem: str | None = None

    def problem_text(self, lang: str) -> str:
        key, _, n = (self.problem or "").partition(":")
        return tr(key, lang, n=n, text=self.given)


def shuffled_order(question: OrderQuestion, seed: object) -> list[int]:
    """The order in which an order question's items are shown (never already solved)."""
    order = list(range(len(question.items)))
    rng = random.Random(str(seed))
    while order == sorted(order):
        rng.shuffle(order)
    return order


def parse_numbers(raw: str) -> list[int] | None:
    parts = raw.replace(",", " ").split()
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


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
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            return Graded(None, raw, "bad_number:")
        return Graded(abs(value - question.answer) <= question.tolerance, raw)
    if isinstance(question, OrderQuestion):
        n = len(question.items)
        order = order if order is not None else list(range(n))
        picked = parse_numbers(raw)
        if picked is None or sorted(picked) != list(range(1, n + 1)):
            return Graded(None, raw, f"bad_order:{n}")
        return Graded([order[p - 1] for p in picked] == list(range(n)), raw)
    raise TypeError(f"{type(question).__name__} is self-rated, not graded")


def answer_text(question, lang: str, order: list[int] | None = None) -> str:
    """The right answer as the learner would type it, with the text of a chosen option."""
    if isinstance(question, McqQuestion):
        choice = render_inline_math(question.choices[question.answer].get(lang))
        return f"[{question.answer + 1}] {choice}"
    if isinstance(question, MultiQuestion):
        return ", ".join(f"[{a + 1}]" for a in sorted(question.answers))
    if isinstance(question, NumericQuestion):
        return f"{question.answer:g}" + (f" {question.unit}" if question.unit else "")
    if isinstance(question, OrderQuestion):
        order = order if order is not None else list(range(len(question.items)))
        return " ".join(str(order.index(i) + 1) for i in range(len(question.items)))
    return ""
