"""What a start imports: the home screen needs textual, the content models and the store, not
numpy, matplotlib, the experiments or the screens behind the home menu."""

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
