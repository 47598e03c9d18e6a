"""The mock interview: a visible timer, a typed answer, the key points ticked honestly."""

from __future__ import annotations

import time

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, SelectionList, Static, TextArea

from tutor.content import render_inline_math
from tutor.practice.interview import InterviewAnswer, InterviewReport, follow_up_for
from tutor.practice.session import PracticeItem

from ..strings import localize_bindings, tr


class InterviewScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, items: list[PracticeItem], minutes: float | None = 20):
        super().__init__()
        self.items = items
        self.minutes = minutes
        self.queue = list(items)
        self.asked: set[str] = set()
        self.current: PracticeItem | None = None
        self.phase = "answer"  # "answer" -> "tick" -> next question; "done" at the end
        self.started = time.monotonic()
        self.asked_at = self.started
        self.answer_text = ""
        self.report: InterviewReport | None = None
        self.answers: list[InterviewAnswer] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="iv-timer", classes="title")
        yield VerticalScroll(id="iv-body")
        yield Static("", id="iv-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        lang = self.app.lang
        localize_bindings(self, lang)
        self.refresh_bindings()
        if not self.items:
            self.phase = "done"
            self.query_one("#iv-body").mount(Static(RichText(tr("iv_empty", lang))))
            return
        self.set_interval(1.0, self._tick_clock)
        self._next_question()

    # -- time ------------------------------------------------------------------------------

    def seconds_left(self) -> float | None:
        if not self.minutes:
            return None
        return self.minutes * 60 - (time.monotonic() - self.started)

    def _tick_clock(self) -> None:
        if self.phase == "done":
            return
        left = self.seconds_left()
        shown = "-" if left is None else f"{max(0, int(left)) // 60}:{max(0, int(left)) % 60:02d}"
        n = len(self.answers) + 1
        label = tr("iv_header", self.app.lang, i=n, n=len(self.items), left=shown)
        if self.current and self.current.item_id not in {i.item_id for i in self.items}:
            label += f" · {tr('iv_follow_up', self.app.lang)}"
        self.query_one("#iv-timer", Static).update(RichText(label, style="bold"))

    # -- flow ------------------------------------------------------------------------------

    def _next_question(self) -> None:
        lang = self.app.lang
        self.current = self.queue.pop(0)
        self.asked.add(self.current.item_id)
        self.phase = "answer"
        self.asked_at = time.monotonic()
        body = self.query_one("#iv-body", VerticalScroll)
        body.remove_children()
        body.mount(Markdown(render_inline_math(self.current.why.q.get(lang)), classes="question"))
        # Widgets are kept by reference: removal of the previous question's is not awaited.
        self.answer_area = TextArea(classes="iv-answer")
        body.mount(self.answer_area)
        self.answer_area.focus()
        self.query_one("#iv-hint", Static).update(RichText(tr("iv_hint_answer", lang)))
        self._tick_clock()

    def action_submit(self) -> None:
        if self.phase == "answer":
            self._reveal()
        elif self.phase == "tick":
            self._record()
        elif self.phase == "done":
            self.app.pop_screen()

    def _reveal(self) -> None:
        lang = self.app.lang
        self.answer_text = self.answer_area.text.strip()
        self.seconds = round(time.monotonic() - self.asked_at, 1)
        self.phase = "tick"
        body = self.query_one("#iv-body", VerticalScroll)
        self.answer_area.disabled = True
        why = self.current.why
        body.mount(Static(RichText(tr("model_answer", lang), style="bold")))
        body.mount(Markdown(render_inline_math(why.a.get(lang))))
        body.mount(Static(RichText(tr("key_points", lang), style="bold")))
        self.points_list = SelectionList[int](*[(render_inline_math(p.get(lang)), i)
                                                for i, p in enumerate(why.points)],
                                              classes="iv-points")
        body.mount(self.points_list)
        self.points_list.focus()
        self.query_one("#iv-hint", Static).update(RichText(tr("iv_hint_tick", lang)))

    def _record(self) -> None:
        ticked = sorted(self.points_list.selected)
        item = self.current
        follow = item.item_id not in {i.item_id for i in self.items}
        result = InterviewAnswer(item, self.answer_text, ticked, self.seconds, is_follow_up=follow)
        self.answers.append(result)
        self.app.store.record_attempt(item.item_id, "why", lesson_id=item.lesson_id,
                                      answer=self.answer_text or None, rating=result.rating,
                                      seconds=self.seconds)
        left = self.seconds_left()
        nxt = follow_up_for(result, self.app.library, self.asked)
        if nxt is not None:
            self.queue.insert(0, nxt)
        if self.queue and (left is None or left > 0):
            self._next_question()
        else:
            self._finish(time_up=left is not None and left <= 0)

    def _finish(self, time_up: bool = False) -> None:
        lang = self.app.lang
        self.phase = "done"
        self.report = InterviewReport(self.answers, lang, self.minutes)
        path = self.report.write(self.app.store.path.parent / "reports")
        self.app.report_path = path
        got, total = self.report.total_points
        body = self.query_one("#iv-body", VerticalScroll)
        body.remove_children()
        lines = []
        if time_up:
            lines.append(tr("iv_time_up", lang))
        lines.append(tr("iv_score", lang, got=got, total=total,
                        minutes=(time.monotonic() - self.started) / 60))
        lines.append(tr("iv_report", lang, path=path))
        body.mount(Static(RichText("\n".join(lines), style="bold"), classes="iv-summary"))
        body.mount(Markdown(self.report.markdown()))
        self.query_one("#iv-hint", Static).update(RichText(tr("session_done", lang)))

    def action_back(self) -> None:
        if self.phase != "done" and self.answers:
            self._finish()
            return
        self.app.pop_screen()
