"""What the lesson and the quiz screens share: one current step widget driven by keys."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, TextArea

from ..widgets.steps import StepWidget


class SteppingScreen(Screen):
    BINDINGS = [
        Binding("space,enter", "next", "Next"),
        Binding("s", "skip", "Skip level 3"),
        Binding("t", "type_answer", "Type answer"),
        Binding("escape,q", "back", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    finished = False

    @property
    def current(self) -> StepWidget:
        raise NotImplementedError

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
