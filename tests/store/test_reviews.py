"""Spaced repetition: the stored FSRS state is exactly what the fsrs Scheduler gives."""

import sqlite3
from datetime import datetime, timedelta, timezone

import fsrs

from tutor.store import ProgressStore
from tutor.store.db import MIGRATIONS

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def test_scripted_ratings_match_the_fsrs_scheduler(tmp_path):
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    script = [(3, 0), (1, 0.01), (3, 0.02), (4, 1), (2, 6), (3, 20), (1, 60), (3, 61)]
    reference = fsrs.Card(due=T0)
    for rating, days in script:
        when = T0 + timedelta(days=days)
        store.record_attempt("why-xor", "why", rating=rating, seconds=5.0, now=when)
        reference, _ = scheduler.review_card(reference, fsrs.Rating(rating), when, 5000)
        stored = store.card("why-xor")
        assert stored.state == reference.state
        assert stored.step == reference.step
        assert stored.due == reference.due
        assert abs(stored.stability - reference.stability) < 1e-12
        assert abs(stored.difficulty - reference.difficulty) < 1e-12
    assert [r[1] for r in store.review_log()] == [r for r, _ in script]


def test_quiz_answers_rate_good_when_right_and_again_when_wrong(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.record_attempt("q-right", "quiz", answer="1", correct=True, now=T0)
    store.record_attempt("q-wrong", "quiz", answer="0", correct=False, now=T0)
    assert [(i, r) for i, r, _ in store.review_log()] == [("q-right", 3), ("q-wrong", 1)]
    # Again comes back sooner than Good.
    assert store.card("q-wrong").due < store.card("q-right").due


def test_met_items_become_due_cards_and_due_counts(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.record_attempt("03-01/derivation-4", "derivation", lesson_id="03-01", now=T0)
    store.record_attempt("why-a", "why", rating=4, now=T0)
    assert store.due_count(T0) == 1
    assert [i.item_id for i in store.due_reviews(T0)] == ["03-01/derivation-4"]
    assert store.due_count(T0 + timedelta(days=400)) == 2
    # Meeting the derivation again without an answer leaves its schedule alone.
    before = store.card("03-01/derivation-4")
    store.record_attempt("03-01/derivation-4", "derivation", now=T0 + timedelta(days=1))
    assert store.card("03-01/derivation-4") == before


def test_hardest_first_orders_by_retrievability(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.record_attempt("easy", "why", rating=4, now=T0)
    store.record_attempt("hard", "why", rating=1, now=T0)
    store.record_attempt("never-answered", "derivation", now=T0)
    later = T0 + timedelta(days=3)
    order = [i.item_id for i in store.hardest_first(later)]
    assert order == ["never-answered", "hard", "easy"]
    values = [store.retrievability(i, later) for i in store.hardest_first(later)]
    assert values == sorted(values)


def test_version_one_database_is_upgraded_and_keeps_its_data(tmp_path):
    db = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO lesson_progress VALUES ('03-01-x', 3, 9, NULL, '2026-01-01')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = ProgressStore(db)
    assert store.schema_version == len(MIGRATIONS)
    assert store.position("03-01-x") == 3
    store.record_attempt("q", "quiz", correct=True)
    assert store.card("q") is not None
