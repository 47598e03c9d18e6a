"""The TUI driven with Textual's Pilot: keys in, widgets and stored progress out."""

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from tutor.content import bundled_content_dirs, load_library
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.home import HomeScreen
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.steps import DerivationCard, QuizCard, WhyCard

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def library():
    lib = load_library([DATA / "good"] + bundled_content_dirs())
    assert lib.errors == []
    return lib


def make_app(library, db: Path, lang: str = "en", **kwargs) -> TutorApp:
    return TutorApp(library, ProgressStore(db), lang, **kwargs)


async def open_sample(pilot) -> LessonScreen:
    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    options = home.query_one("#lessons", OptionList)
    index = next(i for i in range(options.option_count)
                 if options.get_option_at_index(i).id == "lesson:03-90-sample")
    options.highlighted = index
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LessonScreen)
    return pilot.app.screen


async def test_walk_a_lesson_then_resume_at_the_same_step(library, tmp_path):
    db = tmp_path / "p.sqlite3"
    app = make_app(library, db)
    async with app.run_test(size=(100, 30)) as pilot:
        lesson = await open_sample(pilot)
        assert lesson.index == 0
        await pilot.press("space")                  # prose -> why
        why = lesson.current
        assert isinstance(why, WhyCard) and not why.revealed
        await pilot.press("space")                  # reveal the model answer
        assert why.revealed
        assert "composition of linear maps" in str(why.query_one("#reveal").query("Markdown").first().source)
        await pilot.press("space")                  # must rate first
        assert lesson.index == 1
        await pilot.press("3")                      # rate: good
        await pilot.pause()
        assert why.done and why.rating == 3
        await pilot.press("space")                  # -> derivation
        derivation = lesson.current
        assert isinstance(derivation, DerivationCard)
        await pilot.press("space")
        await pilot.press("space")
        assert derivation.shown == 2
        await pilot.press("space", "space")         # third line, then done -> quiz
        quiz = lesson.current
        assert isinstance(quiz, QuizCard) and quiz.question.id == "sample-mcq"
        await pilot.press("1")                      # wrong answer: 0
        await pilot.pause()
        assert quiz.done and quiz.correct is False
        await pilot.press("space")                  # -> numeric quiz
        numeric = lesson.current
        assert numeric.question.id == "sample-numeric"
        assert isinstance(app.focused, Input)
        await pilot.press(*"0.25", "enter")
        await pilot.pause()
        assert numeric.correct is True
        assert lesson.index == 4
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    store = ProgressStore(db)
    assert store.position("03-90-sample") == 4
    why_rows = store.attempts("sample-why-linear")
    assert [(r["kind"], r["rating"]) for r in why_rows] == [("why", 3)]
    assert [(r["answer"], r["correct"]) for r in store.attempts("sample-mcq")] == [("0", 0)]
    assert [(r["answer"], r["correct"]) for r in store.attempts("sample-numeric")] == [("0.25", 1)]
    store.close()

    # Relaunch: "continue" is first on the home screen and lands on the same step.
    again = make_app(library, db)
    async with again.run_test(size=(100, 30)) as pilot:
        options = again.screen.query_one("#lessons", OptionList)
        assert options.get_option_at_index(0).id == "continue:03-90-sample"
        assert options.highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        lesson = again.screen
        assert isinstance(lesson, LessonScreen) and lesson.index == 4
        # Earlier steps are shown again, answered; the current one is fresh.
        assert lesson.query_one("#step-1", WhyCard).revealed
        assert not lesson.current.review


