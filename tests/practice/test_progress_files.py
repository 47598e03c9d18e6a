"""Export, import (merge, never overwrite newer), reset and the Anki deck."""

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from tutor.cli import main
from tutor.content import bundled_content_dirs, load_library
from tutor.practice.anki import export_anki
from tutor.store import ProgressStore
from tutor.store.db import BadExport, export_progress, import_progress, reset_progress

T0 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def store_at(path: Path) -> ProgressStore:
    return ProgressStore(path, scheduler=fsrs.Scheduler(enable_fuzzing=False))


def test_round_trip_into_an_empty_store(tmp_path):
    a = store_at(tmp_path / "a.sqlite3")
    a.save_position("03-02-gates", 5, 12)
    a.complete_lesson("03-01-fn", 8)
    a.record_attempt("q1", "quiz", answer="2", correct=True, seconds=3.0, now=T0)
    a.record_attempt("why-1", "why", rating=2, lesson_id="03-02-gates", now=T0)
    data = json.loads(json.dumps(export_progress(a)))
    b = store_at(tmp_path / "b.sqlite3")
    counts = import_progress(b, data)
    assert (counts.lessons, counts.attempts, counts.cards, counts.reviews) == (2, 2, 2, 2)
    assert export_progress(b)["attempts"] == data["attempts"]
    assert b.position("03-02-gates") == 5 and b.progress()["03-01-fn"].completed
    assert b.card("why-1") == a.card("why-1")
    # Importing the same file again changes nothing.
    again = import_progress(b, data)
    assert (again.lessons, again.attempts, again.cards, again.reviews) == (0, 0, 0, 0)


def test_merge_keeps_what_is_newer_here(tmp_path):
    old = store_at(tmp_path / "old.sqlite3")
    old.save_position("03-02-gates", 2, 12)
    old.record_attempt("q1", "quiz", correct=False, now=T0)
    data = export_progress(old)

    here = store_at(tmp_path / "here.sqlite3")
    here.save_position("03-02-gates", 9, 12)
    here.record_attempt("q1", "quiz", correct=False, now=T0)
    here.record_attempt("q1", "quiz", correct=True, now=T0 + timedelta(days=2))
    newest = here.card("q1")
    import_progress(here, data)
    assert here.position("03-02-gates") == 9        # further position kept
    assert here.card("q1") == newest                # later-reviewed card kept
    assert len(here.attempts("q1")) == 2            # the same attempt is not doubled


def test_import_rejects_foreign_or_damaged_files_and_changes_nothing(tmp_path):
    store = store_at(tmp_path / "p.sqlite3")
    with pytest.raises(BadExport, match="not a Why Tutor progress export"):
        import_progress(store, {"hello": 1})
    with pytest.raises(BadExport, match="nothing was imported"):
        import_progress(store, {"format": "why-tutor-progress",
                                "lesson_progress": [{"lesson_id": "x", "step": 1,
                                                     "total_steps": 2, "completed_at": None,
                                                     "updated_at": "t"}],
                                "attempts": [{"item_id": "q"}]})
    assert store.progress() == {}                  # the lesson row was rolled back too


def test_reset_one_lesson_keeps_the_others(tmp_path):
    store = store_at(tmp_path / "p.sqlite3")
    store.save_position("03-01-a", 3, 5)
    store.save_position("03-02-b", 4, 5)
    store.record_attempt("03-01-a/why-2", "why", lesson_id="03-01-a", rating=3, now=T0)
    store.record_attempt("03-02-b/why-1", "why", lesson_id="03-02-b", rating=3, now=T0)
    removed = reset_progress(store, ["03-01-a"])
    assert removed == 4  # position, attempt, card, review
    assert store.position("03-01-a") == 0 and store.position("03-02-b") == 4
    assert store.card("03-01-a/why-2") is None and store.card("03-02-b/why-1") is not None


def test_cli_export_import_and_reset(tmp_path, capsys, monkeypatch):
    db_a, db_b, file = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3", tmp_path / "p.json"
    store = store_at(db_a)
    store.record_attempt("q1", "quiz", correct=True, now=T0)
    store.close()
    assert main(["--db", str(db_a), "--lang", "en", "progress", "export", str(file)]) == 0
    assert main(["--db", str(db_b), "--lang", "en", "progress", "import", str(file)]) == 0
    assert "merged: 0 lessons, 1 answers, 1 cards, 1 reviews" in capsys.readouterr().out
    file.write_text("{not json", encoding="utf-8")
    assert main(["--db", str(db_b), "progress", "import", str(file)]) == 2
    assert "not JSON" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(db_b), "progress", "reset", "--all"]) == 2
    assert "needs confirmation" in capsys.readouterr().err
    assert main(["--db", str(db_b), "progress", "reset", "--all", "--yes"]) == 0
    assert sqlite3.connect(db_b).execute("SELECT count(*) FROM attempts").fetchone()[0] == 0


def test_anki_deck_has_every_bank_question(tmp_path):
    lib = load_library(bundled_content_dirs())
    path = tmp_path / "deck.apkg"
    count = export_anki(lib, path, "ko")
    assert count == len(lib.questions) > 0
    with zipfile.ZipFile(path) as apkg:
        apkg.extract("collection.anki2", tmp_path)
    notes = sqlite3.connect(tmp_path / "collection.anki2").execute(
        "SELECT flds FROM notes").fetchall()
    assert len(notes) == count
    ids = {n[0].split("\x1f")[0] for n in notes}
    assert ids == set(lib.questions)
    assert all("\\frac" not in n[0] for n in notes)  # math is rendered, not raw LaTeX
