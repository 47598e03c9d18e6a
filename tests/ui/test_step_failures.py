"""A step that fails never makes a lesson unresumable: it becomes a notice naming the step and
item, the learner skips it with space, the traceback goes to the error log."""

import sys
from pathlib import Path

import pytest

from tutor.content import bundled_content_dirs, load_library
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets import steps
from tutor.ui.widgets.steps import QuizCard, WhyCard

sys.path.insert(0, str(Path(__file__).parent))
from learner import Learner, settle  # noqa: E402

LIBRARY = load_library(bundled_content_dirs())
LESSON = "01-01-gradient-steepest"


@pytest.fixture
def log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "logs" / "errors.log"
    monkeypatch.setattr(steps, "failure_log_path", lambda: path)
    return path


def first_index(kind) -> int:
    lesson = LIBRARY.lessons[LESSON]
    return next(i for i in range(len(lesson.steps))
                if kind.__name__ == type(steps.make_step_widget(lesson, i, LIBRARY, "en",
                                                               review=False)).__name__)


@pytest.mark.parametrize("where", ["compose_step", "mount_step", "advance", "build"])
async def test_a_failing_step_is_skipped_and_the_lesson_completes(where, tmp_path, log,
                                                                   monkeypatch):
    index = first_index(WhyCard)
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position(LESSON, index, len(LIBRARY.lessons[LESSON].steps))
    store.close()
    if where == "build":
        real = steps.make_step_widget

        def failing(lesson, i, *a, **kw):
            if i == index and not kw.get("review"):
                raise RuntimeError("widget exploded")
            return real(lesson, i, *a, **kw)
        monkeypatch.setattr(steps, "make_step_widget", failing)
    else:
        real = getattr(WhyCard, where)

        def failing(self, *a, **kw):
            if self.id == f"step-{index}":
                raise RuntimeError("widget exploded")
            return real(self, *a, **kw)
        monkeypatch.setattr(WhyCard, where, failing)

    app = TutorApp(LIBRARY, ProgressStore(db), "en", start_lesson=LESSON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.index == index
        if where == "advance":
            await pilot.press("space")
            await settle(pilot)
        step = screen.current
        assert step.failure is not None and "widget exploded" in step.failure
        text = " ".join(str(s.render()) for s in step.query("Static"))
        assert f"step {index + 1}" in text and "skips it" in text
        await pilot.press("space")                      # skip it
        await settle(pilot)
        assert screen.index == index + 1
        await Learner(pilot).complete_step()            # the next step works as ever
    assert ProgressStore(db).position(LESSON) == index + 1
    logged = log.read_text(encoding="utf-8")
    assert "RuntimeError: widget exploded" in logged and f"step {index}" in logged


async def test_the_screen_never_asks_a_step_that_is_not_built_yet(tmp_path):
    """The before-stop walk (space 3 1 Enter, 60 ms apart) once crashed 03-05: a resize asked the
    freshly mounted derivation for its last line before it had composed. The screen asks through
    ``revealed_widget``, which answers None until the step is built."""
    lesson = LIBRARY.lessons[LESSON]
    index = first_index(steps.DerivationCard)
    card = steps.make_step_widget(lesson, index, LIBRARY, "en", review=False)
    assert card.revealed_widget() is None                # not mounted
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "en", start_lesson=LESSON)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await screen.scroller.mount(card)
        await card.query_one("#lines").remove()          # as between mount and compose
        assert card.revealed_widget() is None
        screen.scroll_goal = "reveal"
        screen.index = index                             # the card is the current step
        screen._scroll_into_view()                       # must not raise
        assert app.is_running
