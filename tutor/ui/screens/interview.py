"""The mock interview: a visible timer, a typed answer, the key points ticked honestly.

The flow itself (questions, follow-ups, the clock, the report) is practice.InterviewFlow, the
same one the plain session drives; this screen only shows it.
"""

from __future__ import annotations

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, SelectionList, Static, TextArea

from tutor.content import render_inline_math, safe_text
from tutor.practice.interview import InterviewAnswer, InterviewFlow, InterviewReport
from tutor.practice.session import PracticeItem

from ..strings import localize_bindings, tr
from ..styles import STEP_STYLES
from ..widgets.footer import TutorFooter
from ..widgets.steps import content_markdown

# At 80×24 the checklist must show together with the answer: once the key points appear, the
# answer box shrinks to this many rows and the points come right below it.
ANSWER_ROWS, ANSWER_ROWS_REVEALED = 8, 4


class InterviewScreen(Screen):
    CSS_PATH = STEP_STYLES
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "back", "Back", priority=True),
        # On the finished report the keys every other screen goes back with work too.
        Binding("space,q", "leave", "Back", show=False),
    ]

    def __init__(self, items: list[PracticeItem], minutes: float | None = 20):
        super().__init__()
        self.items = items
        self.minutes = minutes
        self.flow: InterviewFlow | None = None
        self.report: InterviewReport | None = None

    # The flow's state, for the tests and the bindings.
    @property
    def phase(self) -> str:
        return self.flow.phase if self.flow else "answer"

    @property
    def answers(self) -> list[InterviewAnswer]:
        return self.flow.answers if self.flow else []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="iv-timer", classes="title")
        yield VerticalScroll(id="iv-body")
        yield Static("", id="iv-hint", classes="hint")
        yield TutorFooter()

    def on_mount(self) -> None:
        lang = self.app.lang
        localize_bindings(self, lang)
        self.refresh_bindings()
        self.flow = InterviewFlow(self.items, self.app.library, self.app.store, lang,
                                  self.minutes)
        if not self.items:
            self.query_one("#iv-body").mount(Static(RichText(tr("iv_empty", lang))))
            return
        self.set_interval(1.0, self._tick_clock)
        self._next_question()

    def _tick_clock(self) -> None:
        if self.flow.phase != "done":
            self.query_one("#iv-timer", Static).update(RichText(self.flow.header(), style="bold"))

    # -- flow ------------------------------------------------------------------------------

    def _next_question(self) -> None:
        lang = self.app.lang
        item = self.flow.next_question()
        if item is None:
            self._finish()
            return
        body = self.query_one("#iv-body", VerticalScroll)
        body.remove_children()
        body.mount(content_markdown(render_inline_math(item.why.q.get(lang)), "question"))
        # Widgets are kept by reference: removal of the previous question's is not awaited.
        self.answer_area = TextArea(classes="iv-answer")
        self.answer_area.styles.height = ANSWER_ROWS
        body.mount(self.answer_area)
        self.answer_area.focus()
        self.query_one("#iv-hint", Static).update(RichText(tr("iv_hint_answer", lang)))
        self._tick_clock()

    def action_submit(self) -> None:
        phase = self.flow.phase if self.flow else "done"
        if phase == "answer":
            self._reveal()
        elif phase == "tick":
            self.flow.tick(list(self.points_list.selected))
            self._next_question()
        else:
            self.app.pop_screen()

    def _reveal(self) -> None:
        lang = self.app.lang
        self.flow.submit_answer(self.answer_area.text)
        body = self.query_one("#iv-body", VerticalScroll)
        self.answer_area.disabled = True
        self.answer_area.styles.height = ANSWER_ROWS_REVEALED
        why = self.flow.current.why
        body.mount(Static(RichText(tr("key_points", lang), style="bold")))
        # Key points are content: shown as text, never read as markup.
        self.points_list = SelectionList[int](
            *[(RichText(safe_text(render_inline_math(p.get(lang)))), i)
              for i, p in enumerate(why.points)], classes="iv-points")
        body.mount(self.points_list)
        body.mount(Static(RichText(tr("model_answer", lang), style="bold")))
        body.mount(content_markdown(render_inline_math(why.a.get(lang))))
        self.points_list.focus()
        self.call_after_refresh(self.points_list.scroll_visible, animate=False)
        self.query_one("#iv-hint", Static).update(RichText(tr("iv_hint_tick", lang)))

    def _finish(self, early: bool = False) -> None:
        lang = self.app.lang
        flow = self.flow
        if early:
            flow.end_early()
        path = flow.finish(self.app.store.path.parent / "reports")
        self.report = flow.report
        self.app.report_path = path
        body = self.query_one("#iv-body", VerticalScroll)
        body.remove_children()
        lines = []
        if flow.time_up:
            lines.append(tr("iv_time_up", lang))
        if early:
            lines.append(tr("iv_ended", lang, n=len(flow.answers)))
        lines.append(flow.report_line(path))
        self.query_one("#iv-timer", Static).update(RichText(flow.score_line(), style="bold"))
        body.mount(Static(RichText("\n".join(lines), style="bold"), classes="iv-summary"))
        body.mount(content_markdown(self.report.markdown()))
        self.query_one("#iv-hint", Static).update(RichText(tr("iv_hint_done", lang)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return self.flow is None or self.flow.phase == "done"
        return True

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_back(self) -> None:
        """Esc: end the interview here, keeping (and reporting) every answer given."""
        flow = self.flow
        if flow is not None and flow.phase == "answer" and self.answer_area.text.strip():
            flow.submit_answer(self.answer_area.text)  # typed but not submitted: kept, unrated
        if flow is not None and flow.phase != "done" and (flow.answers or flow.phase == "tick"):
            self._finish(early=True)
            return
        self.app.pop_screen()
