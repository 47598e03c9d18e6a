"""The learner's progress in one SQLite file.

SQLite because it is embedded (nothing to start) and crash-safe: every write is its own
transaction in WAL mode, so a killed process loses at most the answer in flight. The schema is
versioned with ``PRAGMA user_version`` and upgraded by the ordered MIGRATIONS below.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import fsrs
import platformdirs

APP_NAME = "why-tutor"

# Each entry upgrades the schema from version i to i+1. Never edit a released entry: append.
MIGRATIONS: list[str] = [
    # 1: lesson positions, every answer and self-rating, small key/value state.
    """
    CREATE TABLE lesson_progress (
        lesson_id    TEXT PRIMARY KEY,
        step         INTEGER NOT NULL,
        total_steps  INTEGER NOT NULL,
        completed_at TEXT,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE attempts (
        id         INTEGER PRIMARY KEY,
        item_id    TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('why', 'quiz', 'derivation')),
        lesson_id  TEXT,
        answer     TEXT,
        correct    INTEGER CHECK (correct IN (0, 1)),
        rating     INTEGER CHECK (rating BETWEEN 1 AND 4),
        seconds    REAL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX attempts_by_item ON attempts (item_id, created_at);
    CREATE TABLE app_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: spaced repetition. One FSRS card per review item (why, quiz question, derivation),
    # stored as the fsrs package's own JSON, plus every review for statistics and export.
    """
    CREATE TABLE review_cards (
        item_id    TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        lesson_id  TEXT,
        card_json  TEXT NOT NULL,
        due        TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX review_cards_by_due ON review_cards (due);
    CREATE TABLE review_log (
        id          INTEGER PRIMARY KEY,
        item_id     TEXT NOT NULL,
        rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        reviewed_at TEXT NOT NULL,
        duration_ms INTEGER
    );
    CREATE INDEX review_log_by_item ON review_log (item_id, reviewed_at);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "progress.sqlite3"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _iso(moment: datetime) -> str:
    """UTC ISO text with a fixed width, so that comparing strings compares times."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class UnusableDatabase(Exception):
    """The file is not a database we can use (corrupt, not SQLite, or from a newer tutor)."""


@dataclass(frozen=True)
class LessonProgress:
    lesson_id: str
    step: int
    total_steps: int
    completed: bool

    @property
    def fraction(self) -> float:
        if self.completed:
            return 1.0
        return min(self.step / self.total_steps, 1.0) if self.total_steps else 0.0


@dataclass(frozen=True)
class ReviewItem:
    item_id: str
    kind: str
    lesson_id: str | None
    card: fsrs.Card


class ProgressStore:
    """Open (creating or upgrading) the progress database at ``path``.

    A file we cannot use is renamed aside with a timestamp, never deleted, and the store starts
    fresh; what happened is in ``notices`` for the UI and CLI to show.
    """

    def __init__(self, path: Path | str | None = None, scheduler: fsrs.Scheduler | None = None):
        self.scheduler = scheduler or fsrs.Scheduler()
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.notices: list[str] = []
        try:
            self._conn = self._open()
        except UnusableDatabase as problem:
            kept = self._set_aside(str(problem))
            self.notices.append(f"{problem}; it was kept as {kept} and a fresh one was started.")
            self._conn = self._open()

    # -- opening -------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process in WAL mode (only power loss can
            # drop the last commit), and much faster than FULL.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise UnusableDatabase(
                    f"The progress file {self.path} was written by a newer Why Tutor "
                    f"(schema {version}, this one knows {SCHEMA_VERSION})")
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise UnusableDatabase(f"The progress file {self.path} is damaged")
            self._migrate(conn, version)
        except sqlite3.DatabaseError as err:
            conn.close()
            raise UnusableDatabase(f"The progress file {self.path} is not a usable database "
                                   f"({err})") from None
        except UnusableDatabase:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _set_aside(self, reason: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = self.path.with_name(f"{self.path.name}.unusable-{stamp}")
        n = 1
        while kept.exists():
            kept = self.path.with_name(f"{self.path.name}.unusable-{stamp}-{n}")
            n += 1
        self.path.rename(kept)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(kept.with_name(kept.name + suffix))
        return kept

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write, one transaction: all of it lands or none of it."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- lessons -------------------------------------------------------------------------

    def save_position(self, lesson_id: str, step: int, total_steps: int) -> None:
        """Remember that the learner reached ``step`` (0-based) of a lesson."""
        with self._write() as db:
            db.execute(
                """INSERT INTO lesson_progress (lesson_id, step, total_steps, updated_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (lesson_id) DO UPDATE SET
                     step = excluded.step, total_steps = excluded.total_steps,
                     updated_at = excluded.updated_at""",
                (lesson_id, step, total_steps, _now()))
            db.execute("INSERT OR REPLACE INTO app_state (key, value) VALUES ('last_lesson', ?)",
                       (lesson_id,))

    def complete_lesson(self, lesson_id: str, total_steps: int) -> None:
        with self._write() as db:
            db.execute(
                """INSERT INTO lesson_progress (lesson_id, step, total_steps, completed_at, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (lesson_id) DO UPDATE SET
                     step = excluded.step, total_steps = excluded.total_steps,
                     completed_at = COALESCE(lesson_progress.completed_at, excluded.completed_at),
                     updated_at = excluded.updated_at""",
                (lesson_id, total_steps - 1, total_steps, _now(), _now()))

    def position(self, lesson_id: str) -> int:
        row = self._conn.execute("SELECT step FROM lesson_progress WHERE lesson_id = ?",
                                 (lesson_id,)).fetchone()
        return row[0] if row else 0

    def progress(self) -> dict[str, LessonProgress]:
        rows = self._conn.execute(
            "SELECT lesson_id, step, total_steps, completed_at IS NOT NULL FROM lesson_progress")
        return {r[0]: LessonProgress(r[0], r[1], r[2], bool(r[3])) for r in rows}

    def last_lesson(self) -> str | None:
        row = self._conn.execute("SELECT value FROM app_state WHERE key = 'last_lesson'").fetchone()
        return row[0] if row else None

    # -- answers -------------------------------------------------------------------------

    def record_attempt(self, item_id: str, kind: str, *, lesson_id: str | None = None,
                       answer: str | None = None, correct: bool | None = None,
                       rating: int | None = None, seconds: float | None = None,
                       now: datetime | None = None) -> int:
        """Keep one answer or self-rating and reschedule the item's review, in one transaction.

        A self-rating is the FSRS rating; a checked answer counts as Good when right and Again
        when wrong; an item met without either (a derivation read through) becomes a new card,
        due at once, so it comes back in the next review session.
        """
        now = now or datetime.now(timezone.utc)
        if rating is None and correct is not None:
            rating = 3 if correct else 1
        with self._write() as db:
            cur = db.execute(
                """INSERT INTO attempts (item_id, kind, lesson_id, answer, correct, rating,
                                         seconds, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (item_id, kind, lesson_id, answer, None if correct is None else int(correct),
                 rating, seconds, now.isoformat(timespec="milliseconds")))
            self._schedule(db, item_id, kind, lesson_id, rating, now, seconds)
            return cur.lastrowid

    def _schedule(self, db: sqlite3.Connection, item_id: str, kind: str, lesson_id: str | None,
                  rating: int | None, now: datetime, seconds: float | None) -> None:
        row = db.execute("SELECT card_json FROM review_cards WHERE item_id = ?",
                         (item_id,)).fetchone()
        if row is None:
            card = fsrs.Card(due=now)
        elif rating is None:
            return  # met again without an answer: the schedule stands
        else:
            card = fsrs.Card.from_json(row[0])
        if rating is not None:
            duration = None if seconds is None else int(seconds * 1000)
            card, _log = self.scheduler.review_card(card, fsrs.Rating(rating), now, duration)
            db.execute("INSERT INTO review_log (item_id, rating, reviewed_at, duration_ms) "
                       "VALUES (?, ?, ?, ?)", (item_id, rating, now.isoformat(), duration))
        db.execute(
            """INSERT INTO review_cards (item_id, kind, lesson_id, card_json, due, created_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (item_id) DO UPDATE SET
                 card_json = excluded.card_json, due = excluded.due""",
            (item_id, kind, lesson_id, card.to_json(), _iso(card.due), now.isoformat()))

    # -- reviews -------------------------------------------------------------------------

    def card(self, item_id: str) -> fsrs.Card | None:
        row = self._conn.execute("SELECT card_json FROM review_cards WHERE item_id = ?",
                                 (item_id,)).fetchone()
        return fsrs.Card.from_json(row[0]) if row else None

    def review_items(self) -> list[ReviewItem]:
        rows = self._conn.execute(
            "SELECT item_id, kind, lesson_id, card_json FROM review_cards ORDER BY due, item_id")
        return [ReviewItem(r[0], r[1], r[2], fsrs.Card.from_json(r[3])) for r in rows]

    def due_reviews(self, now: datetime | None = None) -> list[ReviewItem]:
        """Items whose review is due, the most overdue first."""
        now = now or datetime.now(timezone.utc)
        rows = self._conn.execute(
            "SELECT item_id, kind, lesson_id, card_json FROM review_cards WHERE due <= ? "
            "ORDER BY due, item_id", (_iso(now),))
        return [ReviewItem(r[0], r[1], r[2], fsrs.Card.from_json(r[3])) for r in rows]

    def due_count(self, now: datetime | None = None) -> int:
        now = now or datetime.now(timezone.utc)
        return self._conn.execute("SELECT count(*) FROM review_cards WHERE due <= ?",
                                  (_iso(now),)).fetchone()[0]

    def retrievability(self, item: ReviewItem, now: datetime | None = None) -> float:
        """The chance FSRS gives of recalling the item now (0 for one never answered)."""
        return self.scheduler.get_card_retrievability(item.card, now or datetime.now(timezone.utc))

    def hardest_first(self, now: datetime | None = None) -> list[ReviewItem]:
        """Every item, the one you are most likely to have forgotten first (for cramming)."""
        now = now or datetime.now(timezone.utc)
        return sorted(self.review_items(), key=lambda item: (self.retrievability(item, now),
                                                             item.item_id))

    def review_log(self) -> list[tuple[str, int, str]]:
        return self._conn.execute(
            "SELECT item_id, rating, reviewed_at FROM review_log ORDER BY id").fetchall()

    def attempts(self, item_id: str | None = None) -> list[sqlite3.Row]:
        self._conn.row_factory = sqlite3.Row
        try:
            if item_id is None:
                return self._conn.execute("SELECT * FROM attempts ORDER BY id").fetchall()
            return self._conn.execute("SELECT * FROM attempts WHERE item_id = ? ORDER BY id",
                                      (item_id,)).fetchall()
        finally:
            self._conn.row_factory = None


# --------------------------------------------------------------------------- export / import

EXPORT_FORMAT = "why-tutor-progress"


def export_progress(store: ProgressStore) -> dict:
    """Everything the learner has done, as JSON-ready data."""
    conn = store._conn

    def rows(sql: str) -> list[dict]:
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    return {
        "format": EXPORT_FORMAT,
        "schema": store.schema_version,
        "exported_at": _now(),
        "lesson_progress": rows("SELECT lesson_id, step, total_steps, completed_at, updated_at "
                                "FROM lesson_progress ORDER BY lesson_id"),
        "attempts": rows("SELECT item_id, kind, lesson_id, answer, correct, rating, seconds, "
                         "created_at FROM attempts ORDER BY id"),
        "review_cards": rows("SELECT item_id, kind, lesson_id, card_json, due, created_at "
                             "FROM review_cards ORDER BY item_id"),
        "review_log": rows("SELECT item_id, rating, reviewed_at, duration_ms FROM review_log "
                           "ORDER BY id"),
    }


@dataclass
class ImportCounts:
    lessons: int = 0
    attempts: int = 0
    cards: int = 0
    reviews: int = 0


class BadExport(ValueError):
    pass


def import_progress(store: ProgressStore, data: dict) -> ImportCounts:
    """Merge an export into the store; nothing already here is overwritten with older data.

    Attempts and reviews are added unless the same one (same item and time) is already here;
    a lesson keeps the further position and any completion; a review card keeps the version
    reviewed last.
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise BadExport("not a Why Tutor progress export (its 'format' is not "
                        f"{EXPORT_FORMAT!r})")
    counts = ImportCounts()
    try:
        with store._write() as db:
            for row in data.get("lesson_progress", []):
                here = db.execute("SELECT step, completed_at FROM lesson_progress "
                                  "WHERE lesson_id = ?", (row["lesson_id"],)).fetchone()
                if here is None:
                    db.execute("INSERT INTO lesson_progress VALUES (?, ?, ?, ?, ?)",
                               (row["lesson_id"], row["step"], row["total_steps"],
                                row["completed_at"], row["updated_at"]))
                    counts.lessons += 1
                elif row["step"] > here[0] or (row["completed_at"] and not here[1]):
                    db.execute("UPDATE lesson_progress SET step = max(step, ?), "
                               "completed_at = COALESCE(completed_at, ?) WHERE lesson_id = ?",
                               (row["step"], row["completed_at"], row["lesson_id"]))
                    counts.lessons += 1
            for row in data.get("attempts", []):
                exists = db.execute("SELECT 1 FROM attempts WHERE item_id = ? AND created_at = ? "
                                    "AND kind = ?", (row["item_id"], row["created_at"],
                                                     row["kind"])).fetchone()
                if not exists:
                    db.execute("INSERT INTO attempts (item_id, kind, lesson_id, answer, correct, "
                               "rating, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (row["item_id"], row["kind"], row["lesson_id"], row["answer"],
                                row["correct"], row["rating"], row["seconds"], row["created_at"]))
                    counts.attempts += 1
            for row in data.get("review_cards", []):
                incoming = fsrs.Card.from_json(row["card_json"])
                here = db.execute("SELECT card_json FROM review_cards WHERE item_id = ?",
                                  (row["item_id"],)).fetchone()
                if here is not None:
                    current = fsrs.Card.from_json(here[0])
                    newer = (incoming.last_review or datetime.min.replace(tzinfo=timezone.utc)) > \
                        (current.last_review or datetime.min.replace(tzinfo=timezone.utc))
                    if not newer:
                        continue
                db.execute("INSERT OR REPLACE INTO review_cards VALUES (?, ?, ?, ?, ?, ?)",
                           (row["item_id"], row["kind"], row["lesson_id"], row["card_json"],
                            _iso(incoming.due), row["created_at"]))
                counts.cards += 1
            for row in data.get("review_log", []):
                exists = db.execute("SELECT 1 FROM review_log WHERE item_id = ? AND "
                                    "reviewed_at = ?", (row["item_id"], row["reviewed_at"])
                                    ).fetchone()
                if not exists:
                    db.execute("INSERT INTO review_log (item_id, rating, reviewed_at, duration_ms) "
                               "VALUES (?, ?, ?, ?)", (row["item_id"], row["rating"],
                                                       row["reviewed_at"], row["duration_ms"]))
                    counts.reviews += 1
    except (KeyError, TypeError, ValueError, sqlite3.IntegrityError) as err:
        raise BadExport(f"the export is damaged ({type(err).__name__}: {err}); nothing was "
                        "imported") from None
    return counts


def reset_progress(store: ProgressStore, lesson_ids: list[str] | None = None) -> int:
    """Forget lessons' positions, answers and review cards (all of them when ``lesson_ids`` is
    None). Returns how many rows were removed."""
    removed = 0
    with store._write() as db:
        if lesson_ids is None:
            for table in ("lesson_progress", "attempts", "review_cards", "review_log"):
                removed += db.execute(f"DELETE FROM {table}").rowcount
            db.execute("DELETE FROM app_state")
            return removed
        for lesson_id in lesson_ids:
            items = [r[0] for r in db.execute(
                "SELECT item_id FROM review_cards WHERE lesson_id = ? UNION "
                "SELECT item_id FROM attempts WHERE lesson_id = ?", (lesson_id, lesson_id))]
            for item in items:
                removed += db.execute("DELETE FROM review_log WHERE item_id = ?", (item,)).rowcount
            removed += db.execute("DELETE FROM review_cards WHERE lesson_id = ?",
                                  (lesson_id,)).rowcount
            removed += db.execute("DELETE FROM attempts WHERE lesson_id = ?", (lesson_id,)).rowcount
            removed += db.execute("DELETE FROM lesson_progress WHERE lesson_id = ?",
                                  (lesson_id,)).rowcount
            db.execute("DELETE FROM app_state WHERE key = 'last_lesson' AND value = ?",
                       (lesson_id,))
    return removed
