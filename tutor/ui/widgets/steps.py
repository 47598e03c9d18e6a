"""One widget per kind of lesson step.

Each step widget is a small state machine driven by the lesson screen's keys:
``advance()`` (space/enter) returns True when the step used the key (revealed something) and
False when the step is finished and the lesson may move on. Answers leave the widget as an
:class:`Attempt` message; the screen stores them, so widgets never touch the database.
"""

from __future__ import annotations

import random
import time

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Markdown, Static, TextArea

from tutor.content import (
    DerivationStep,
    GeneratedQuestion,
    McqQuestion,
    MultiQuestion,
    NumericQuestion,
    OrderQuestion,
    ProseStep,
    QuizRef,
    QuizStep,
    RunStep,
    WhyQuestion,
    WhyStep,
    render_inline_math,
)
from tutor.content.models import Text as Bilingual

from tutor.practice.grading import Graded, answer_text, grade, shuffled_order

from ..strings import tr


def md(text: Bilingual, lang: str) -> str:
    return render_inline_math(text.get(lang))


def labelled(label: str, markdown: str) -> str:
    """``**label:** text`` — with a no-break space, which Textual's Markdown does not drop."""
    return f"**{label}:**\u00a0{markdown}"


def plain(text: str, style: str = "") -> Static:
    """A Static that shows ``text`` literally (no markup: content may contain brackets)."""
    return Static(RichText(text, style=style))


class Attempt(Message):
    """An answer or self-rating to keep."""

    def __init__(self, item_id: str, kind: str, *, answer: str | None = None,
                 correct: bool | None = None, rating: int | None = None,
                 seconds: float | None = None):
        super().__init__()
        self.item_id = item_id
        self.kind = kind
        self.answer = answer
        self.correct = correct
        self.rating = rating
        self.seconds = seconds


class StepWidget(Vertical):
    """Base: a finished step (``done``) no longer takes keys."""

    DEFAULT_CLASSES = "step"

    def __init__(self, lang: str, *, review: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.lang = lang
        self.review = review  # shown again on resume: everything revealed, no questions asked
        self.done = review
        self.started = time.monotonic()

    def advance(self) -> bool:
        return False

    def press_number(self, n: int) -> bool:
        return False

    def skip(self) -> bool:
        return False

    def type_answer(self) -> bool:
        return False

    def open_answer_box(self) -> bool:
        """Show and focus this step's text area (for steps that have one)."""
        area = self.query_one("#answer-box", TextArea)
        area.remove_class("hidden")
        area.focus()
        return True

    def hint(self, text: str) -> None:
        try:
            self.query_one(".hint", Static).update(RichText(text))
        except Exception:  # the hint line is not mounted yet
            pass

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 1)


class ProseView(StepWidget):
    def __init__(self, step: ProseStep, lang: str, **kwargs):
        super().__init__(lang, **kwargs)
        self.step = step
        self.done = True

    def compose(self) -> ComposeResult:
        yield Markdown(md(self.step.prose, self.lang), classes="prose")


class SelfRating:
    """Shared by why cards and why-type quiz questions: reveal, then rate 1–4."""

    def rating_text(self, rating: int) -> str:
        return tr("rated", self.lang, rating=tr(f"rating_{rating}", self.lang))


class WhyCard(StepWidget, SelfRating):
    """Think → (type) → reveal the model answer and key points → rate yourself 1–4."""

    def __init__(self, item_id: str, q: Bilingual, a: Bilingual, points: list[Bilingual],
                 lang: str, kind: str = "why", **kwargs):
        super().__init__(lang, **kwargs)
        self.item_id = item_id
        self.kind = kind
        self.q, self.a, self.points = q, a, points
        self.revealed = self.review
        self.rating: int | None = None

    def compose(self) -> ComposeResult:
        yield plain(tr("why_label", self.lang), "bold")
        yield Markdown(md(self.q, self.lang), classes="question")
        yield TextArea(id="answer-box", classes="answer-box hidden")
        yield Vertical(id="reveal", classes="" if self.revealed else "hidden")
        yield plain("" if self.review else tr("why_think", self.lang)).add_class("hint")

    def on_mount(self) -> None:
        if self.revealed:
            self._fill_reveal()

    def _fill_reveal(self) -> None:
        box = self.query_one("#reveal", Vertical)
        box.mount(plain(tr("model_answer", self.lang), "bold"))
        box.mount(Markdown(md(self.a, self.lang), classes="model-answer"))
        box.mount(plain(tr("key_points", self.lang), "bold"))
        box.mount(Markdown("\n".join(f"- {md(p, self.lang)}" for p in self.points),
                           classes="key-points"))
        box.remove_class("hidden")

    def type_answer(self) -> bool:
        return False if self.revealed else self.open_answer_box()

    def advance(self) -> bool:
        if self.done:
            return False
        if not self.revealed:
            self.revealed = True
            self._fill_reveal()
            self.hint(tr("rate_prompt", self.lang))
            return True
        self.hint(tr("rate_first", self.lang) + "  " + tr("rate_prompt", self.lang))
        return True

    def press_number(self, n: int) -> bool:
        if self.done or not self.revealed or not 1 <= n <= 4:
            return False
        self.rating = n
        self.done = True
        typed = self.query_one("#answer-box", TextArea).text.strip() or None
        self.post_message(Attempt(self.item_id, self.kind, answer=typed, rating=n,
                                  seconds=self.elapsed()))
        self.hint(self.rating_text(n))
        return True


