"""Validated, immutable models of lessons, quiz questions and chapters.

The YAML files are data; these pydantic models are the schema. Every model forbids unknown keys
(a typo such as ``quesiton:`` is an error, not silently ignored) and is frozen, so the UI cannot
change content by accident.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .links import link_problem
from .mathtext import UnsupportedLatex, check_inline_math, latex_to_unicode, render_inline_math

LANGS = ("ko", "en")
# The longest bundled text is about 1,100 characters; a longer one belongs in several steps.
MAX_TEXT_CHARS = 20_000

# Ids and tags become SQLite keys, Anki GUIDs and Anki tags (which cannot hold a space).
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


class Model(BaseModel):
    # No inf/nan anywhere: a tolerance of .inf would accept every answer.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


class Text(Model):
    """A learner-facing text in Korean and English. Both are required: no silent fallback."""

    ko: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
    en: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

    @field_validator("ko", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    def get(self, lang: str) -> str:
        return getattr(self, lang)


class MarkdownText(Text):
    """Markdown whose ``$...$`` math must render in the terminal."""

    @model_validator(mode="after")
    def _math_renders(self) -> "MarkdownText":
        for lang in LANGS:
            problems = check_inline_math(getattr(self, lang))
            if problems:
                raise ValueError(f"{lang}: unsupported math {problems[0]}")
            # What the learner's Markdown widget parses is the text with its math rendered.
            problem = link_problem(render_inline_math(getattr(self, lang)))
            if problem:
                raise ValueError(f"{lang}: {problem}")
        return self


Level = Annotated[int, Field(ge=1, le=3)]


# --------------------------------------------------------------------------- questions

class QuestionMeta(Model):
    """What every question has, written or generated."""

    id: Slug
    chapter: Annotated[int, Field(ge=1, le=9)]
    tags: list[Slug] = []
    difficulty: Literal["E", "M", "H"] = "M"
    level: Level = 1
    follow_up: list[Slug] = []


class QuestionBase(QuestionMeta):
    q: MarkdownText
    explanation: MarkdownText


class McqQuestion(QuestionBase):
    """One right choice; ``answer`` is its index, counted from 0."""

    type: Literal["mcq"]
    choices: Annotated[list[MarkdownText], Field(min_length=2)]
    answer: int

    @field_validator("answer")
    @classmethod
    def _answer_among_choices(cls, answer: int, info: ValidationInfo) -> int:
        choices = info.data.get("choices")
        if choices is not None and not 0 <= answer < len(choices):
            raise ValueError(f"answer {answer} is not among the {len(choices)} choices "
                             f"(count from 0)")
        return answer


class MultiQuestion(QuestionBase):
    """Several right choices; ``answers`` lists their indices, counted from 0."""

    type: Literal["multi"]
    choices: Annotated[list[MarkdownText], Field(min_length=2)]
    answers: Annotated[list[int], Field(min_length=1)]

    @field_validator("answers")
    @classmethod
    def _answers_among_choices(cls, answers: list[int], info: ValidationInfo) -> list[int]:
        choices = info.data.get("choices")
        bad = [a for a in answers if choices is not None and not 0 <= a < len(choices)]
        if bad:
            raise ValueError(f"answers {bad} are not among the {len(choices)} choices "
                             f"(count from 0)")
        if len(set(answers)) != len(answers):
            raise ValueError("answers repeat a choice")
        return answers


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: float
    tolerance: Annotated[float, Field(ge=0)] = 1e-6
    unit: str | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"numeric answer must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError("numeric answer must be finite")
        return value


# An explanation of an order question with interchangeable items must say so, and one without
# must not: the grader accepts exactly the orders the explanation describes.
ANY_ORDER_PHRASES = {"en": ("either order", "any order"),
                     "ko": ("순서는 상관없", "순서가 상관없", "어느 쪽이 먼저", "어느 쪽을 먼저")}


class OrderQuestion(QuestionBase):
    """``items`` are written in a right order; the learner sees them shuffled.

    ``interchangeable`` lists groups of consecutive items (numbered from 1, as written) that may
    come in any order among themselves, e.g. ``[[3, 4]]``; every such order is graded right.
    """

    type: Literal["order"]
    items: Annotated[list[MarkdownText], Field(min_length=2)]
    interchangeable: list[list[int]] = []

    @field_validator("interchangeable")
    @classmethod
    def _groups_fit(cls, groups: list[list[int]], info: ValidationInfo) -> list[list[int]]:
        items = info.data.get("items")
        if items is None:
            return groups
        n, seen = len(items), set()
        for group in groups:
            if len(group) < 2:
                raise ValueError(f"group {group} needs at least 2 items")
            bad = [i for i in group if not 1 <= i <= n]
            if bad:
                raise ValueError(f"group {group}: item {bad[0]} is not among the {n} items "
                                 f"(count from 1)")
            if group != list(range(group[0], group[0] + len(group))):
                raise ValueError(f"group {group} must list consecutive items in order, "
                                 f"e.g. [{group[0]}, {group[0] + 1}]")
            if seen & set(group):
                raise ValueError(f"group {group} shares item {min(seen & set(group))} "
                                 f"with another group")
            if len(group) == n:
                raise ValueError(f"group {group} holds every item: nothing is left to order")
            seen |= set(group)
        return groups

    @model_validator(mode="after")
    def _explanation_agrees(self) -> "OrderQuestion":
        for lang, phrases in ANY_ORDER_PHRASES.items():
            says_any = any(p in self.explanation.get(lang).lower() for p in phrases)
            if self.interchangeable and not says_any:
                raise ValueError(f"explanation ({lang}) must say the interchangeable items may "
                                 f"come in any order (e.g. {phrases[0]!r})")
            if says_any and not self.interchangeable:
                raise ValueError(f"explanation ({lang}) says items may come in any order, "
                                 f"but no items are interchangeable")
        return self


class WhyQuestion(QuestionBase):
    """Answered in words, then self-rated against the model answer's key points."""

    type: Literal["why", "short"]
    a: MarkdownText
    points: Annotated[list[MarkdownText], Field(min_length=1)]


