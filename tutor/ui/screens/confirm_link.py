"""Asking before a link in a lesson is opened: content may point anywhere, the learner decides."""

from __future__ import annotations

from urllib.parse import urlparse

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..strings import tr


def openable(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


class ConfirmLink(ModalScreen[bool]):
    CSS_PATH = "confirm_link.tcss"
    BINDINGS = [Binding("y", "answer(True)", "Open"), Binding("n,escape", "answer(False)", "Back")]

    def __init__(self, url: str, lang: str):
        super().__init__()
        self.url = url
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(RichText(tr("link_confirm", self.lang, url=self.url)))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