class DerivationCard(StepWidget):
    """Reveal one line at a time, each with its justification."""

    def __init__(self, item_id: str, step: DerivationStep, lang: str, **kwargs):
        super().__init__(lang, **kwargs)
        self.item_id = item_id
        self.derivation = step.derivation
        self.shown = len(self.derivation.steps) if self.review else 0
        self.skipped = False

    @property
    def heavy(self) -> bool:
        return self.derivation.level >= 3

    def compose(self) -> ComposeResult:
        d = self.derivation
        level = tr("level", self.lang, n=d.level)
        yield plain(f"{tr('derivation_label', self.lang)} · {d.title.get(self.lang)} [{level}]",
                    "bold")
        if d.given:
            yield Markdown(labelled(tr("given", self.lang), md(d.given, self.lang)))
        yield Vertical(id="lines")
        yield plain("").add_class("hint")

    def on_mount(self) -> None:
        lines = self.query_one("#lines", Vertical)
        for i in range(self.shown):
            lines.mount(*self._line_widgets(i))
        if self.review and self.derivation.conclusion:
            self.mount(Markdown(md(self.derivation.conclusion, self.lang)), before=self.query_one(".hint"))
        self._update_hint()

    def _line_widgets(self, i: int) -> list:
        line = self.derivation.steps[i]
        label = f"({i + 1}) "
        math = plain(label + line.unicode, "bold").add_class("math")
        why = Markdown(md(line.why, self.lang), classes="line-why")
        return [math, why]

    def _update_hint(self) -> None:
        total = len(self.derivation.steps)
        if self.skipped:
            self.hint(tr("derivation_skipped", self.lang))
        elif self.shown >= total:
            self.hint("" if self.review else tr("derivation_done", self.lang))
        elif self.heavy or (self.derivation.steps[self.shown].level or 0) >= 3:
            self.hint(tr("derivation_skip_hint", self.lang, shown=self.shown, total=total))
        else:
            self.hint(tr("derivation_hint", self.lang, shown=self.shown, total=total))

    def advance(self) -> bool:
        if self.done:
            return False
        total = len(self.derivation.steps)
        if self.shown < total:
            self.query_one("#lines", Vertical).mount(*self._line_widgets(self.shown))
            self.shown += 1
            if self.shown == total and self.derivation.conclusion:
                self.mount(Markdown(md(self.derivation.conclusion, self.lang)),
                           before=self.query_one(".hint"))
            self._update_hint()
            return True
        self.done = True
        # Read through: it becomes a review item, practised line by line later.
        self.post_message(Attempt(self.item_id, "derivation", seconds=self.elapsed()))
        return False

    def skip(self) -> bool:
        heavy_here = self.heavy or (self.shown < len(self.derivation.steps)
                                    and (self.derivation.steps[self.shown].level or 0) >= 3)
        if self.done or not heavy_here:
            return False
        self.skipped = True
        self.done = True
        self.post_message(Attempt(self.item_id, "derivation", seconds=self.elapsed()))
        self._update_hint()
        return True


