"""A start from the home index: home is the same as from the full library, and the library
loads behind it, in time for whatever needs it (a lesson opened at once, the palette)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from tutor.content import bundled_content_dirs, load_library
from tutor.content.index import HomeIndex
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.lesson import LessonScreen

sys.path.insert(0, str(Path(__file__).parent))
from learner import settle  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
BUNDLED = load_library(bundled_content_dirs())


def with_errors(tmp_path: Path):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "dup.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    lib = load_library([folder] + bundled_content_dirs())
    assert len(lib.bad_files) == 2
    return lib


def saved(library) -> HomeIndex:
    """The index as a later start reads it back: through JSON."""
    return HomeIndex.from_data(json.loads(json.dumps(HomeIndex.of(library).to_data())))


def home_shown(app) -> tuple[list, str]:
    options = app.screen.query_one("#lessons", OptionList)
    rows = [(o.id, str(o.prompt), o.disabled)
            for o in (options.get_option_at_index(i) for i in range(options.option_count))]
    return rows, str(app.screen.query_one("#notices", Static).render())


class Loads:
    """A library loader that counts its calls and can be held back."""

    def __init__(self, library):
        self.library = library
        self.calls = 0
        self.release = threading.Event()
        self.release.set()

    def __call__(self):
        self.calls += 1
        self.release.wait(10)
        return self.library


@pytest.mark.parametrize("make", [lambda tmp: BUNDLED, with_errors], ids=["bundled", "errors"])
@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_home_from_the_index_is_home_from_the_library(tmp_path, make, lang):
    library = make(tmp_path)
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position(next(iter(library.lessons)), 2, 5)
    store.close()
    shown = []
    for app in (TutorApp(library, ProgressStore(db), lang),
                TutorApp(None, ProgressStore(db), lang, home=saved(library),
                         load_library=Loads(library))):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown.append(home_shown(app))
    assert shown[0] == shown[1]
    rows, notices = shown[0]
    assert len(rows) > 20
    assert ("file(s)" in notices or "파일" in notices) == bool(library.errors)


async def test_the_library_loads_once_behind_home(tmp_path):
    loads = Loads(BUNDLED)
    app = TutorApp(None, ProgressStore(tmp_path / "p.sqlite3"), "en", home=saved(BUNDLED),
                   load_library=loads)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app._library is BUNDLED and loads.calls == 1
        assert app.library is BUNDLED and loads.calls == 1


async def test_a_lesson_opened_before_the_library_is_loaded_waits_for_it(tmp_path):
    loads = Loads(BUNDLED)
    loads.release.clear()  # the background load is still reading
    app = TutorApp(None, ProgressStore(tmp_path / "p.sqlite3"), "en", home=saved(BUNDLED),
                   load_library=loads)
    async with app.run_test(size=(80, 24)) as pilot:
        threading.Timer(0.2, loads.release.set).start()
        await pilot.press("enter")  # "start here": the first lesson
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "01-01-gradient-steepest"
        assert loads.calls == 1


async def test_a_failed_background_load_is_tried_again_when_needed(tmp_path):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk went away")
        return BUNDLED

    app = TutorApp(None, ProgressStore(tmp_path / "p.sqlite3"), "en", home=saved(BUNDLED),
                   load_library=flaky)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app._library is None and app.is_running and len(calls) == 1
        app.open_lesson("01-01")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen) and len(calls) == 2


async def test_the_palette_lists_lessons_from_the_index(tmp_path):
    loads = Loads(BUNDLED)
    loads.release.clear()
    app = TutorApp(None, ProgressStore(tmp_path / "p.sqlite3"), "en", home=saved(BUNDLED),
                   load_library=loads)
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "03-02 " + BUNDLED.lessons["03-02-perceptron-gates"].title.en in titles
        assert app._library is None  # listing them needed no library
        loads.release.set()
        await app.workers.wait_for_complete()


def test_the_index_needs_a_library_or_a_loader(tmp_path):
    with pytest.raises(ValueError):
        TutorApp(None, ProgressStore(tmp_path / "p.sqlite3"), "en", home=saved(BUNDLED))


def test_item_ids_are_the_practice_items(tmp_path):
    from tutor.practice.session import all_items

    assert HomeIndex.of(BUNDLED).item_ids == frozenset(all_items(BUNDLED))
