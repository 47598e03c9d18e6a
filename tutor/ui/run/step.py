"""A lesson's ``run:`` step: a step widget (the lesson's failure boundary, focus, keys) wrapping a
:class:`~tutor.ui.run.panel.RunPanel`. The learner may move on at any time."""

from __future__ import annotations

from textual.app import ComposeResult

from ..widgets.steps import StepWidget
from .panel import RunPanel


class RunCard(StepWidget):
    def __init__(self, experiment: str, params: dict, ask, lang: str, *, review: bool = False, **kwargs):
        super().__init__(lang, review=review, **kwargs)
        self.done = True   # never holds the lesson up: its own keys are r, x, l, e
        self.panel = RunPanel(experiment, params, ask, lang, review=review)

    def compose_step(self) -> ComposeResult:
        yield self.panel

    def focus_target(self):
        return self.panel

    def prompt(self) -> str:
        return self.panel.hint_text