class GeneratedQuestion(QuestionMeta):
    """A question made fresh from a seed by a named generator in code."""

    type: Literal["generated"]
    generator: str
    params: dict[str, Any] = {}


Question = Annotated[
    Union[McqQuestion, MultiQuestion, NumericQuestion, OrderQuestion, WhyQuestion, GeneratedQuestion],
    Field(discriminator="type"),
]


class QuizBank(Model):
    questions: Annotated[list[Question], Field(min_length=1)]


# --------------------------------------------------------------------------- lesson steps

class Why(Model):
    id: Slug | None = None
    q: MarkdownText
    a: MarkdownText
    points: Annotated[list[MarkdownText], Field(min_length=1)]
    level: Level = 1


class DerivationLine(Model):
    math: str
    why: MarkdownText
    level: Level | None = None

    @field_validator("math")
    @classmethod
    def _renders(cls, value: str) -> str:
        try:
            latex_to_unicode(value)
        except UnsupportedLatex as err:
            raise ValueError(str(err)) from None
        return value

    @property
    def unicode(self) -> str:
        return latex_to_unicode(self.math)


class Derivation(Model):
    id: Slug | None = None
    title: Text
    level: Level = 2
    given: MarkdownText | None = None
    steps: Annotated[list[DerivationLine], Field(min_length=1)]
    conclusion: MarkdownText | None = None


class QuizRef(Model):
    ref: Slug


class Run(Model):
    experiment: str
    set: dict[str, int | float | str | bool] = {}
    ask: Text | None = None


class ProseStep(Model):
    prose: MarkdownText


class WhyStep(Model):
    why: Why


class DerivationStep(Model):
    derivation: Derivation


class QuizStep(Model):
    quiz: Annotated[
        Union[Annotated[QuizRef, Tag("ref")], Annotated[Question, Tag("inline")]],
        Discriminator(lambda v: "ref" if isinstance(v, dict) and "ref" in v
                      else ("ref" if isinstance(v, QuizRef) else "inline")),
    ]


class RunStep(Model):
    run: Run


STEP_KINDS = ("prose", "why", "derivation", "quiz", "run")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [k for k in STEP_KINDS if k in value]
        return kinds[0] if kinds else None
    for kind in STEP_KINDS:
        if hasattr(value, kind):
            return kind
    return None


Step = Annotated[
    Union[
        Annotated[ProseStep, Tag("prose")],
        Annotated[WhyStep, Tag("why")],
        Annotated[DerivationStep, Tag("derivation")],
        Annotated[QuizStep, Tag("quiz")],
        Annotated[RunStep, Tag("run")],
    ],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs one of: prose, why, derivation, quiz, run",
    ),
]


# --------------------------------------------------------------------------- pinned figures

#: A path into a run's ``finish`` event, e.g. ``variants.sgd.loss`` or ``variants.sigmoid.grads.0``.
FIGURE_VALUE = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$"


def format_figure(value: Any, spec: str) -> str:
    """``value`` written with the Python format ``spec`` (``.3f``, ``.2g``, ``d``, ``.1%``).

    A whole-number spec such as ``d`` takes a float that is whole (a step count) as well."""
    if isinstance(value, float) and value.is_integer() and spec.endswith(("d", "n")):
        value = int(value)
    return format(value, spec)


def _spec_problem(spec: str) -> str | None:
    # A spec is valid when it formats an integer or a float (``d`` refuses floats, ``.3f`` is fine).
    for sample in (1, 0.5):
        try:
            format(sample, spec)
            return None
        except (ValueError, TypeError):
            pass
    return f"format {spec!r} is not a Python format spec for a number (e.g. '.3f', '.2g', 'd')"


