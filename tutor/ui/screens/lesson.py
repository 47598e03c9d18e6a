"""A lesson: its steps one after another, each revealed and answered in turn.

The position is saved every time the learner moves to a new step, so quitting (or a crash)
and reopening lands on the same step.
"""

from __future__ import annotations

from rich.text import Text as RichText
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TextArea

from tutor.content import Lesson

from ..strings import localize_bindings, tr
from ..widgets.steps import Attempt, StepWidget, make_step_widget


class LessonScreen(Screen):
    BINDINGS = [
        Binding("space,enter", "next", "Next", priority=False),
        Binding("s", "skip", "Skip level 3"),
        Binding("t", "type_answer", "Type answer"),
        Binding("escape,q", "back", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

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

    def action_skip(self) -> None:
        if not self.finished and self.current.skip():
            self.action_next()

    def action_type_answer(self) -> None:
        if not self.finished:
            self.current.type_answer()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_key(self, event: events.Key) -> None:
        # Digits answer or rate the current step; while typing they are just text.
        if isinstance(self.focused, (Input, TextArea)):
            if event.key == "escape":
                self.set_focus(None)
                event.stop()
            return
        if event.character and event.character.isdigit() and not self.finished:
            if self.current.press_number(int(event.character)):
                event.stop()

    def on_attempt(self, message: Attempt) -> None:
        self.app.store.record_attempt(message.item_id, message.kind, lesson_id=self.lesson.id,
                                      answer=message.answer, correct=message.correct,
                                      rating=message.rating, seconds=message.seconds)
