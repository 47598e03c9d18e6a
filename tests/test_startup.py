"""What a start imports: the home screen needs textual, the content models and the store, not
numpy, matplotlib, the experiments or the screens behind the home menu; and a warm TUI start,
from the home index, not even the content models, yaml or fsrs until home is drawn."""

from __future__ import annotations

import json
import subprocess
import sys

from tutor.content.paths import bundled_content_dirs

LATER = ["numpy", "matplotlib", "tutor.experiments", "tutor.nn", "tutor.ui.screens.lesson",
         "tutor.ui.screens.quiz", "tutor.ui.screens.interview", "tutor.ui.screens.stats",
         "tutor.ui.screens.playground", "tutor.practice.interview", "textual_plot"]

START = """
import json, sys
from tutor.cli import load
from tutor.content.paths import bundled_content_dirs
from tutor.ui.app import TutorApp
lib = load(bundled_content_dirs())
print(json.dumps([len(lib.lessons), len(lib.errors), sorted(m for m in {later!r} if m in sys.modules)]))
"""


def start(env_dir) -> list:
    import os

    env = dict(os.environ, TUTOR_CACHE_DIR=str(env_dir))
    done = subprocess.run([sys.executable, "-c", START.format(later=LATER)], capture_output=True,
                          text=True, env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_start_imports_nothing_the_home_screen_does_not_need(tmp_path):
    lessons = len(list(bundled_content_dirs()[0].rglob("[0-9]*.yaml")))
    first = start(tmp_path)
    assert first[:2] == [lessons, 0]
    assert first[2] == ["numpy", "tutor.experiments", "tutor.nn"]  # run steps checked once
    assert start(tmp_path) == [lessons, 0, []]


# Until home is on screen, a warm start needs none of these (the library loads after).
NOT_BEFORE_HOME = ["pydantic", "yaml", "markdown_it", "pylatexenc", "numpy", "fsrs",
                   "matplotlib", "tutor.experiments", "tutor.content.models",
                   "tutor.content.loader", "textual.widgets._markdown"]

TUI_START = """
import io, json, sys
import tutor.cli
imported = sorted(m for m in {heavy!r} if m in sys.modules)

from textual.app import App
from tutor.ui.app import TutorApp

class Terminal(io.StringIO):
    def isatty(self):
        return True

seen = {{}}
real = TutorApp._load_in_background

def home_drawn(self):  # called once home's first frame is done, before the library loads
    seen["home"] = sorted(m for m in {heavy!r} if m in sys.modules)
    seen["from_index"] = self._library is None
    seen["rows"] = self.screen.query_one("#lessons").option_count
    real(self)
    self.call_later(self._wait_and_exit)

async def wait_and_exit(self):
    await self.workers.wait_for_complete()
    seen["loaded"] = self._library is not None and len(self._library.lessons)
    self.exit()

TutorApp._load_in_background = home_drawn
TutorApp._wait_and_exit = wait_and_exit
TutorApp.run = lambda self: App.run(self, headless=True, size=(80, 24))
sys.stdin, sys.stdout = Terminal(), Terminal()
code = tutor.cli.main(["--lang", "en", "--db", sys.argv[1]])
sys.stdout = sys.__stdout__
print(json.dumps([code, imported, seen]))
"""


def tui_start(cache_dir, db) -> list:
    import os

    env = dict(os.environ, TUTOR_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", TUI_START.format(heavy=NOT_BEFORE_HOME), str(db)],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_tui_start_draws_home_before_importing_the_content_models(tmp_path):
    lessons = len(list(bundled_content_dirs()[0].rglob("[0-9]*.yaml")))
    cache, db = tmp_path / "cache", tmp_path / "p.sqlite3"
    code, imported, first = tui_start(cache, db)  # a first start: the library, then home
    assert code == 0 and imported == []
    assert first["from_index"] is False and "pydantic" in first["home"]
    code, imported, warm = tui_start(cache, db)
    assert code == 0 and imported == []  # `import tutor.cli` alone
    assert warm["home"] == [] and warm["from_index"] is True
    assert warm["rows"] == first["rows"]
    assert warm["loaded"] == lessons  # and the library came after
