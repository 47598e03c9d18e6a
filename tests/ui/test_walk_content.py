"""Every step of every bundled lesson, and every bank and review item, walked in the real TUI.

It runs on the real lessons/ and quizzes/, so content is covered the day it lands: at 80×24 and
120×40, in Korean and English, each graded question answered right in one pass and wrong in
another, and every lesson must reach "lesson complete" with its completion and answers in SQLite.
"""

import random

import pytest

from tutor.content import bundled_content_dirs, load_library
from tutor.practice.session import all_items, instantiate
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.quiz import QuizScreen

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from learner import Learner  # noqa: E402 (a helper beside the tests)

LIBRARY = load_library(bundled_content_dirs())
LESSONS = sorted(LIBRARY.lessons)
# Both languages, both sizes the issue names (80×24, 120×40) and the Korean learner's 100×30;
# every graded question is answered right in one pass and wrong in another.
PASSES = [("en", (80, 24), True), ("ko", (120, 40), False), ("ko", (100, 30), True)]


def test_the_bundled_content_loads():
    assert LIBRARY.errors == [] and len(LESSONS) >= 15


@pytest.mark.parametrize("lang,size,right", PASSES, ids=lambda v: str(v))
@pytest.mark.parametrize("lesson_id", LESSONS)
async def test_a_hurried_learner_finishes_the_lesson(lesson_id, lang, size, right, tmp_path):
    db = tmp_path / "p.sqlite3"
    app = TutorApp(LIBRARY, ProgressStore(db), lang, start_lesson=lesson_id)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.index == 0
        learner = Learner(pilot, right=right)
        walked = await learner.finish_lesson()
        assert walked == len(LIBRARY.lessons[lesson_id].steps)
        assert screen.finished and screen.query_one("#lesson-done")
    store = ProgressStore(db)
    assert store.progress()[lesson_id].completed
    for question_id, was_right in learner.graded:
        rows = store.attempts(question_id)
        assert [r["correct"] for r in rows] == [int(was_right)], question_id
    for item_id in learner.rated:
        assert [r["rating"] for r in store.attempts(item_id)][-1] == 3
    store.close()


@pytest.mark.parametrize("lang,size,right", PASSES[:2], ids=lambda v: str(v))
async def test_every_bank_and_review_item_in_the_quiz_screen(lang, size, right, tmp_path):
    rng = random.Random(7)
    items = [instantiate(item, rng.randrange(2**31)) for item in all_items(LIBRARY).values()]
    kinds = {item.kind for item in items}
    assert {"quiz", "why", "derivation"} <= kinds
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), lang)
    async with app.run_test(size=size) as pilot:
        app.open_quiz(items)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        learner = Learner(pilot, right=right)
        for index in range(len(items)):
            assert screen.index == index
            await learner.complete_step()
            await learner.press("space")
        assert screen.finished
        assert learner.seen_types >= {"McqQuestion", "MultiQuestion", "NumericQuestion",
                                      "OrderQuestion", "WhyCard", "DerivationPractice"}