async def test_finishing_a_lesson_marks_it_complete(library, tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position("03-90-sample", 5, 7)       # at the run card
    store.close()
    app = make_app(library, db, start_lesson="03-90")
    async with app.run_test(size=(100, 30)) as pilot:
        lesson = app.screen
        assert isinstance(lesson, LessonScreen) and lesson.index == 5
        await pilot.press("space", "space")
        assert lesson.finished
        assert app.store.progress()["03-90-sample"].completed
        await pilot.press("space")
        assert isinstance(app.screen, HomeScreen)


async def test_level_three_derivation_can_be_skipped(library, tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position("03-90-sample", 2, 7)
    store.close()
    app = make_app(library, db, start_lesson="03-90-sample")
    async with app.run_test(size=(100, 30)) as pilot:
        lesson = app.screen
        card = lesson.current
        assert isinstance(card, DerivationCard) and card.heavy
        assert "level 3" in str(card.query(".hint").first().render())
        await pilot.press("s")
        assert card.skipped and lesson.index == 3


async def test_typed_answer_is_kept_with_the_rating(library, tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position("03-90-sample", 1, 7)
    store.close()
    app = make_app(library, db, start_lesson="03-90-sample")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await pilot.press(*"linear", "space", *"again")
        await pilot.press("escape")
        await pilot.press("space", "4")
        await pilot.pause()
    [row] = ProgressStore(db).attempts("sample-why-linear")
    assert (row["answer"], row["rating"]) == ("linear again", 4)


async def test_help_screen_opens_and_closes(library, tmp_path):
    app = make_app(library, tmp_path / "p.sqlite3", lang="ko")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(m.source) for m in app.screen.query("Markdown"))
        assert "레슨" in text and str(tmp_path / "p.sqlite3") in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_language_toggle_changes_home_titles(library, tmp_path):
    app = make_app(library, tmp_path / "p.sqlite3", lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        options = app.screen.query_one("#lessons", OptionList)

        def chapter_one() -> str:
            return str(options.get_option("chapter:1").prompt)

        assert chapter_one().startswith("Chapter 1.")
        await pilot.press("l")
        assert chapter_one().startswith("1장.")


async def test_nine_chapters_even_without_lessons(tmp_path):
    lib = load_library(bundled_content_dirs())
    app = make_app(lib, tmp_path / "p.sqlite3")
    async with app.run_test(size=(100, 30)):
        options = app.screen.query_one("#lessons", OptionList)
        chapters = [options.get_option_at_index(i).id for i in range(options.option_count)
                    if (options.get_option_at_index(i).id or "").startswith("chapter:")]
        assert chapters == [f"chapter:{n}" for n in range(1, 10)]


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_small_and_large_terminals_do_not_crash(library, tmp_path, size):
    app = make_app(library, tmp_path / "p.sqlite3", lang="ko")
    async with app.run_test(size=size) as pilot:
        await open_sample(pilot)
        for _ in range(4):
            await pilot.press("space")
        await pilot.press("2")
        await pilot.press("space", "space", "space", "space", "space")
        await pilot.pause()
        assert app.screen.index >= 2


async def test_bad_files_are_listed_on_home(tmp_path):
    lib = load_library([DATA / "good", DATA / "bad" / "missing-ko.yaml"])
    app = make_app(lib, tmp_path / "p.sqlite3")
    async with app.run_test(size=(100, 30)):
        notice = str(app.screen.query_one("#notices").render())
        assert "1 file(s) could not be loaded" in notice and "missing-ko.yaml" in notice
        assert "03-90-sample" in lib.lessons


async def test_command_palette_lists_lessons_and_practice(library, tmp_path):
    app = make_app(library, tmp_path / "p.sqlite3", lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "03-90 Sample lesson" in titles and "Mock interview" in titles
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "03-90 Sample lesson")
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_run_step_in_a_lesson_trains_live_and_leaves_no_process(library, tmp_path):
    import os

    from tutor.ui.run.step import RunCard

    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position("03-90-sample", 5, 7)        # the run step
    store.close()
    app = make_app(library, db, start_lesson="03-90-sample")
    async with app.run_test(size=(120, 40)) as pilot:
        lesson = app.screen
        assert isinstance(lesson.current, RunCard)
        panel = lesson.current.panel
        assert panel.process is None                   # nothing starts by itself
        await pilot.pause()
        await pilot.press("r")                         # its keys work without a click
        deadline = asyncio.get_running_loop().time() + 60
        while panel.phase != "done" and asyncio.get_running_loop().time() < deadline:
            await pilot.pause(0.1)
        assert panel.phase == "done"
        assert any(v.curve("loss") for v in panel.run_state.variants.values())
        await pilot.press("r")                         # restart, then leave mid-run
        await pilot.pause(0.3)
        pid = panel.process.pid
        await pilot.press("space")                     # the learner may move on at any time
        assert lesson.index == 6
        await pilot.press("escape")
        await pilot.pause(0.5)
        assert not os.path.exists(f"/proc/{pid}")
