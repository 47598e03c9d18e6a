from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from tutor.content import load_library
from tutor.practice.grading import answer_text, grade, shuffled_order
from tutor.practice.stats import compute_stats
from tutor.store import ProgressStore

DATA = Path(__file__).resolve().parents[1] / "data"


def test_streak_retention_and_accuracy(tmp_path):
    lib = load_library([DATA / "good"])
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    # Local noon on three consecutive days, then a gap.
    def day(d: int) -> datetime:
        return datetime(2026, 5, d, 12).astimezone().astimezone(timezone.utc)
    store.record_attempt("sample-mcq", "quiz", correct=True, now=day(1))
    store.record_attempt("sample-mcq", "quiz", correct=False, now=day(3))   # a lapse
    store.record_attempt("sample-numeric", "quiz", correct=True, now=day(4))
    store.record_attempt("sample-mcq", "quiz", correct=True, now=day(5))
    stats = compute_stats(lib, store, now=day(5), today=date(2026, 5, 5))
    assert stats.streak_days == 3 and stats.study_days == 4
    # Repeat reviews of sample-mcq: Again then Good -> 1 of 2 recalled.
    assert stats.retention == 0.5
    assert stats.accuracy_by_tag["sample"] == (3, 4)
    assert stats.weakest[0][0] == "sample-mcq"      # the lapsed item is the hardest
    # A streak is not broken until the day is over.
    assert compute_stats(lib, store, now=day(5), today=date(2026, 5, 6)).streak_days == 3
    assert compute_stats(lib, store, now=day(5), today=date(2026, 5, 7)).streak_days == 0


@pytest.fixture
def questions():
    return load_library([DATA / "good"]).questions


def test_grading_rules(questions):
    mcq, numeric = questions["sample-mcq"], questions["sample-numeric"]
    assert grade(mcq, "2").correct is True and grade(mcq, " 1 ").correct is False
    assert grade(mcq, "4").problem == "bad_choice:3" and grade(mcq, "4").correct is None
    assert grade(numeric, "0.2505").correct is True       # tolerance 0.001
    assert grade(numeric, "0.252").correct is False
    assert grade(numeric, "a quarter").problem_text("ko") == "숫자가 아닙니다: a quarter"
    assert answer_text(mcq, "en") == "[2] 0.5"


def test_order_questions_are_shown_shuffled_and_graded_against_the_display():
    from tutor.content.models import OrderQuestion
    q = OrderQuestion.model_validate({
        "id": "o", "type": "order", "chapter": 3, "q": {"ko": "순서", "en": "order"},
        "explanation": {"ko": "e", "en": "e"},
        "items": [{"ko": str(i), "en": str(i)} for i in range(4)]})
    order = shuffled_order(q, "seed")
    assert order != [0, 1, 2, 3] and sorted(order) == [0, 1, 2, 3]
    right = answer_text(q, "en", order)
    assert grade(q, right, order).correct is True
    assert grade(q, "1 2 3 4", order).correct is False
    assert grade(q, "1 2 3", order).problem == "bad_order:4"