class QuizCard(StepWidget, SelfRating):
    """A question answered in place: right/wrong with the explanation."""

    def __init__(self, question, lang: str, *, seed: int | None = None, **kwargs):
        super().__init__(lang, **kwargs)
        self.question = question
        self.answered = self.review
        self.selected: set[int] = set()
        self.revealed = self.review
        self.order: list[int] = []
        if isinstance(question, OrderQuestion):
            self.order = shuffled_order(question, seed if seed is not None else question.id)
        self.correct: bool | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        q = self.question
        yield plain(f"{tr('quiz_label', self.lang)} · {q.id}", "bold")
        yield Markdown(md(q.q, self.lang), classes="question")
        if isinstance(q, (McqQuestion, MultiQuestion)):
            for i, choice in enumerate(q.choices):
                yield plain(f"  [{i + 1}] {render_inline_math(choice.get(self.lang))}",
                            ).add_class("choice")
        elif isinstance(q, OrderQuestion):
            for shown, original in enumerate(self.order):
                yield plain(f"  [{shown + 1}] {render_inline_math(q.items[original].get(self.lang))}")
        if isinstance(q, (NumericQuestion, OrderQuestion)) and not self.review:
            yield Input(id="quiz-input", placeholder=q.unit or "")
        yield Vertical(id="feedback")
        yield plain("").add_class("hint")

    def on_mount(self) -> None:
        q = self.question
        if self.review:
            self.done = True
            self._show_feedback(None)
            return
        prompts = {McqQuestion: "quiz_choose", MultiQuestion: "quiz_multi",
                   NumericQuestion: "quiz_numeric", OrderQuestion: "quiz_order",
                   WhyQuestion: "why_think"}
        self.hint(tr(prompts[type(q)], self.lang))
        if isinstance(q, (NumericQuestion, OrderQuestion)):
            self.query_one("#quiz-input", Input).focus()

    def answer_text(self) -> str:
        return answer_text(self.question, self.lang, self.order)

    def _show_feedback(self, correct: bool | None) -> None:
        q = self.question
        box = self.query_one("#feedback", Vertical)
        if isinstance(q, WhyQuestion):
            box.mount(plain(tr("model_answer", self.lang), "bold"))
            box.mount(Markdown(md(q.a, self.lang)))
            box.mount(plain(tr("key_points", self.lang), "bold"))
            box.mount(Markdown("\n".join(f"- {md(p, self.lang)}" for p in q.points)))
            return
        if correct is True:
            box.mount(plain(tr("correct", self.lang), "bold green").add_class("verdict"))
        elif correct is False:
            box.mount(plain(tr("wrong", self.lang, answer=self.answer_text()), "bold red")
                      .add_class("verdict"))
        else:
            box.mount(plain(self.answer_text(), "bold"))
        box.mount(Markdown(labelled(tr("explanation", self.lang), md(q.explanation, self.lang))))

    def _finish(self, graded: Graded) -> None:
        self.answered = True
        self.correct = graded.correct
        self.done = True
        self.post_message(Attempt(self.question.id, "quiz", answer=graded.given,
                                  correct=graded.correct, seconds=self.elapsed()))
        self._show_feedback(graded.correct)
        self.hint(tr("next_hint", self.lang))

    # -- keys ------------------------------------------------------------------------------

    def press_number(self, n: int) -> bool:
        q = self.question
        if self.done:
            return False
        if isinstance(q, McqQuestion) and 1 <= n <= len(q.choices):
            self._finish(grade(q, str(n)))
            return True
        if isinstance(q, MultiQuestion) and 1 <= n <= len(q.choices):
            self.selected ^= {n - 1}
            for i, row in enumerate(self.query(".choice")):
                row.set_class(i in self.selected, "selected")
            return True
        if isinstance(q, WhyQuestion) and self.revealed and 1 <= n <= 4:
            self.done = True
            self.post_message(Attempt(q.id, "quiz", rating=n, seconds=self.elapsed()))
            self.hint(self.rating_text(n))
            return True
        return False

    def advance(self) -> bool:
        q = self.question
        if self.done:
            return False
        if isinstance(q, MultiQuestion):
            if not self.selected:
                return True
            self._finish(grade(q, " ".join(str(i + 1) for i in self.selected)))
            return True
        if isinstance(q, WhyQuestion):
            if not self.revealed:
                self.revealed = True
                self._show_feedback(None)
                self.hint(tr("rate_prompt", self.lang))
            else:
                self.hint(tr("rate_first", self.lang))
            return True
        if isinstance(q, (NumericQuestion, OrderQuestion)):
            self.query_one("#quiz-input", Input).focus()
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.done:
            return
        graded = grade(self.question, event.value, self.order)
        if graded.problem:
            self.hint(graded.problem_text(self.lang))
            return
        self._finish(graded)
        event.input.disabled = True
        self.screen.focus()


class MissingQuizCard(StepWidget):
    def __init__(self, ref: str, lang: str, **kwargs):
        super().__init__(lang, **kwargs)
        self.ref = ref
        self.done = True

    def compose(self) -> ComposeResult:
        yield plain(tr("quiz_missing", self.lang, ref=self.ref), "bold red")


