"""The style sheets of the screens behind home, so that a start parses only ``tutor.tcss``."""

from __future__ import annotations

from pathlib import Path

UI = Path(__file__).resolve().parent

APP_STYLES = [UI / "tutor.tcss"]

# Steps, then the run panel, on every screen that shows either: Textual ranks rules of equal
# specificity by the order their files were first read, whichever screen read them first, and
# the run panel's rules must win over the generic step rules.
STEP_STYLES = [UI / "screens" / "steps.tcss", UI / "run" / "runs.tcss"]
