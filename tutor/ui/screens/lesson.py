"""A lesson: its steps one after another, each revealed and answered in turn.

The position is saved every time the learner moves to a new step, so quitting (or a crash)
and reopening lands on the same step.
"""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.widgets import Header, Static

from tutor.content import Lesson

from ..strings import localize_bindings, tr
from ..widgets.steps import Attempt, StepWidget, build_step_widget
from .stepping import SteppingScreen, StepScroll
from ..widgets.footer import TutorFooter


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
        yield StepScroll(id="steps")
        yield Static("", id="lesson-status", classes="status")
        yield TutorFooter()

    def on_mount(self) -> None:
        app = self.app
        lang = app.lang
        localize_bindings(self, lang)
        self.query_one("#lesson-title", Static).update(
            RichText(f"{self.lesson.short_id}  {self.lesson.title.get(lang)}", style="bold"))
        saved = max(0, min(app.store.position(self.lesson.id), self.total - 1))
        steps = self.scroller
        for i in range(saved):
            steps.mount(self._build(i, review=True))
        self.index = saved
        steps.mount(self._build(saved, review=False))
        self.kept(app.store.save_position(self.lesson.id, self.index, self.total))
        self.call_after_refresh(self._opened)

    def _build(self, index: int, *, review: bool) -> StepWidget:
        return build_step_widget(self.lesson, index, self.app.library, self.app.lang,
                                 review=review)

    def _opened(self) -> None:
        self.focus_steps()
        self.step_changed(opened=True)

    @property
    def current(self) -> StepWidget:
        return self.query_one(f"#step-{self.index}", StepWidget)

    def status_text(self) -> str:
        if self.finished:
            return tr("lesson_done", self.app.lang)
        return tr("step_of", self.app.lang, step=self.index + 1, total=self.total)

    # -- actions -----------------------------------------------------------------------

    async def action_next(self) -> None:
        if self.finished:
            self.action_back()
            return
        step = self.current
        if step.guard(step.advance):
            self.step_changed()
            return
        if not step.done:
            return
        if self.index + 1 >= self.total:
            self.finished = True
            self.kept(self.app.store.complete_lesson(self.lesson.id, self.total))
            self.scroller.mount(Static(RichText(tr("lesson_done", self.app.lang),
                                                style="bold green"), id="lesson-done"))
            self.focus_steps()
            self.step_changed()
            return
        self.index += 1
        self.kept(self.app.store.save_position(self.lesson.id, self.index, self.total))
        await self.scroller.mount(self._build(self.index, review=False))
        self.call_after_refresh(self._opened)

    @on(Attempt)
    def _keep(self, message: Attempt) -> None:
        saved = self.app.store.record_attempt(
            message.item_id, message.kind, lesson_id=self.lesson.id, answer=message.answer,
            correct=message.correct, rating=message.rating, seconds=message.seconds)
        self.kept(saved)
