"""A quiz or review session: one item after another, then a summary."""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.widgets import Header, Static

from tutor.practice.session import Outcome, PracticeItem, SessionSummary

from ..strings import localize_bindings, tag_label, tr
from ..widgets.steps import Attempt, StepWidget, build_practice_widget
from .stepping import SteppingScreen, StepScroll
from ..widgets.footer import TutorFooter


class QuizScreen(SteppingScreen):
    scroll_id = "items"
    status_id = "quiz-status"

    def __init__(self, items: list[PracticeItem], empty_key: str = "session_empty"):
        super().__init__()
        self.items = items
        self.empty_key = empty_key
        self.index = 0
        self.summary = SessionSummary()

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepScroll(id="items")
        yield Static("", id="quiz-status", classes="status")
        yield TutorFooter()

    def on_mount(self) -> None:
        localize_bindings(self, self.app.lang)
        if not self.items:
            self.finished = True
            self.scroller.mount(Static(RichText(tr(self.empty_key, self.app.lang)),
                                       id="quiz-summary"))
            self.query_one("#quiz-status", Static).update(
                RichText(tr("session_empty_back", self.app.lang)))
            self.refresh_bindings()
            return
        self.call_later(self._show, 0)

    @property
    def current(self) -> StepWidget:
        return self.query_one(f"#item-{self.index}", StepWidget)

    def status_text(self) -> str:
        if self.finished:
            return tr("session_done", self.app.lang)
        return tr("item_of", self.app.lang, i=self.index + 1, n=len(self.items))

    async def _show(self, index: int) -> None:
        item = self.items[index]
        lang = self.app.lang
        box = self.scroller
        await box.remove_children()
        chapter = self.app.library.chapters.get(item.chapter)
        header = tr("item_header", lang, i=index + 1, n=len(self.items), chapter=item.chapter,
                    title=chapter.title.get(lang) if chapter else "",
                    tags=", ".join(tag_label(t, lang) for t in item.tags))
        await box.mount(Static(RichText(header, style="bold")),
                        build_practice_widget(item, lang, index))
        self.call_after_refresh(self._opened)

    def _opened(self) -> None:
        self.focus_steps()
        self.step_changed(opened=True)

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
        if self.index + 1 < len(self.items):
            self.index += 1
            await self._show(self.index)
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
                f"{tag_label(tag, lang)} ({round(share * 100)}%)" for tag, share, _ in weak)))
        box = self.scroller
        box.remove_children()
        box.mount(Static(RichText("\n".join(lines), style="bold"), id="quiz-summary"))
        self.focus_steps()
        self.step_changed()

    @on(Attempt)
    def _keep(self, message: Attempt) -> None:
        item = self.items[self.index]
        saved = self.app.store.record_attempt(
            message.item_id, message.kind, lesson_id=item.lesson_id, answer=message.answer,
            correct=message.correct, rating=message.rating, seconds=message.seconds)
        self.kept(saved)
        self.summary.outcomes.append(Outcome(item, correct=message.correct, rating=message.rating,
                                             seconds=message.seconds or 0.0,
                                             answer=message.answer))
