"""A lesson: its steps one after another, each revealed and answered in turn.

The position is saved every time the learner moves to a new step, so quitting (or a crash)
and reopening lands on the same step.
"""

from __future__ import annotations

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Static, TextArea

from tutor.content import Lesson

from ..strings import localize_bindings, tr
from ..widgets.steps import Attempt, StepWidget, make_step_widget
from .stepping import SteppingScreen


class LessonScreen(SteppingScreen):
    def __init__(self, lesson: Lesson):
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.finished = False

    @property
    def total(self) -> int:
        return len(self.lesson.steps)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="lesson-title", classes="title")
        yield VerticalScroll(id="steps")
        yield Static("", id="lesson-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        lang = app.lang
        localize_bindings(self, lang)
        self.refresh_bindings()
        self.query_one("#lesson-title", Static).update(
            RichText(f"{self.lesson.short_id}  {self.lesson.title.get(lang)}", style="bold"))
        saved = min(app.store.position(self.lesson.id), self.total - 1)
        steps = self.query_one("#steps", VerticalScroll)
        for i in range(saved):
            steps.mount(make_step_widget(self.lesson, i, app.library, lang, review=True))
        self.index = saved
        steps.mount(self._fresh(saved))
        self._status()
        app.store.save_position(self.lesson.id, self.index, self.total)
        self.call_after_refresh(self._scroll_to_current)

    def _fresh(self, index: int) -> StepWidget:
        return make_step_widget(self.lesson, index, self.app.library, self.app.lang, review=False)

    @property
    def current(self) -> StepWidget:
        return self.query_one(f"#step-{self.index}", StepWidget)

    def _status(self) -> None:
        text = tr("step_of", self.app.lang, step=self.index + 1, total=self.total)
        if self.finished:
            text = tr("lesson_done", self.app.lang)
        self.query_one("#lesson-status", Static).update(RichText(text))

    def _scroll_to_current(self) -> None:
        self.query_one("#steps", VerticalScroll).scroll_end(animate=False)
        # A step with keys of its own (the run panel's r/x/l/e) gets them without a click,
        # unless the learner is typing.
        if not self.finished and self.current.can_focus and \
                not isinstance(self.focused, (Input, TextArea)):
            self.current.focus()

    # -- actions -----------------------------------------------------------------------

    def action_next(self) -> None:
        if self.finished:
            self.action_back()
            return
        step = self.current
        if step.advance():
            self.call_after_refresh(self._scroll_to_current)
            return
        if not step.done:
            return
        if self.index + 1 >= self.total:
            self.finished = True
            self.app.store.complete_lesson(self.lesson.id, self.total)
            self.query_one("#steps", VerticalScroll).mount(
                Static(RichText(tr("lesson_done", self.app.lang), style="bold green"),
                       id="lesson-done"))
        else:
            self.index += 1
            self.app.store.save_position(self.lesson.id, self.index, self.total)
            self.query_one("#steps", VerticalScroll).mount(self._fresh(self.index))
        self._status()
        self.call_after_refresh(self._scroll_to_current)

    def on_attempt(self, message: Attempt) -> None:
        self.app.store.record_attempt(message.item_id, message.kind, lesson_id=self.lesson.id,
                                      answer=message.answer, correct=message.correct,
                                      rating=message.rating, seconds=message.seconds)