def make_step_widget(lesson, index: int, library, lang: str, *, review: bool) -> StepWidget:
    """The widget for step ``index`` of ``lesson``."""
    step = lesson.steps[index]
    kwargs = {"review": review, "id": f"step-{index}"}
    if isinstance(step, ProseStep):
        return ProseView(step, lang, **kwargs)
    if isinstance(step, WhyStep):
        why = step.why
        return WhyCard(lesson.why_id(index), why.q, why.a, why.points, lang, **kwargs)
    if isinstance(step, DerivationStep):
        return DerivationCard(lesson.derivation_id(index), step, lang, **kwargs)
    if isinstance(step, QuizStep):
        question = step.quiz
        if isinstance(question, QuizRef):
            question = library.question(question.ref)
            if question is None:
                return MissingQuizCard(step.quiz.ref, lang, **kwargs)
        if isinstance(question, WhyQuestion):
            return WhyCard(question.id, question.q, question.a, question.points, lang,
                           kind="quiz", **kwargs)
        if isinstance(question, GeneratedQuestion):
            # Fresh numbers every time the step is shown: the point is the method, not a number.
            from tutor.content.generators import generate  # noqa: PLC0415

            question = generate(question, random.randrange(2**31))
        return QuizCard(question, lang, **kwargs)
    if isinstance(step, RunStep):
        from .runpanel import RunPanel  # noqa: PLC0415 (runpanel imports this module)

        return RunPanel(step.run.experiment, dict(step.run.set), step.run.ask, lang, **kwargs)
    raise TypeError(f"unknown step {step!r}")


class DerivationPractice(StepWidget):
    """Review a derivation: predict each next line, reveal it, rate it 1–4.

    The card is rated by its weakest line, so one missed step brings the whole derivation back.
    """

    def __init__(self, item_id: str, derivation, lang: str, **kwargs):
        super().__init__(lang, **kwargs)
        self.item_id = item_id
        self.derivation = derivation
        self.shown = 0
        self.ratings: list[int] = []

    def compose(self) -> ComposeResult:
        d = self.derivation
        yield plain(tr("derivation_practice", self.lang, title=d.title.get(self.lang)), "bold")
        if d.given:
            yield Markdown(labelled(tr("given", self.lang), md(d.given, self.lang)))
        yield Vertical(id="lines")
        yield TextArea(id="answer-box", classes="answer-box hidden")
        yield plain(tr("prompt_predict", self.lang)).add_class("hint")

    def _awaiting_rating(self) -> bool:
        return len(self.ratings) < self.shown

    def type_answer(self) -> bool:
        return False if self._awaiting_rating() or self.done else self.open_answer_box()

    def advance(self) -> bool:
        if self.done:
            return False
        if self._awaiting_rating():
            self.hint(tr("rate_first", self.lang) + "  " + tr("rate_prompt", self.lang))
            return True
        line = self.derivation.steps[self.shown]
        self.query_one("#lines", Vertical).mount(
            plain(f"({self.shown + 1}) {line.unicode}", "bold").add_class("math"),
            Markdown(md(line.why, self.lang), classes="line-why"))
        self.shown += 1
        self.query_one("#answer-box", TextArea).add_class("hidden")
        self.hint(tr("rate_prompt", self.lang))
        return True

    def press_number(self, n: int) -> bool:
        if self.done or not self._awaiting_rating() or not 1 <= n <= 4:
            return False
        self.ratings.append(n)
        if self.shown == len(self.derivation.steps):
            self.done = True
            worst = min(self.ratings)
            self.post_message(Attempt(self.item_id, "derivation", rating=worst,
                                      seconds=self.elapsed()))
            self.hint(tr("rated", self.lang, rating=tr(f"rating_{worst}", self.lang)))
        else:
            area = self.query_one("#answer-box", TextArea)
            area.text = ""
            self.hint(tr("prompt_predict", self.lang))
        return True


def make_practice_widget(item, lang: str, index: int) -> StepWidget:
    """The widget for one item of a quiz or review session."""
    kwargs = {"id": f"item-{index}"}
    if item.derivation is not None:
        return DerivationPractice(item.item_id, item.derivation, lang, **kwargs)
    if item.why is not None:
        return WhyCard(item.item_id, item.why.q, item.why.a, list(item.why.points), lang,
                       kind=item.kind, **kwargs)
    return QuizCard(item.question, lang, **kwargs)
