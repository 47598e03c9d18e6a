"""The `?` screen: the keys of every screen, in the learner's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from ..strings import localize_bindings, tr


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, lang: str, db_path: str):
        super().__init__()
        self.lang = lang
        self.db_path = db_path

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.refresh_bindings()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(tr("help_title", self.lang), classes="title")
            yield Markdown(tr("help_body", self.lang, db=self.db_path))
            yield Static(tr("help_close", self.lang), classes="hint")
