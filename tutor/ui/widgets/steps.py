"""One widget per kind of lesson step.

Each step widget is a small state machine driven by the lesson screen's keys:
``advance()`` (space/enter) returns True when the step used the key (revealed something) and
False when the step is finished and the lesson may move on. Answers leave the widget as an
:class:`Attempt` message; the screen stores them, so widgets never touch the database.
"""

from __future__ import annotations

import random
import time
import traceback
from datetime import datetime
from pathlib import Path

import platformdirs

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
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
    safe_text,
)
from tutor.content.models import Text as Bilingual

from tutor.practice.grading import Graded, answer_text, grade, shuffled_order

from ..strings import tr


def md(text: Bilingual, lang: str) -> str:
    return render_inline_math(text.get(lang))


def labelled(label: str, markdown: str) -> str:
    """``**label:** text`` — with a no-break space, which Textual's Markdown does not drop."""
    return f"**{label}:**\u00a0{markdown}"


def failure_log_path() -> Path:
    return Path(platformdirs.user_log_dir("why-tutor", appauthor=False)) / "errors.log"


def log_failure(where: str, error: BaseException) -> None:
    """Append the traceback to the error log: the learner sees a notice, a developer the details."""
    try:
        path = failure_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} {where}\n")
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        pass  # a log we cannot write must not turn one failure into two


def content_markdown(text: str, classes: str = "") -> Markdown:
    """Markdown from content: no control characters reach the terminal, and links are not
    followed on a click (the app asks first)."""
    return Markdown(safe_text(text), classes=classes, open_links=False)


def plain(text: str, style: str = "") -> Static:
    """A Static that shows ``text`` literally: no markup (content may contain brackets) and no
    control characters."""
    return Static(RichText(safe_text(text), style=style))


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


class StepChanged(Message):
    """A step revealed or answered something outside a key press the screen saw (Enter in a field)."""


class PromptChanged(Message):
    """A step's prompt changed by itself (a run finished): the status line mirrors it."""


class StepResized(Message):
    """A step's height changed (Markdown lays out after it is mounted): keep it in view."""


