"""A quiz or review session: one item after another, then a summary."""

from __future__ import annotations

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tutor.practice.session import Outcome, PracticeItem, SessionSummary

from ..strings import localize_bindings, tr
from ..widgets.steps import Attempt, StepWidget, make_practice_widget
from .stepping import SteppingScreen


class QuizScreen(SteppingScreen):
    def __init__(self, items: list[PracticeItem], empty_key: str = "session_empty"):
        super().__init__()
        self.items = items
        self.empty_key = empty_key
        self.index = 0
        self.summary = SessionSummary()

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="items")
        yield Static("", id="quiz-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        localize_bindings(self, self.app.lang)
        self.refresh_bindings()
        if not self.items:
            self.finished = True
            self.query_one("#items").mount(Static(RichText(tr(self.empty_key, self.app.lang)),
                                                  id="quiz-summary"))
            return
        self._show(0)

    @property
    def current(self) -> StepWidget:
        return self.query_one(f"#item-{self.index}", StepWidget)

    def _show(self, index: int) -> None:
        item = self.items[index]
        box = self.query_one("#items", VerticalScroll)
        box.remove_children()
        box.mount(Static(RichText(tr("q_header", self.app.lang, i=index + 1, n=len(self.items),
                                     id=item.item_id, chapter=item.chapter,
                                     tags=", ".join(item.tags)), style="bold")))
        box.mount(make_practice_widget(item, self.app.lang, index))
        self.query_one("#quiz-status", Static).update(RichText(tr("next_hint", self.app.lang)))

    def action_next(self) -> None:
        if self.finished:
            self.action_back()
            return
        step = self.current
        if step.advance() or not step.done:
            return
        if self.index + 1 < len(self.items):
            self.index += 1
            self._show(self.index)
        else:
            self._finish()

    def _finish(self) -> None:
        self.finished = True
        lang = self.app.lang
        right, total = self.summary.score
        lines = [tr("summary", lang, right=right, total=total, seconds=self.summary.seconds)]
        weak = self.summary.weakest_tags()
        if weak:
            lines.append(tr("weakest", lang, tags=", ".join(
                f"{tag} ({round(share * 100)}%)" for tag, share, _ in weak)))
        box = self.query_one("#items", VerticalScroll)
        box.remove_children()
        box.mount(Static(RichText("\n".join(lines), style="bold"), id="quiz-summary"))
        self.query_one("#quiz-status", Static).update(RichText(tr("session_done", lang)))

    def on_attempt(self, message: Attempt) -> None:
        item = self.items[self.index]
        self.app.store.record_attempt(message.item_id, message.kind, lesson_id=item.lesson_id,
                                      answer=message.answer, correct=message.correct,
                                      rating=message.rating, seconds=message.seconds)
        self.summary.outcomes.append(Outcome(item, correct=message.correct, rating=message.rating,
                                             seconds=message.seconds or 0.0,
                                             answer=message.answer))
