"""What a practice session asks: quiz questions, why questions and derivations as review items.

Every item has a stable id — a bank question's id, a lesson why step's id, a lesson
derivation's id — which is also its FSRS card's id in the store.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

# The content models are imported where items are built, not here: the home screen counts
# what is due from the home index alone, before pydantic and the models are imported.
if TYPE_CHECKING:
    from tutor.content import Library
    from tutor.content.models import Derivation, Text


@dataclass(frozen=True)
class WhyPrompt:
    """A question answered in words and self-rated against a model answer's key points."""

    q: Text
    a: Text
    points: tuple[Text, ...]


@dataclass(frozen=True)
class PracticeItem:
    item_id: str
    kind: str  # "quiz" (checked answer), "why" (self-rated) or "derivation" (line by line)
    chapter: int
    tags: tuple[str, ...] = ()
    difficulty: str = "M"
    question: object | None = None  # a bank question; generated ones are made fresh per session
    why: WhyPrompt | None = None
    derivation: Derivation | None = None
    lesson_id: str | None = None
    follow_up: tuple[str, ...] = ()

    @property
    def self_rated(self) -> bool:
        return self.why is not None or self.derivation is not None


def _from_question(question, lesson_id: str | None = None) -> PracticeItem:
    from tutor.content import WhyQuestion  # noqa: PLC0415 (see the imports)

    why = None
    if isinstance(question, WhyQuestion):
        why = WhyPrompt(question.q, question.a, tuple(question.points))
    return PracticeItem(question.id, "why" if why else "quiz", question.chapter,
                        tuple(question.tags), question.difficulty, question=question, why=why,
                        lesson_id=lesson_id, follow_up=tuple(question.follow_up))


def all_items(library: Library) -> dict[str, PracticeItem]:
    """Every review item the content defines, by id (the ids of ``library.review_item_ids``)."""
    from tutor.content import DerivationStep, WhyStep  # noqa: PLC0415 (see the imports)

    items: dict[str, PracticeItem] = {}
    for question in library.questions.values():
        items[question.id] = _from_question(question)
    for item_id, lesson, index in library.lesson_items():
        step = lesson.steps[index]
        if isinstance(step, WhyStep):
            why = step.why
            items[item_id] = PracticeItem(item_id, "why", lesson.chapter, ("lesson",),
                                          "M", why=WhyPrompt(why.q, why.a, tuple(why.points)),
                                          lesson_id=lesson.id)
        elif isinstance(step, DerivationStep):
            items[item_id] = PracticeItem(item_id, "derivation", lesson.chapter,
                                          ("derivation",), "H" if step.derivation.level >= 3
                                          else "M", derivation=step.derivation,
                                          lesson_id=lesson.id)
        else:  # a question written in the lesson
            items[item_id] = _from_question(step.quiz, lesson.id)
    return items


def instantiate(item: PracticeItem, seed: int) -> PracticeItem:
    """A generated question becomes a concrete one with fresh numbers from ``seed``."""
    from tutor.content import GeneratedQuestion  # noqa: PLC0415 (see the imports)

    if not isinstance(item.question, GeneratedQuestion):
        return item
    from tutor.content.generators import generate  # noqa: PLC0415 (optional content module)

    concrete = generate(item.question, seed)
    return PracticeItem(item.item_id, "quiz", item.chapter, item.tags, item.difficulty,
                        question=concrete, lesson_id=item.lesson_id, follow_up=item.follow_up)


def due_ids(item_ids: Collection[str], store, now: datetime | None = None) -> list[str]:
    """The ids of the reviews due now that the content defines (``item_ids``), most overdue
    first.

    The one definition of "due": the home screen and the palette (from the home index's ids),
    the review session and ``tutor stats`` (from the library's items) all count these, so
    they always agree.
    """
    return [item_id for item_id in store.due_item_ids(now) if item_id in item_ids]


def due_items(items: Mapping[str, PracticeItem], store,
              now: datetime | None = None) -> list[PracticeItem]:
    """The due reviews among ``items`` (what :func:`all_items` returns), most overdue first."""
    return [items[item_id] for item_id in due_ids(items, store, now)]


def due_count(item_ids: Collection[str], store, now: datetime | None = None) -> int:
    return len(due_ids(item_ids, store, now))


def select_items(library: Library, store=None, *, chapter: int | None = None,
                 tags: list[str] | None = None, n: int | None = 10, due: bool = False,
                 cram: bool = False, seed: int | None = None,
                 kinds: tuple[str, ...] = ("quiz", "why")) -> list[PracticeItem]:
    """The items of one session.

    ``due``: the reviews due now, most overdue first. ``cram``: every item met so far, the one
    most likely forgotten first. Otherwise bank questions (and self-rated why questions) in a
    seeded random order. ``chapter`` and ``tags`` filter all three.
    """
    items = all_items(library)
    rng = random.Random(seed)

    def wanted(item: PracticeItem) -> bool:
        if chapter is not None and item.chapter != chapter:
            return False
        return not tags or bool(set(tags) & set(item.tags))

    if due:
        chosen = [i for i in due_items(items, store) if wanted(i)]
    elif cram:
        chosen = [items[r.item_id] for r in store.hardest_first() if r.item_id in items]
        chosen = [i for i in chosen if wanted(i)]
    else:
        chosen = [i for i in items.values()
                  if wanted(i) and i.kind in kinds and i.lesson_id is None]
        chosen.sort(key=lambda i: i.item_id)
        rng.shuffle(chosen)
    if n is not None:
        chosen = chosen[:n]
    return [instantiate(item, rng.randrange(2**31)) for item in chosen]


@dataclass
class Outcome:
    item: PracticeItem
    correct: bool | None = None
    rating: int | None = None
    seconds: float = 0.0
    answer: str | None = None

    @property
    def success(self) -> bool | None:
        """Right answer, or a self-rating of good/easy."""
        if self.correct is not None:
            return self.correct
        if self.rating is not None:
            return self.rating >= 3
        return None


@dataclass
class SessionSummary:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.success is not None]

    @property
    def score(self) -> tuple[int, int]:
        return sum(1 for o in self.answered if o.success), len(self.answered)

    @property
    def seconds(self) -> float:
        return round(sum(o.seconds for o in self.outcomes), 1)

    def weakest_tags(self, limit: int = 3) -> list[tuple[str, float, int]]:
        """(tag, share right, answers) for the tags answered worst, worst first."""
        right: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        for outcome in self.answered:
            for tag in outcome.item.tags:
                total[tag] += 1
                right[tag] += bool(outcome.success)
        ranked = sorted(total, key=lambda t: (right[t] / total[t], -total[t], t))
        return [(t, right[t] / total[t], total[t]) for t in ranked
                if right[t] < total[t]][:limit]