class StepWidget(Vertical):
    """Base: a finished step (``done``) no longer takes keys.

    Subclasses write ``compose_step`` and ``mount_step``; the base runs them inside a boundary,
    so a step that fails to build shows a notice and can be skipped instead of crashing the
    lesson (which, resumed on the same step, would crash again).
    """

    DEFAULT_CLASSES = "step"

    def __init__(self, lang: str, *, review: bool = False, item_id: str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.lang = lang
        self.review = review  # shown again on resume: everything revealed, no questions asked
        self.done = review
        self.started = time.monotonic()
        self.item_id = item_id
        self.failure: str | None = None
        self.failure_where = ""
        self.hint_text = ""

    def compose(self) -> ComposeResult:
        try:
            widgets = list(self.compose_step())
        except Exception as error:  # noqa: BLE001 — the boundary: any failure becomes a notice
            widgets = []
            self.failed(error)
        yield from widgets

    def compose_step(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if self.failure is None:
            self.guard(self.mount_step)
        if self.failure is not None:
            self._show_failure()

    def mount_step(self) -> None:
        pass

    def on_resize(self) -> None:
        self.post_message(StepResized())

    def guard(self, action, *args) -> bool:
        """Run ``action``; a failure turns this step into a notice the learner can skip."""
        if self.failure is not None:
            return False
        try:
            return action(*args)
        except Exception as error:  # noqa: BLE001
            self.failed(error)
            if self.is_mounted:
                self._show_failure()
            return True

    def failed(self, error: BaseException) -> None:
        step = (self.id or "").removeprefix("step-").removeprefix("item-")
        self.failure = f"{type(error).__name__}: {error}"
        self.done = True
        log_failure(f"step {step} ({self.item_id or '-'})", error)
        self.failure_where = step

    def _show_failure(self) -> None:
        self.remove_children()
        self.add_class("failed")
        number = int(self.failure_where) + 1 if self.failure_where.isdigit() else "?"
        self.mount(plain(tr("step_failed", self.lang, step=number, item=self.item_id or "-",
                            error=self.failure), "bold red"))
        self.mount(plain(tr("step_failed_hint", self.lang, log=str(failure_log_path()))))
        self.notify(tr("step_failed_notice", self.lang, step=number), severity="error")

    def offers(self, ability: str) -> bool:
        """Whether the key for ``ability`` ("skip", "type_answer") does something now."""
        return False

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
        self.hint(tr("typing_hint", self.lang))
        return True

    def prompt(self) -> str:
        """What the step waits for, mirrored in the screen's status line (always visible)."""
        return tr("next_hint", self.lang) if self.failure is not None else self.hint_text

    def hint(self, text: str) -> None:
        self.hint_text = text
        try:
            self.query_one(".hint", Static).update(RichText(text))
        except Exception:  # noqa: BLE001 — the hint line is not mounted yet
            pass

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 1)

    def focus_after_reveal(self):
        """The first widget of what was just revealed (scrolled into view with the hint)."""
        return None

    def revealed_widget(self):
        """:meth:`focus_after_reveal`, or None while the step is not (or no longer) built: the
        screen asks after every resize, and a hurried learner's keys can arrive between a step's
        mount and its compose."""
        if self.failure is not None or not self.is_mounted:
            return None
        try:
            return self.focus_after_reveal()
        except NoMatches:
            return None

    def focus_target(self):
        """The widget that should have focus while this step waits (an answer field), if any."""
        return self if self.can_focus else None


class ProseView(StepWidget):
    def __init__(self, step: ProseStep, lang: str, **kwargs):
        super().__init__(lang, **kwargs)
        self.step = step
        self.done = True

    def compose_step(self) -> ComposeResult:
        yield content_markdown(md(self.step.prose, self.lang), "prose")


class SelfRating:
    """Shared by why cards and why-type quiz questions: reveal, then rate 1–4."""

    def rating_text(self, rating: int) -> str:
        return tr("rated", self.lang, rating=tr(f"rating_{rating}", self.lang))


def answer_reveal(box: Vertical, answer: Bilingual, points: list[Bilingual], lang: str) -> None:
    """The model answer and its key points, mounted into ``box`` (why cards and why quizzes)."""
    box.mount(plain(tr("model_answer", lang), "bold"))
    box.mount(content_markdown(md(answer, lang), "model-answer"))
    box.mount(plain(tr("key_points", lang), "bold"))
    box.mount(content_markdown("\n".join(f"- {md(p, lang)}" for p in points), "key-points"))


class WhyCard(StepWidget, SelfRating):
    """Think → (type) → reveal the model answer and key points → rate yourself 1–4."""

    def __init__(self, item_id: str, q: Bilingual, a: Bilingual, points: list[Bilingual],
                 lang: str, kind: str = "why", **kwargs):
        super().__init__(lang, item_id=item_id, **kwargs)
        self.kind = kind
        self.q, self.a, self.points = q, a, points
        self.revealed = self.review
        self.rating: int | None = None
        self.hint_text = "" if self.review else tr("why_think", lang)

    def compose_step(self) -> ComposeResult:
        yield plain(tr("why_label", self.lang), "bold")
        yield content_markdown(md(self.q, self.lang), "question")
        yield TextArea(id="answer-box", classes="answer-box hidden")
        yield Vertical(id="reveal", classes="" if self.revealed else "hidden")
        yield plain(self.hint_text).add_class("hint")

    def mount_step(self) -> None:
        if self.revealed:
            self._fill_reveal()

    def _fill_reveal(self) -> None:
        box = self.query_one("#reveal", Vertical)
        answer_reveal(box, self.a, self.points, self.lang)
        box.remove_class("hidden")

    def focus_after_reveal(self):
        return self.query_one("#reveal", Vertical) if self.revealed else None

    def offers(self, ability: str) -> bool:
        return ability == "type_answer" and not self.revealed

    def type_answer(self) -> bool:
        return False if self.revealed or self.done else self.open_answer_box()

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
        super().__init__(lang, item_id=item_id, **kwargs)
        self.derivation = step.derivation
        self.shown = len(self.derivation.steps) if self.review else 0
        self.skipped = False

    @property
    def heavy(self) -> bool:
        return self.derivation.level >= 3

    def compose_step(self) -> ComposeResult:
        d = self.derivation
        level = tr("level", self.lang, n=d.level)
        yield plain(f"{tr('derivation_label', self.lang)} · {d.title.get(self.lang)} [{level}]",
                    "bold")
        if d.given:
            yield content_markdown(labelled(tr("given", self.lang), md(d.given, self.lang)))
        yield Vertical(id="lines")
        yield plain("").add_class("hint")

    def mount_step(self) -> None:
        lines = self.query_one("#lines", Vertical)
        for i in range(self.shown):
            lines.mount(*self._line_widgets(i))
        if self.review and self.derivation.conclusion:
            self.mount(content_markdown(md(self.derivation.conclusion, self.lang)),
                       before=self.query_one(".hint"))
        self._update_hint()

    def _line_widgets(self, i: int) -> list:
        line = self.derivation.steps[i]
        math = plain(f"({i + 1}) {line.unicode}", "bold").add_class("math")
        why = content_markdown(md(line.why, self.lang), "line-why")
        return [math, why]

    def focus_after_reveal(self):
        lines = self.query_one("#lines", Vertical).children
        return lines[-2] if len(lines) >= 2 else None

    def _update_hint(self) -> None:
        total = len(self.derivation.steps)
        if self.skipped:
            self.hint(tr("derivation_skipped", self.lang))
        elif self.shown >= total:
            self.hint("" if self.review else tr("derivation_done", self.lang))
        elif self._heavy_here():
            self.hint(tr("derivation_skip_hint", self.lang, shown=self.shown, total=total))
        else:
            self.hint(tr("derivation_hint", self.lang, shown=self.shown, total=total))

    def _heavy_here(self) -> bool:
        steps = self.derivation.steps
        return self.heavy or (self.shown < len(steps) and (steps[self.shown].level or 0) >= 3)

    def advance(self) -> bool:
        if self.done:
            return False
        total = len(self.derivation.steps)
        if self.shown < total:
            self.query_one("#lines", Vertical).mount(*self._line_widgets(self.shown))
            self.shown += 1
            if self.shown == total and self.derivation.conclusion:
                self.mount(content_markdown(md(self.derivation.conclusion, self.lang)),
                           before=self.query_one(".hint"))
            self._update_hint()
            return True
        self.done = True
        # Read through: it becomes a review item, practised line by line later.
        self.post_message(Attempt(self.item_id, "derivation", seconds=self.elapsed()))
        return False

    def offers(self, ability: str) -> bool:
        return ability == "skip" and self._heavy_here()

    def skip(self) -> bool:
        if self.done or not self._heavy_here():
            return False
        self.skipped = True
        self.done = True
        self.post_message(Attempt(self.item_id, "derivation", seconds=self.elapsed()))
        self._update_hint()
        return True


class Choice(Horizontal):
    """One option of a choice question: a mark column and the text, wrapped with a hanging indent."""

    def __init__(self, number: int, text: str, *, multi: bool):
        super().__init__(classes="choice")
        self.number = number
        self.text = text
        self.multi = multi

    def compose(self) -> ComposeResult:
        yield plain(self._mark(False)).add_class("choice-mark")
        yield plain(self.text).add_class("choice-text")

    def _mark(self, selected: bool) -> str:
        if self.multi:
            return f"[{'x' if selected else ' '}] {self.number}."
        return f"{'▶' if selected else ' '} [{self.number}]"

    def select(self, selected: bool) -> None:
        self.set_class(selected, "selected")
        self.query_one(".choice-mark", Static).update(RichText(self._mark(selected)))


class QuizCard(StepWidget, SelfRating):
    """A question answered in place: right/wrong with the explanation."""

    def __init__(self, question, lang: str, *, seed: int | None = None, **kwargs):
        super().__init__(lang, item_id=question.id, **kwargs)
        self.question = question
        self.answered = self.review
        self.selected: set[int] = set()
        self.revealed = self.review
        self.order: list[int] = []
        if isinstance(question, OrderQuestion):
            self.order = shuffled_order(question, seed if seed is not None else question.id)
        self.correct: bool | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose_step(self) -> ComposeResult:
        q = self.question
        yield plain(tr("quiz_label", self.lang), "bold")
        yield content_markdown(md(q.q, self.lang), "question")
        if isinstance(q, (McqQuestion, MultiQuestion)):
            for i, choice in enumerate(q.choices):
                yield Choice(i + 1, render_inline_math(choice.get(self.lang)),
                             multi=isinstance(q, MultiQuestion))
        elif isinstance(q, OrderQuestion):
            for shown, original in enumerate(self.order):
                yield Choice(shown + 1, render_inline_math(q.items[original].get(self.lang)),
                             multi=False)
        if isinstance(q, NumericQuestion) and not self.review:
            yield Input(id="quiz-input", placeholder=q.unit or tr("placeholder_number", self.lang))
        elif isinstance(q, OrderQuestion) and not self.review:
            example = " ".join(str(i) for i in range(len(q.items), 0, -1))
            yield Input(id="quiz-input", placeholder=tr("placeholder_order", self.lang,
                                                        example=example))
        yield Vertical(id="feedback")
        yield plain("").add_class("hint")

    def mount_step(self) -> None:
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

    def focus_target(self):
        fields = self.query("#quiz-input")
        return fields.first() if fields and not self.done else None

    def focus_after_reveal(self):
        return self.query_one("#feedback", Vertical) if self.answered or self.revealed else None

    def _show_feedback(self, graded: Graded | None) -> None:
        q = self.question
        box = self.query_one("#feedback", Vertical)
        if isinstance(q, WhyQuestion):
            answer_reveal(box, q.a, q.points, self.lang)
            return
        correct = graded.correct if graded else None
        if correct is True:
            box.mount(plain(tr("correct", self.lang), "bold green").add_class("verdict"))
        elif correct is False:
            box.mount(plain(tr("wrong", self.lang, answer=self.answer_text()), "bold red")
                      .add_class("verdict"))
        else:
            box.mount(plain(self.answer_text(), "bold"))
        note = graded.note_text(self.lang) if graded is not None else ""
        if note:
            box.mount(plain(note, "italic"))
        box.mount(content_markdown(labelled(tr("explanation", self.lang),
                                            md(q.explanation, self.lang))))

    def _finish(self, graded: Graded) -> None:
        self.answered = True
        self.correct = graded.correct
        self.done = True
        self.post_message(Attempt(self.question.id, "quiz", answer=graded.given,
                                  correct=graded.correct, seconds=self.elapsed()))
        self._show_feedback(graded)
        self.hint(tr("next_hint", self.lang))

    # -- keys ------------------------------------------------------------------------------

    def press_number(self, n: int) -> bool:
        q = self.question
        if self.done:
            return False
        if isinstance(q, McqQuestion) and 1 <= n <= len(q.choices):
            self.query(Choice)[n - 1].select(True)
            self._finish(grade(q, str(n)))
            return True
        if isinstance(q, MultiQuestion) and 1 <= n <= len(q.choices):
            self.selected ^= {n - 1}
            for i, row in enumerate(self.query(Choice)):
                row.select(i in self.selected)
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
                self.hint(tr("quiz_multi", self.lang))
                return True
            self._finish(grade(q, " ".join(str(i + 1) for i in sorted(self.selected))))
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
        if not self.done:
            self.guard(self._submit, event.input)

    def _submit(self, field: Input) -> bool:
        graded = grade(self.question, field.value, self.order)
        if graded.problem:
            self.hint(graded.problem_text(self.lang))
            field.select_all()  # what was refused is kept, and the next try replaces it
            return False
        self._finish(graded)
        field.disabled = True
        self.post_message(StepChanged())
        return True


class MissingQuizCard(StepWidget):
    def __init__(self, ref: str, lang: str, **kwargs):
        super().__init__(lang, item_id=ref, **kwargs)
        self.ref = ref
        self.done = True

    def compose_step(self) -> ComposeResult:
        yield plain(tr("quiz_missing", self.lang, ref=self.ref), "bold red")


class FailedStep(StepWidget):
    """Stands in for a step whose widget could not even be built."""

    def __init__(self, error: BaseException, lang: str, item_id: str | None = None, **kwargs):
        super().__init__(lang, item_id=item_id, **kwargs)
        self.error = error

    def compose_step(self) -> ComposeResult:
        raise self.error


def build_step_widget(lesson, index: int, library, lang: str, *, review: bool) -> StepWidget:
    """:func:`make_step_widget`, or a :class:`FailedStep` if building it fails."""
    try:
        return make_step_widget(lesson, index, library, lang, review=review)
    except Exception as error:  # noqa: BLE001 — the boundary, as in StepWidget.guard
        return FailedStep(error, lang, id=f"step-{index}")


def build_practice_widget(item, lang: str, index: int) -> StepWidget:
    """:func:`make_practice_widget`, or a :class:`FailedStep` if building it fails."""
    try:
        return make_practice_widget(item, lang, index)
    except Exception as error:  # noqa: BLE001
        return FailedStep(error, lang, item_id=item.item_id, id=f"item-{index}")


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
        from ..run.step import RunCard  # noqa: PLC0415 (NumPy and the registry only for a run)

        return RunCard(step.run.experiment, dict(step.run.set), step.run.ask, lang, **kwargs)
    raise TypeError(f"unknown step {step!r}")


class DerivationPractice(StepWidget):
    """Review a derivation: predict each next line, reveal it, rate it 1–4.

    The card is rated by its weakest line, so one missed step brings the whole derivation back.
    """

    def __init__(self, item_id: str, derivation, lang: str, **kwargs):
        super().__init__(lang, item_id=item_id, **kwargs)
        self.derivation = derivation
        self.shown = 0
        self.ratings: list[int] = []
        self.hint_text = tr("prompt_predict", lang)

    def compose_step(self) -> ComposeResult:
        d = self.derivation
        yield plain(tr("derivation_practice", self.lang, title=d.title.get(self.lang)), "bold")
        if d.given:
            yield content_markdown(labelled(tr("given", self.lang), md(d.given, self.lang)))
        yield Vertical(id="lines")
        yield TextArea(id="answer-box", classes="answer-box hidden")
        yield plain(self.hint_text).add_class("hint")

    def _awaiting_rating(self) -> bool:
        return len(self.ratings) < self.shown

    def offers(self, ability: str) -> bool:
        return ability == "type_answer" and not self._awaiting_rating()

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
            content_markdown(md(line.why, self.lang), "line-why"))
        self.shown += 1
        self.query_one("#answer-box", TextArea).add_class("hidden")
        self.hint(tr("rate_prompt", self.lang))
        return True

    def focus_after_reveal(self):
        lines = self.query_one("#lines", Vertical).children
        return lines[-2] if len(lines) >= 2 else None

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
