"""The learner's progress in one SQLite file.

SQLite because it is embedded (nothing to start) and crash-safe: every write is its own
transaction in WAL mode, so a killed process loses at most the answer in flight. The schema is
versioned with ``PRAGMA user_version`` and upgraded by the ordered MIGRATIONS below.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import platformdirs

from tutor.i18n import tr

from .errors import BadExport, Phrase, StoreError  # noqa: F401 (BadExport: imported from here too)

# fsrs is imported where a card is read or scheduled: the home screen needs only positions
# and due ids, which SQLite alone answers.
if TYPE_CHECKING:
    import fsrs

    from .export_schema import Export

APP_NAME = "why-tutor"
T = TypeVar("T")

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


def _stored_card(text: str) -> fsrs.Card:
    """The card kept in the file; one the scheduler cannot use (written by hand, or by an
    import from before imports were checked) reads as a new card due now, so the tutor still
    starts. The row itself is left as it is until the item is next answered."""
    import fsrs  # noqa: PLC0415 (see the imports)

    try:
        card = fsrs.Card.from_json(text)
        if card.due.tzinfo is None or (card.last_review and card.last_review.tzinfo is None):
            raise ValueError("naive time")
        return card
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
        return fsrs.Card(due=datetime.now(timezone.utc))


def _whole(value: object) -> int:
    """A step count as stored; text in an INTEGER column (from an old unchecked import) is 0."""
    return value if type(value) is int and value >= 0 else 0


class UnusableDatabase(Exception):
    """The file is damaged: SQLite itself says it is corrupt or not a database."""


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


# How a file is recognised as ours: PRAGMA application_id is set to this at creation (and on
# files from before it existed, which are recognised by our table names). Anything else is
# another program's file and is refused untouched.
APPLICATION_ID = 0x57485954  # "WHYT"
OUR_TABLES = frozenset({"lesson_progress", "attempts", "app_state"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Only these mean the bytes are bad. Locked, busy, I/O, full, read-only are circumstances: the
# file is left where it is and the caller waits, retries or stops.
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _code(err: sqlite3.Error) -> int:
    return getattr(err, "sqlite_errorcode", 0) & 0xFF


class ProgressStore:
    """Open (creating or upgrading) the progress database at ``path``.

    A file that is not ours (text, another program's SQLite, a folder, a newer schema) or that
    cannot be written now (read-only, locked too long, disk full) raises :class:`StoreError`
    and is left exactly as it was. Only a file of ours that SQLite reports as damaged is renamed
    aside with a timestamp, never deleted, and a fresh one is started; that is in ``notices``.
    Inside the tutor's own data folder every file is ours, so there a damaged file is set aside
    even when its header is gone.

    A write that fails mid-session (locked, full, read-only) is kept in memory, in order, and
    retried before the next write; the write methods return False then and ``unsaved`` counts
    what is waiting.
    """

    def __init__(self, path: Path | str | None = None, scheduler: fsrs.Scheduler | None = None,
                 *, busy_timeout: float = 5.0):
        self._scheduler = scheduler
        self.path = Path(path) if path is not None else default_db_path()
        self.busy_timeout = busy_timeout
        self.notices: list[str] = []
        self._pending: list[Callable[[sqlite3.Connection], object]] = []
        self.last_error: StoreError | None = None
        in_own_folder = path is None or \
            self.path.absolute().parent == default_db_path().absolute().parent
        try:
            claimed = self._check_path(in_own_folder)
        except OSError as err:  # a name too long, a folder we may not enter
            raise self._fail("store_failed", reason=err.strerror or err) from None
        try:
            self._conn = self._open(claimed or in_own_folder)
        except UnusableDatabase as problem:
            kept = self._set_aside()
            self.notices.append(tr("store_set_aside", "en", path=self.path, reason=problem,
                                   kept=kept))
            self._conn = self._open(True)

    @property
    def scheduler(self) -> fsrs.Scheduler:
        if self._scheduler is None:
            import fsrs  # noqa: PLC0415 (see the imports)

            self._scheduler = fsrs.Scheduler()
        return self._scheduler

    # -- opening -------------------------------------------------------------------------

    def _fail(self, key: str, **values: object) -> StoreError:
        return StoreError(key, path=self.path, **values)

    def _check_path(self, in_own_folder: bool) -> bool:
        """Refuse what can never be our file, before SQLite touches it. True when the header
        already says the file is ours."""
        path, parent = self.path, self.path.parent
        if path.is_dir():
            raise self._fail("store_is_folder")
        for folder in (parent, *parent.parents):
            if folder.exists():
                if not folder.is_dir():
                    raise self._fail("store_parent_not_folder", parent=folder)
                break
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise self._fail("store_cannot_make_folder", parent=parent,
                             reason=err.strerror) from None
        if path.exists() and not path.is_file():
            # a FIFO would block the read below forever; /dev/null would look like a new file
            raise self._fail("store_not_ours", what=Phrase("store_what_special"))
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            raise self._fail("store_read_only")
        if not os.access(parent, os.W_OK | os.X_OK):
            # WAL needs its -wal and -shm files beside the database.
            raise self._fail("store_read_only_folder", parent=parent)
        try:
            with path.open("rb") as f:
                header = f.read(100)
        except FileNotFoundError:
            return False
        except OSError as err:
            raise self._fail("store_failed", reason=err.strerror) from None
        if not header:
            return False  # an empty file: ours to initialise
        if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
            if in_own_folder:
                return False  # ours, damaged: SQLite will say so and it is set aside
            raise self._fail("store_not_ours", what=Phrase("store_what_not_sqlite"))
        app_id = int.from_bytes(header[68:72], "big")
        if app_id not in (0, APPLICATION_ID):
            raise self._fail("store_not_ours",
                             what=Phrase("store_what_other_program", app_id=f"{app_id:#x}"))
        return app_id == APPLICATION_ID

    def _open(self, ours: bool) -> sqlite3.Connection:
        """Connect, recognise, upgrade. ``ours``: damage may be set aside (the file is ours)."""
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout)
        except sqlite3.Error as err:
            raise self._fail("store_failed", reason=err) from None
        try:
            # NORMAL is durable against a killed process in WAL mode (only power loss can
            # drop the last commit), and much faster than FULL.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if self._recognise(conn):
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise UnusableDatabase("quick_check failed")
                return conn  # current and ours: nothing to write, no lock to take
            self._retry_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            self._retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                # Read inside the write transaction: another process may have migrated the
                # file since we looked, and must not be migrated twice.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                self._check_version(version)
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise UnusableDatabase("quick_check failed")
                self._migrate(conn, version)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except UnusableDatabase:
            conn.close()
            if not ours:
                raise self._fail("store_not_ours", what=Phrase("store_what_damaged",
                                                                 reason="quick_check")) from None
            raise
        except sqlite3.Error as err:
            conn.close()
            if _code(err) in _DAMAGED:
                if not ours:
                    raise self._fail("store_not_ours",
                                     what=Phrase("store_what_damaged", reason=err)) from None
                raise UnusableDatabase(str(err)) from None
            raise self._operational(err) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _recognise(self, conn: sqlite3.Connection) -> bool:
        """Read (never write) what the file is; refuse another program's database. True when
        it is ours at the current schema, in WAL mode: ready as it is."""
        def look() -> tuple[int, int, set[str], str]:
            conn.execute("BEGIN")
            try:
                tables = {r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                return (conn.execute("PRAGMA application_id").fetchone()[0],
                        conn.execute("PRAGMA user_version").fetchone()[0], tables,
                        conn.execute("PRAGMA journal_mode").fetchone()[0])
            finally:
                conn.execute("COMMIT")
        app_id, version, tables, journal = self._retry_busy(look)
        if app_id not in (0, APPLICATION_ID):
            raise self._fail("store_not_ours",
                             what=Phrase("store_what_other_program", app_id=f"{app_id:#x}"))
        if app_id == 0 and tables and not OUR_TABLES <= tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise self._fail("store_not_ours", what=Phrase("store_what_other_tables", tables=shown))
        self._check_version(version)
        return app_id == APPLICATION_ID and version == SCHEMA_VERSION and journal == "wal"

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise self._fail("store_newer", found=version, known=SCHEMA_VERSION)

    def _retry_busy(self, step: Callable[[], T]) -> T:
        """Run ``step``, waiting out another process's lock up to the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return step()
            except sqlite3.OperationalError as err:
                if _code(err) not in _BUSY or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _operational(self, err: sqlite3.Error) -> StoreError:
        if _code(err) in _BUSY:
            return self._fail("store_busy", seconds=f"{self.busy_timeout:g}")
        if _code(err) == sqlite3.SQLITE_READONLY:
            return self._fail("store_read_only")
        return self._fail("store_failed", reason=err)

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        """Upgrade inside the caller's write transaction, so a failure leaves the old file."""
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = self.path.with_name(f"{self.path.name}.unusable-{stamp}")
        n = 1
        while kept.exists():
            kept = self.path.with_name(f"{self.path.name}.unusable-{stamp}-{n}")
            n += 1
        try:
            self.path.rename(kept)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.rename(kept.with_name(kept.name + suffix))
        except OSError as err:
            raise self._fail("store_failed", reason=err.strerror) from None
        return kept

    def close(self) -> None:
        """Close, after one more try at saving what is waiting in memory."""
        self.flush()
        self._conn.close()

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write, one transaction: all of it lands or none of it. A lock held longer
        than the busy timeout, a full disk or a read-only file raises StoreError."""
        try:
            self._retry_busy(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller, not a circumstance: never hide it
        except sqlite3.Error as err:
            raise self._operational(err) from None

    def _save(self, action: Callable[[sqlite3.Connection], object]) -> bool:
        """Queue ``action`` behind anything not yet saved and try to save them all, in order."""
        self._pending.append(action)
        return self.flush()

    def flush(self) -> bool:
        """Save what is waiting in memory, oldest first; True when nothing is left waiting."""
        while self._pending:
            try:
                with self._write() as db:
                    self._pending[0](db)
            except StoreError as err:
                self.last_error = err
                return False
            except BaseException:
                self._pending.pop(0)
                raise
            self._pending.pop(0)
        self.last_error = None
        return True

    @property
    def unsaved(self) -> int:
        """How many writes are kept in memory because the file could not take them."""
        return len(self._pending)

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- lessons -------------------------------------------------------------------------

    def save_position(self, lesson_id: str, step: int, total_steps: int) -> bool:
        """Remember that the learner reached ``step`` (0-based) of a lesson; False when it is
        only kept in memory for now."""
        updated = _now()

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                """INSERT INTO lesson_progress (lesson_id, step, total_steps, updated_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (lesson_id) DO UPDATE SET
                     step = excluded.step, total_steps = excluded.total_steps,
                     updated_at = excluded.updated_at""",
                (lesson_id, step, total_steps, updated))
            db.execute("INSERT OR REPLACE INTO app_state (key, value) VALUES ('last_lesson', ?)",
                       (lesson_id,))
        return self._save(write)

    def complete_lesson(self, lesson_id: str, total_steps: int) -> bool:
        finished = _now()

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                """INSERT INTO lesson_progress (lesson_id, step, total_steps, completed_at, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (lesson_id) DO UPDATE SET
                     step = excluded.step, total_steps = excluded.total_steps,
                     completed_at = COALESCE(lesson_progress.completed_at, excluded.completed_at),
                     updated_at = excluded.updated_at""",
                (lesson_id, total_steps - 1, total_steps, finished, finished))
        return self._save(write)

    def position(self, lesson_id: str) -> int:
        row = self._conn.execute("SELECT step FROM lesson_progress WHERE lesson_id = ?",
                                 (lesson_id,)).fetchone()
        return row[0] if row else 0

    def progress(self) -> dict[str, LessonProgress]:
        rows = self._conn.execute(
            "SELECT lesson_id, step, total_steps, completed_at IS NOT NULL FROM lesson_progress")
        return {r[0]: LessonProgress(r[0], _whole(r[1]), _whole(r[2]), bool(r[3])) for r in rows}

    def last_lesson(self) -> str | None:
        row = self._conn.execute("SELECT value FROM app_state WHERE key = 'last_lesson'").fetchone()
        return row[0] if row else None

    # -- answers -------------------------------------------------------------------------

    def record_attempt(self, item_id: str, kind: str, *, lesson_id: str | None = None,
                       answer: str | None = None, correct: bool | None = None,
                       rating: int | None = None, seconds: float | None = None,
                       now: datetime | None = None) -> bool:
        """Keep one answer or self-rating and reschedule the item's review, in one transaction.

        A self-rating is the FSRS rating; a checked answer counts as Good when right and Again
        when wrong; an item met without either (a derivation read through) becomes a new card,
        due at once, so it comes back in the next review session.
        """
        now = now or datetime.now(timezone.utc)
        if rating is None and correct is not None:
            rating = 3 if correct else 1

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                """INSERT INTO attempts (item_id, kind, lesson_id, answer, correct, rating,
                                         seconds, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (item_id, kind, lesson_id, answer, None if correct is None else int(correct),
                 rating, seconds, now.isoformat(timespec="milliseconds")))
            self._schedule(db, item_id, kind, lesson_id, rating, now, seconds)
        return self._save(write)

    def _schedule(self, db: sqlite3.Connection, item_id: str, kind: str, lesson_id: str | None,
                  rating: int | None, now: datetime, seconds: float | None) -> None:
        import fsrs  # noqa: PLC0415 (see the imports)

        row = db.execute("SELECT card_json FROM review_cards WHERE item_id = ?",
                         (item_id,)).fetchone()
        if row is None:
            card = fsrs.Card(due=now)
        elif rating is None:
            return  # met again without an answer: the schedule stands
        else:
            card = _stored_card(row[0])
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
        return _stored_card(row[0]) if row else None

    def review_items(self) -> list[ReviewItem]:
        rows = self._conn.execute(
            "SELECT item_id, kind, lesson_id, card_json FROM review_cards ORDER BY due, item_id")
        return [ReviewItem(r[0], r[1], r[2], _stored_card(r[3])) for r in rows]

    def due_reviews(self, now: datetime | None = None) -> list[ReviewItem]:
        """Items whose review is due, the most overdue first."""
        rows = self._due("item_id, kind, lesson_id, card_json", now)
        return [ReviewItem(r[0], r[1], r[2], _stored_card(r[3])) for r in rows]

    def due_item_ids(self, now: datetime | None = None) -> list[str]:
        """The ids of :meth:`due_reviews`, in its order, without reading any card."""
        return [r[0] for r in self._due("item_id", now)]

    def _due(self, columns: str, now: datetime | None) -> sqlite3.Cursor:
        now = now or datetime.now(timezone.utc)
        return self._conn.execute(f"SELECT {columns} FROM review_cards WHERE due <= ? "
                                  "ORDER BY due, item_id", (_iso(now),))

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

def export_progress(store: ProgressStore) -> dict:
    """Everything the learner has done, as JSON-ready data."""
    from .export_schema import EXPORT_FORMAT  # noqa: PLC0415 (pydantic only when needed)

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


def import_progress(store: ProgressStore, data: dict | Export) -> ImportCounts:
    """Merge an export into the store; nothing already here is overwritten with older data.

    Attempts and reviews are added unless the same one (same item and time) is already here;
    a lesson keeps the further position and any completion; a review card keeps the version
    reviewed last. Every record is checked first (export_schema): one wrong field and nothing
    is imported.
    """
    import fsrs  # noqa: PLC0415 (see the imports)

    from .export_schema import validate_export  # noqa: PLC0415 (pydantic only when needed)

    checked = validate_export(data, SCHEMA_VERSION)
    counts = ImportCounts()
    never = datetime.min.replace(tzinfo=timezone.utc)
    with store._write() as db:
        for row in checked.lesson_progress:
            here = db.execute("SELECT step, completed_at FROM lesson_progress "
                              "WHERE lesson_id = ?", (row.lesson_id,)).fetchone()
            if here is None:
                db.execute("INSERT INTO lesson_progress VALUES (?, ?, ?, ?, ?)",
                           (row.lesson_id, row.step, row.total_steps, row.completed_at,
                            row.updated_at))
                counts.lessons += 1
            elif row.step > here[0] or (row.completed_at and not here[1]):
                db.execute("UPDATE lesson_progress SET step = max(step, ?), "
                           "completed_at = COALESCE(completed_at, ?) WHERE lesson_id = ?",
                           (row.step, row.completed_at, row.lesson_id))
                counts.lessons += 1
        for row in checked.attempts:
            exists = db.execute("SELECT 1 FROM attempts WHERE item_id = ? AND created_at = ? "
                                "AND kind = ?", (row.item_id, row.created_at, row.kind)).fetchone()
            if not exists:
                db.execute("INSERT INTO attempts (item_id, kind, lesson_id, answer, correct, "
                           "rating, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (row.item_id, row.kind, row.lesson_id, row.answer, row.correct,
                            row.rating, row.seconds, row.created_at))
                counts.attempts += 1
        for row in checked.review_cards:
            incoming = fsrs.Card.from_json(row.card_json)
            here = db.execute("SELECT card_json FROM review_cards WHERE item_id = ?",
                              (row.item_id,)).fetchone()
            if here is not None:
                current = _stored_card(here[0])
                if (incoming.last_review or never) <= (current.last_review or never):
                    continue
            db.execute("INSERT OR REPLACE INTO review_cards VALUES (?, ?, ?, ?, ?, ?)",
                       (row.item_id, row.kind, row.lesson_id, row.card_json,
                        _iso(incoming.due), row.created_at))
            counts.cards += 1
        for row in checked.review_log:
            exists = db.execute("SELECT 1 FROM review_log WHERE item_id = ? AND "
                                "reviewed_at = ?", (row.item_id, row.reviewed_at)).fetchone()
            if not exists:
                db.execute("INSERT INTO review_log (item_id, rating, reviewed_at, duration_ms) "
                           "VALUES (?, ?, ?, ?)", (row.item_id, row.rating, row.reviewed_at,
                                                   row.duration_ms))
                counts.reviews += 1
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