class Figure(Model):
    """A number the lesson's text quotes from a run, pinned: a test reruns ``experiment`` with
    ``set`` and checks that the run's ``value``, written with ``format``, is ``text``."""

    name: Slug
    experiment: Annotated[str, Field(max_length=80)]
    set: dict[str, int | float | str | bool]
    value: Annotated[str, Field(pattern=FIGURE_VALUE, max_length=200)]
    format: Annotated[str, Field(max_length=20)]
    #: the step whose text quotes it, counted from 0 as in ``steps[0]``
    step: Annotated[int, Field(ge=0)]
    #: exactly as the prose writes it: one string for both languages, or ``{ko: …, en: …}``
    text: Annotated[str, Field(min_length=1, max_length=80)] | Text

    @field_validator("set")
    @classmethod
    def _seed_given(cls, settings: dict) -> dict:
        if "seed" not in settings:
            raise ValueError("set must name the seed the figure comes from (e.g. seed: 0)")
        return settings

    @field_validator("format")
    @classmethod
    def _a_spec(cls, spec: str) -> str:
        problem = _spec_problem(spec)
        if problem:
            raise ValueError(problem)
        return spec

    def text_in(self, lang: str) -> str:
        return self.text if isinstance(self.text, str) else self.text.get(lang)

    def read(self, finish: dict) -> Any:
        """The value at ``value`` in a run's ``finish`` event; ValueError (one line) if none."""
        here: Any = finish
        for n, part in enumerate(self.value.split(".")):
            done = ".".join(self.value.split(".")[:n]) or "the finish event"
            if isinstance(here, dict) and part in here:
                here = here[part]
            elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
                here = here[int(part)]
            else:
                known = ", ".join(map(str, here)) if isinstance(here, dict) else \
                    (f"0…{len(here) - 1}" if isinstance(here, list) else "nothing")
                raise ValueError(f"{self.value}: {done} has no {part!r} (it has: {known})")
        if isinstance(here, bool) or not isinstance(here, (int, float)):
            raise ValueError(f"{self.value} is {here!r}, not a number")
        return here

    def quote(self, finish: dict) -> str:
        """How a run's ``finish`` event writes this figure: compare with ``text``."""
        return format_figure(self.read(finish), self.format)


def quotes(text: str, figure: str) -> bool:
    """``text`` writes ``figure`` as a number of its own: "96" is not the one in "1996" or "9.96"."""
    return re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d|\.\d)", text) is not None


def _step_texts(step: Any, lang: str) -> list[str]:
    """Every learner-facing text of a step in ``lang``: where a figure may be quoted."""
    texts: list[Text | None] = []
    if isinstance(step, ProseStep):
        texts = [step.prose]
    elif isinstance(step, WhyStep):
        texts = [step.why.q, step.why.a, *step.why.points]
    elif isinstance(step, DerivationStep):
        d = step.derivation
        texts = [d.title, d.given, *(line.why for line in d.steps), d.conclusion]
    out = [t.get(lang) for t in texts if t is not None]
    if isinstance(step, DerivationStep):
        out += [line.math for line in step.derivation.steps]
    return out


def _quoted_where_said(fig: Figure, info: ValidationInfo) -> Figure:
    """The figure's text is in its step, in each language (``info.data``: the lesson so far)."""
    steps = info.data.get("steps")
    if steps is None:   # the steps are wrong: reported there
        return fig
    if fig.step >= len(steps):
        raise ValueError(f"step {fig.step} is not among the {len(steps)} steps (count from 0)")
    for lang in LANGS:
        if not any(quotes(t, fig.text_in(lang)) for t in _step_texts(steps[fig.step], lang)):
            raise ValueError(f"text {fig.text_in(lang)!r} does not appear in the {lang} text "
                             f"of step {fig.step}")
    return fig


class Lesson(Model):
    id: Annotated[str, Field(pattern=r"^\d\d-\d\d-[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
    chapter: Annotated[int, Field(ge=1, le=9)]
    title: Text
    level: Level = 1
    minutes: Annotated[int, Field(ge=1, le=60)] | None = None
    steps: Annotated[list[Step], Field(min_length=1)]
    #: the figures the text quotes from runs (see :class:`Figure`)
    figures: list[Annotated[Figure, AfterValidator(_quoted_where_said)]] = []

    @field_validator("figures")
    @classmethod
    def _names_differ(cls, figures: list[Figure]) -> list[Figure]:
        names = [fig.name for fig in figures]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two figures are named {twice[0]!r}")
        return figures

    @model_validator(mode="after")
    def _chapter_matches_id(self) -> "Lesson":
        if int(self.id[:2]) != self.chapter:
            raise ValueError(f"id {self.id!r} starts with chapter {self.id[:2]} "
                             f"but chapter is {self.chapter}")
        return self

    @property
    def short_id(self) -> str:
        """``03-02`` for ``03-02-perceptron-gates``: what ``tutor lesson`` takes."""
        return self.id[:5]

    def why_id(self, step_index: int) -> str:
        """Stable review-item id of a why step: its own id, else lesson id + step number."""
        step = self.steps[step_index]
        assert isinstance(step, WhyStep)
        return step.why.id or f"{self.id}/why-{step_index}"

    def derivation_id(self, step_index: int) -> str:
        step = self.steps[step_index]
        assert isinstance(step, DerivationStep)
        return step.derivation.id or f"{self.id}/derivation-{step_index}"


class Chapter(Model):
    number: Annotated[int, Field(ge=1, le=9)]
    title: Text
    summary: Text | None = None


class ChapterList(Model):
    chapters: Annotated[list[Chapter], Field(min_length=1)]
