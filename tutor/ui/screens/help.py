"""The `?` screen: the keys of every screen, in the learner's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from rich.text import Text as RichText
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from ..strings import localize_bindings, tr


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, lang: str, db_path: str):
        super().__init__()
        self.lang = lang
        self.db_path = db_path

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.refresh_bindings()
        self.query_one("#help-keys", VerticalScroll).focus()  # arrows and PgDn scroll it

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(RichText(tr("help_title", self.lang)), classes="title")
            with VerticalScroll(id="help-keys"):
                yield Markdown(tr("help_body", self.lang, db=self.db_path))
            yield Static(RichText(tr("help_close", self.lang)), classes="hint")
