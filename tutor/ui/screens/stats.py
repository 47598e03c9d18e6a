"""Progress and statistics, the same numbers `tutor stats` prints."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Markdown

from tutor.practice.stats import compute_stats, format_stats

from ..strings import localize_bindings
from ..widgets.footer import TutorFooter


class StatsScreen(Screen):
    BINDINGS = [Binding("escape,q", "back", "Back"),
                Binding("question_mark", "app.help", "Help")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Markdown(format_stats(compute_stats(self.app.library, self.app.store),
                                        self.app.library, self.app.lang), id="stats")
        yield TutorFooter()

    def on_mount(self) -> None:
        localize_bindings(self, self.app.lang)
        self.refresh_bindings()

    def action_back(self) -> None:
        self.app.pop_screen()
