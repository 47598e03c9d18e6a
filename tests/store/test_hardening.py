"""The progress store as an attacker and an unlucky learner meet it.

Every case checks what the caller sees (exit code or exception, and the exact one-line message)
AND what is on disk afterwards: the file untouched, nothing renamed aside, every acknowledged
answer present.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import fsrs
import pytest

from tutor.atomicfile import ExportError
from tutor.cli import main
from tutor.practice.interview import InterviewReport
from tutor.store import BadExport, ProgressStore, StoreError
from tutor.store.db import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, export_progress, import_progress

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
IS_ROOT = os.geteuid() == 0


# --------------------------------------------------------------------------- helpers

def run_py(code: str, *args: str, obey_permissions: bool = False,
           timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter. ``obey_permissions``: as root, without the
    capabilities that let root ignore file modes, so a read-only file really is read-only."""
    prefix = []
    if obey_permissions and IS_ROOT:
        if not shutil.which("setpriv"):
            pytest.skip("running as root and setpriv is missing: modes cannot be enforced")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*prefix, sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env)


def rows(db: Path, table: str = "attempts") -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def set_aside_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".unusable-" in p.name)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def shared_dir(tmp_path) -> Iterator[Path]:
    """A folder whose modes the test changes; given back writable so pytest can clean it."""
    yield tmp_path
    for p in [tmp_path, *tmp_path.rglob("*")]:
        p.chmod(0o777)


def old_v1_file(db: Path, lessons: int = 1) -> None:
    """A progress file as the first release wrote it: rollback journal, no application id."""
    conn = sqlite3.connect(db)
    conn.executescript(MIGRATIONS[0])
    for n in range(lessons):
        conn.execute("INSERT INTO lesson_progress VALUES (?, 3, 9, NULL, '2026-01-01T00:00:00+00:00')",
                     (f"03-0{n}-old",))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


HOLD_LOCK = """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
"""


@contextmanager
def lock_held(db: Path, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process holding an exclusive lock on ``db`` for ``seconds`` at most: it is
    ended (which releases the lock) when the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLD_LOCK), str(db), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- foreign files

def _text_file(p: Path) -> None:
    p.write_text("my shopping list\nmilk\n" * 50)


def _short_garbage(p: Path) -> None:
    p.write_bytes(b"\x00\x01garbage")


def _other_app_with_id(p: Path) -> None:
    conn = sqlite3.connect(p)
    conn.execute("PRAGMA application_id = 305419896")  # 0x12345678
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _other_app_without_id(p: Path) -> None:
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE moz_places (url TEXT)")
    conn.execute("INSERT INTO moz_places VALUES ('https://example.org')")
    conn.commit()
    conn.close()


def _half_of_our_tables(p: Path) -> None:
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE lesson_progress (lesson_id TEXT)")
    conn.execute("CREATE TABLE bank_accounts (iban TEXT)")
    conn.commit()
    conn.close()


FOREIGN = [
    ("text-file", _text_file, "is not a Why Tutor progress file (not an SQLite database)"),
    ("short-garbage", _short_garbage, "is not a Why Tutor progress file (not an SQLite database)"),
    ("sqlite-of-another-app-with-id", _other_app_with_id,
     "is not a Why Tutor progress file (an SQLite file of another program, application id 0x12345678)"),
    ("sqlite-of-another-app-no-id", _other_app_without_id,
     "is not a Why Tutor progress file (an SQLite file with other tables: moz_places)"),
    ("sqlite-with-one-of-our-table-names", _half_of_our_tables,
     "is not a Why Tutor progress file (an SQLite file with other tables: bank_accounts, lesson_progress)"),
]


@pytest.mark.parametrize("make, expected", [(m, e) for _, m, e in FOREIGN],
                         ids=[i for i, _, _ in FOREIGN])
def test_a_foreign_file_is_refused_and_never_touched(tmp_path, make, expected):
    db = tmp_path / "theirs.db"
    make(db)
    before = snapshot(tmp_path)
    with pytest.raises(StoreError) as caught:
        ProgressStore(db)
    assert str(caught.value) == f"{db}: {expected}; it was left untouched, give another --db"
    assert snapshot(tmp_path) == before  # not renamed, not modified, no -wal/-shm beside it


@pytest.mark.parametrize("make, expected", [(m, e) for _, m, e in FOREIGN[:2] + FOREIGN[3:4]],
                         ids=[i for i, _, _ in FOREIGN[:2] + FOREIGN[3:4]])
def test_cli_refuses_a_foreign_db_with_one_line_and_exit_1(tmp_path, make, expected):
    db = tmp_path / "theirs.db"
    make(db)
    before = snapshot(tmp_path)
    out = run_py("import sys; from tutor.cli import main; sys.exit(main(sys.argv[1:]))",
                 "--db", str(db), "--lang", "en", "progress", "export", str(tmp_path / "out.json"))
    assert out.returncode == 1
    assert one_line(out.stderr) == f"tutor: {db}: {expected}; it was left untouched, give another --db"
    assert snapshot(tmp_path) == before and not (tmp_path / "out.json").exists()


def test_a_folder_as_db_is_refused(tmp_path):
    folder = tmp_path / "progress"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with pytest.raises(StoreError) as caught:
        ProgressStore(folder)
    assert str(caught.value) == f"{folder}: is a folder, not a progress file; give --db a file name"
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("special", ["fifo", "/dev/null"])
def test_a_device_or_pipe_as_db_is_refused_without_blocking(tmp_path, special):
    if special == "fifo":
        special = tmp_path / "pipe"
        os.mkfifo(special)
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        ProgressStore(special)
    assert str(caught.value) == (f"{special}: is not a Why Tutor progress file (not a regular file: "
                                 "a device or a pipe); it was left untouched, give another --db")
    assert time.monotonic() - started < 2
    assert [p.name for p in tmp_path.iterdir()] == (["pipe"] if "pipe" in str(special) else [])


def test_a_path_under_a_file_is_refused(tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("mine")
    db = plain / "sub" / "progress.sqlite3"
    with pytest.raises(StoreError) as caught:
        ProgressStore(db)
    assert str(caught.value) == (f"{db}: {plain} is a file, not a folder; give --db a path "
                                 "inside a folder")
    assert plain.read_text() == "mine" and [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("command", ["stats", "progress-export", "export-anki"])
def test_a_name_too_long_is_one_line_not_a_traceback(tmp_path, command):
    long = tmp_path / ("a" * 300)
    argv = {"stats": ["--db", str(long), "stats"],
            "progress-export": ["--db", str(tmp_path / "p.sqlite3"), "progress", "export",
                                str(long / "out.json")],
            "export-anki": ["export-anki", str(long)]}[command]
    out = run_py("import sys; from tutor.cli import main; sys.exit(main(sys.argv[1:]))",
                 "--lang", "en", *argv)
    assert out.returncode == 1
    line = one_line(out.stderr)
    assert line.startswith(f"tutor: {long}") and "(File name too long)" in line
    assert list(tmp_path.iterdir()) == []


def test_the_korean_message_is_ready_too(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    with pytest.raises(StoreError) as caught:
        ProgressStore(folder)
    assert caught.value.text("ko") == (f"{folder}: 폴더입니다. 진도 파일(progress file)이 아니에요. "
                                       "--db에 파일 이름을 주세요")
    _text_file(tmp_path / "t.db")
    with pytest.raises(StoreError) as caught:
        ProgressStore(tmp_path / "t.db")
    assert caught.value.text("ko") == (f"{tmp_path / 't.db'}: Why Tutor 진도 파일이 아닙니다(SQLite "
                                       "데이터베이스가 아님). 파일은 그대로 두었어요. 다른 --db를 주세요")


READ_ONLY_OPEN = """
    import sys
    from tutor.store import ProgressStore, StoreError
    try:
        ProgressStore(sys.argv[1])
    except StoreError as err:
        print(err)
        sys.exit(1)
    print("opened")
"""


def test_a_read_only_file_is_refused_untouched(shared_dir):
    db = shared_dir / "progress.sqlite3"
    ProgressStore(db).close()
    db.chmod(0o444)
    before = snapshot(shared_dir)
    out = run_py(READ_ONLY_OPEN, str(db), obey_permissions=True)
    assert out.returncode == 1, out.stderr
    assert one_line(out.stdout) == (f"{db}: is read-only, so progress cannot be saved there; fix "
                                    "its permissions or give another --db")
    assert snapshot(shared_dir) == before and set_aside_files(shared_dir) == []


def test_a_read_only_folder_is_refused_untouched(shared_dir):
    folder = shared_dir / "ro"
    folder.mkdir()
    db = folder / "progress.sqlite3"
    ProgressStore(db).close()
    for p in folder.iterdir():
        p.chmod(0o666)
    folder.chmod(0o555)
    before = snapshot(folder)
    out = run_py(READ_ONLY_OPEN, str(db), obey_permissions=True)
    assert out.returncode == 1, out.stderr
    assert one_line(out.stdout) == (f"{db}: the folder {folder} is read-only, so progress cannot be "
                                    "saved there; fix its permissions or give another --db")
    assert snapshot(folder) == before


def test_a_new_file_in_a_read_only_folder_is_not_created(shared_dir):
    folder = shared_dir / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    out = run_py(READ_ONLY_OPEN, str(folder / "new.sqlite3"), obey_permissions=True)
    assert out.returncode == 1 and "is read-only" in one_line(out.stdout)
    assert list(folder.iterdir()) == []


def test_a_newer_file_is_refused_by_the_cli_untouched(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = snapshot(tmp_path)
    out = run_py("import sys; from tutor.cli import main; sys.exit(main(sys.argv[1:]))",
                 "--db", str(db), "--lang", "en", "progress", "reset", "--all", "--yes")
    assert out.returncode == 1
    assert one_line(out.stderr) == (f"tutor: {db}: was written by a newer Why Tutor (schema 99, "
                                    f"this one knows {SCHEMA_VERSION}); it was left untouched, "
                                    "update the tutor or give another --db")
    assert snapshot(tmp_path) == before


def test_an_old_file_of_ours_is_adopted_and_marked(tmp_path):
    db = tmp_path / "p.sqlite3"
    old_v1_file(db)
    store = ProgressStore(db)
    assert store.notices == [] and store.position("03-00-old") == 3
    store.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_empty_sqlite_database_is_ours_to_initialise(tmp_path):
    db = tmp_path / "p.sqlite3"
    sqlite3.connect(db).execute("VACUUM").connection.close()  # a valid header, no tables
    store = ProgressStore(db)
    assert store.schema_version == SCHEMA_VERSION and store.record_attempt("q", "quiz", correct=True)


def test_garbage_in_our_own_data_folder_is_set_aside(tmp_path, monkeypatch):
    # In the tutor's own folder nothing else lives: a wrecked header there is our damaged file.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    from tutor.store import default_db_path
    db = default_db_path()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00" * 8192)
    store = ProgressStore()
    assert [p.name for p in db.parent.iterdir() if ".unusable-" in p.name] != []
    kept = next(p for p in db.parent.iterdir() if ".unusable-" in p.name)
    assert kept.read_bytes() == b"\x00" * 8192
    assert "was damaged" in store.notices[0] and str(kept) in store.notices[0]
    assert store.record_attempt("q", "quiz", correct=True) and rows(db) == 1


def test_the_same_garbage_elsewhere_is_refused(tmp_path):
    db = tmp_path / "progress.sqlite3"
    db.write_bytes(b"\x00" * 8192)
    with pytest.raises(StoreError, match="not an SQLite database"):
        ProgressStore(db)
    assert db.read_bytes() == b"\x00" * 8192 and set_aside_files(tmp_path) == []


def test_rows_poisoned_by_an_old_unchecked_import_do_not_stop_the_tutor(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db, scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.record_attempt("good", "why", rating=3, now=T0)
    store.close()
    conn = sqlite3.connect(db)
    naive = json.dumps({"card_id": 1, "state": 2, "step": None, "stability": 2.0,
                        "difficulty": 5.0, "due": "2026-03-01T12:00:00", "last_review": None})
    conn.executemany("INSERT INTO review_cards VALUES (?, 'why', NULL, ?, ?, 't')",
                     [("garbage", "{oops", "0"), ("naive", naive, "1"), ("empty", "", "2")])
    conn.execute("INSERT INTO lesson_progress VALUES ('x', 'abc', 'def', NULL, 't')")
    conn.commit()
    conn.close()
    store = ProgressStore(db, scheduler=fsrs.Scheduler(enable_fuzzing=False))
    assert store.notices == []
    assert {i.item_id for i in store.review_items()} == {"good", "garbage", "naive", "empty"}
    assert [i.item_id for i in store.hardest_first()][:3] == ["empty", "garbage", "naive"]
    assert store.progress()["x"].fraction == 0.0
    assert store.record_attempt("garbage", "why", rating=3, now=T0) is True  # answered: repaired
    assert fsrs.Card.from_json(sqlite3.connect(db).execute(
        "SELECT card_json FROM review_cards WHERE item_id = 'garbage'").fetchone()[0]).stability
    raw = sqlite3.connect(db).execute("SELECT card_json FROM review_cards WHERE item_id = 'naive'")
    assert raw.fetchone()[0] == naive  # not answered yet: left exactly as it was


# --------------------------------------------------------------------------- locks

def test_a_lock_held_past_the_timeout_at_open_refuses_and_keeps_the_file(tmp_path):
    db = tmp_path / "p.sqlite3"
    old_v1_file(db)  # needs a migration, so opening must write
    before = db.read_bytes()
    with lock_held(db, 2.0):
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            ProgressStore(db, busy_timeout=0.3)
        waited = time.monotonic() - started
    assert str(caught.value) == (f"{db}: another program has held it for over 0.3 s (another tutor "
                                 "open?); nothing was changed, try again in a moment")
    assert 0.25 < waited < 1.9
    assert db.read_bytes() == before and set_aside_files(tmp_path) == []
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_short_lock_at_open_is_waited_out(tmp_path):
    db = tmp_path / "p.sqlite3"
    old_v1_file(db)
    with lock_held(db, 0.5):
        store = ProgressStore(db, busy_timeout=5.0)
    assert store.notices == [] and store.schema_version == SCHEMA_VERSION
    assert store.position("03-00-old") == 3 and set_aside_files(tmp_path) == []


def test_a_write_blocked_past_the_timeout_is_kept_and_saved_later_in_order(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db, busy_timeout=0.3)
    assert store.record_attempt("q0", "quiz", answer="a", correct=True) is True
    with lock_held(db, 1.5):
        assert store.record_attempt("q1", "quiz", answer="b", correct=False) is False
        assert store.save_position("03-01", 2, 9) is False
        assert store.unsaved == 2
        assert isinstance(store.last_error, StoreError) and "another program" in str(store.last_error)
        assert rows(db) == 1  # on disk only what was acknowledged
    assert store.record_attempt("q2", "quiz", answer="c", correct=True) is True
    assert store.unsaved == 0 and store.last_error is None
    assert [r["item_id"] for r in store.attempts()] == ["q0", "q1", "q2"]
    assert store.position("03-01") == 2
    # the time of an answer is when it was given, not when it finally reached the disk
    times = [r["created_at"] for r in store.attempts()]
    assert times == sorted(times)


def test_closing_saves_what_was_kept_in_memory(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db, busy_timeout=0.2)
    with lock_held(db, 0.8):
        assert store.complete_lesson("03-02", 5) is False
    store.close()
    assert rows(db, "lesson_progress") == 1
    assert ProgressStore(db).progress()["03-02"].completed


def test_cli_import_while_locked_says_so_and_imports_nothing(tmp_path):
    db, file = tmp_path / "p.sqlite3", tmp_path / "in.json"
    source = ProgressStore(tmp_path / "src.sqlite3")
    source.record_attempt("q1", "quiz", correct=True)
    file.write_text(json.dumps(export_progress(source)))
    ProgressStore(db).close()
    with lock_held(db, 7.0):
        out = run_py("import sys; from tutor.cli import main; sys.exit(main(sys.argv[1:]))",
                     "--db", str(db), "--lang", "en", "progress", "import", str(file))
    assert out.returncode == 1
    assert one_line(out.stderr) == (f"tutor: {db}: another program has held it for over 5 s "
                                    "(another tutor open?); nothing was changed, try again in a moment")
    assert rows(db) == 0 and set_aside_files(tmp_path) == []


def test_a_reset_blocked_by_another_process_removes_nothing(tmp_path):
    from tutor.store.db import reset_progress  # noqa: PLC0415

    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db, busy_timeout=0.3)
    store.record_attempt("q1", "quiz", correct=True)
    with lock_held(db, 3.0), pytest.raises(StoreError, match="another program has held it"):
        reset_progress(store, None)
    assert rows(db) == 1 and rows(db, "review_cards") == 1 and store.unsaved == 0


def test_a_read_only_connection_mid_session_keeps_the_answer(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store._conn.execute("PRAGMA query_only = ON")  # the file stops taking writes
    assert store.record_attempt("q1", "why", rating=4) is False and store.unsaved == 1
    assert "read-only" in str(store.last_error) and rows(db) == 0
    store._conn.execute("PRAGMA query_only = OFF")
    assert store.flush() is True and store.unsaved == 0 and rows(db) == 1


# --------------------------------------------------------------------------- races

RACER = """
    import os, sys, time
    from tutor.store import ProgressStore
    path, gun, me = sys.argv[1], sys.argv[2], sys.argv[3]
    open(gun + "." + me, "w").close()  # ready
    while not os.path.exists(gun):
        time.sleep(0.005)
    store = ProgressStore(path)
    saved = [store.record_attempt(f"{me}-q{i}", "quiz", answer=str(i), correct=True)
             for i in range(5)]
    store.close()
    print(sum(saved), store.notices)
"""


def _race(db: Path, n: int) -> None:
    """``n`` processes open ``db`` at the same instant (all imported and waiting for the gun),
    each saving 5 answers; every one must acknowledge all 5."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    gun = db.parent / "gun"
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(RACER), str(db), str(gun),
                               f"p{i}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for i in range(n)]
    deadline = time.monotonic() + 60
    while len(list(db.parent.glob("gun.p*"))) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    gun.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err, err
        assert out.split() == ["5", "[]"], out
    for ready in db.parent.glob("gun*"):
        ready.unlink()


MIGRATE_WHILE_HOLDING = """
    import sqlite3, sys, time
    from tutor.store.db import APPLICATION_ID, MIGRATIONS
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(1.0)  # the other process has looked at the empty file by now and waits to write
    for script in MIGRATIONS:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO attempts (item_id, kind, created_at) VALUES ('theirs', 'quiz', 't')")
    conn.execute("COMMIT")
"""


def test_a_migration_finished_by_another_process_while_we_wait_is_not_redone(tmp_path):
    # The window of the old race: we read user_version 0, another process migrates and saves
    # an answer, then we migrate again ("table already exists") and set the file aside.
    db = tmp_path / "p.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(MIGRATE_WHILE_HOLDING), str(db)],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout.readline().strip() == "locked"
    store = ProgressStore(db, busy_timeout=10)
    assert proc.wait(timeout=30) == 0
    assert store.notices == [] and set_aside_files(tmp_path) == []
    assert store.record_attempt("ours", "quiz", correct=True)
    assert [r["item_id"] for r in store.attempts()] == ["theirs", "ours"]


def test_twenty_first_starts_at_once_keep_every_answer(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    _race(db, 20)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 100
    assert conn.execute("SELECT count(DISTINCT item_id) FROM attempts").fetchone()[0] == 100
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert set_aside_files(tmp_path) == []


def test_ten_starts_at_once_on_an_old_file_migrate_it_once(tmp_path):
    db = tmp_path / "old.sqlite3"
    old_v1_file(db, lessons=3)
    _race(db, 10)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 50
    assert conn.execute("SELECT count(*) FROM lesson_progress").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM review_cards").fetchone()[0] == 50
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert set_aside_files(tmp_path) == []


# --------------------------------------------------------------------------- a full disk

LIMITED = """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.RLIM_INFINITY))
"""

FULL_MID_SESSION = LIMITED.replace("int(sys.argv[1])", "resource.RLIM_INFINITY") + """
    from tutor.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
    saved = [store.record_attempt(f"q{i}", "quiz", answer="x" * 3000, correct=True)
             for i in range(40)]
    print("".join("1" if s else "0" for s in saved), store.unsaved, flush=True)
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print(store.record_attempt("after", "quiz", correct=True), store.unsaved, flush=True)
    store.close()
"""


def test_a_full_disk_mid_session_keeps_answers_until_there_is_room(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    out = run_py(FULL_MID_SESSION, str(db), str(120_000))
    assert out.returncode == 0 and out.stderr == "", out.stderr
    first, second = out.stdout.splitlines()
    pattern, unsaved = first.split()
    assert re.fullmatch(r"1+0+", pattern), pattern  # saved until full, then kept in memory
    assert int(unsaved) == pattern.count("0")
    assert second == "True 0"
    names = [r[0] for r in sqlite3.connect(db).execute("SELECT item_id FROM attempts ORDER BY id")]
    assert names == [f"q{i}" for i in range(40)] + ["after"]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set_aside_files(tmp_path) == []


def test_a_full_disk_while_creating_the_file_is_one_line_and_not_set_aside(tmp_path):
    db = tmp_path / "p.sqlite3"
    out = run_py(LIMITED + READ_ONLY_OPEN.replace("sys.argv[1]", "sys.argv[2]"), "1000", str(db))
    assert out.returncode == 1, out.stderr
    assert re.fullmatch(rf"{re.escape(str(db))}: cannot use the progress file \((database or disk "
                        r"is full|disk I/O error)\); it was left as it is", one_line(out.stdout))
    assert set_aside_files(tmp_path) == []
    store = ProgressStore(db)  # with room again, the same file works
    assert store.notices == [] and store.record_attempt("q", "quiz", correct=True)


CLI_LIMITED = LIMITED + """
    from tutor.cli import main
    sys.exit(main(sys.argv[2:]))
"""


def test_a_full_disk_during_progress_export_keeps_the_previous_export(tmp_path):
    db, target = tmp_path / "p.sqlite3", tmp_path / "progress.json"
    store = ProgressStore(db)
    for i in range(40):
        store.record_attempt(f"q{i}", "quiz", answer="y" * 3000, correct=True)
    store.close()
    target.write_text('{"previous": "good export"}')
    out = run_py(CLI_LIMITED, str(64_000), "--db", str(db), "--lang", "en", "progress", "export",
                 str(target))
    assert out.returncode == 1
    assert re.fullmatch(rf"tutor: {re.escape(str(target))}: not written \(File too large\); any "
                        r"earlier file there is unchanged", one_line(out.stderr))
    assert target.read_text() == '{"previous": "good export"}'
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    assert rows(db) == 40


def test_a_full_disk_during_export_anki_keeps_the_previous_deck(tmp_path):
    deck = tmp_path / "deck.apkg"
    deck.write_bytes(b"previous deck")
    out = run_py(CLI_LIMITED, str(20_000), "--lang", "en", "export-anki", str(deck))
    assert out.returncode == 1
    assert one_line(out.stderr).startswith(f"tutor: {deck}: not written (")
    assert one_line(out.stderr).endswith("; any earlier file there is unchanged")
    assert deck.read_bytes() == b"previous deck"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]


# --------------------------------------------------------------------------- export targets

@pytest.mark.parametrize("target, expected", [
    ("missing/out.json", "{t}: folder {p} does not exist"),
    ("adir", "{t}: is a directory; give a file name"),
    ("afile/out.json", "{t}: {p} is not a folder"),
], ids=["missing-folder", "directory-target", "parent-is-a-file"])
@pytest.mark.parametrize("command", ["progress-export", "export-anki"])
def test_a_bad_export_target_is_one_line_and_changes_nothing(tmp_path, capsys, target, expected,
                                                             command):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("keep me")
    before = snapshot(tmp_path)
    path = tmp_path / target
    argv = ["--db", str(db), "--lang", "en"] + (["progress", "export", str(path)]
                                                 if command == "progress-export"
                                                 else ["export-anki", str(path)])
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert one_line(err) == "tutor: " + expected.format(t=path, p=path.parent)
    assert snapshot(tmp_path) == before and list((tmp_path / "adir").iterdir()) == []


def test_an_export_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    from tutor.atomicfile import write_atomic  # noqa: PLC0415

    shared, new = tmp_path / "shared.json", tmp_path / "new.json"
    shared.write_text("old")
    shared.chmod(0o640)
    write_atomic(shared, "fresh")
    write_atomic(new, "fresh")
    umask = os.umask(0)
    os.umask(umask)
    assert shared.read_text() == "fresh" and shared.stat().st_mode & 0o777 == 0o640
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json", "shared.json"]


def test_a_full_disk_while_migrating_an_old_file_leaves_it_as_it_was(tmp_path):
    db = tmp_path / "old.sqlite3"
    old_v1_file(db, lessons=200)
    before = db.read_bytes()
    out = run_py(LIMITED + READ_ONLY_OPEN.replace("sys.argv[1]", "sys.argv[2]"),
                 "4000", str(db))  # not even one WAL frame fits
    assert out.returncode == 1, out.stderr
    assert one_line(out.stdout).startswith(f"{db}: cannot use the progress file (")
    assert set_aside_files(tmp_path) == [] and db.read_bytes() == before
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM lesson_progress").fetchone()[0] == 200
    conn.close()
    assert ProgressStore(db).schema_version == SCHEMA_VERSION  # with room, it upgrades


def test_export_target_messages_in_korean(tmp_path, capsys):
    target = tmp_path / "missing" / "deck.apkg"
    assert main(["--lang", "ko", "export-anki", str(target)]) == 1
    assert one_line(capsys.readouterr().err) == f"tutor: {target}: 폴더 {target.parent}이(가) 없습니다"
    assert list(tmp_path.iterdir()) == []


def test_a_pipe_as_export_target_is_refused_not_replaced(tmp_path, capsys):
    pipe = tmp_path / "out.json"
    os.mkfifo(pipe)
    assert main(["--db", str(tmp_path / "p.sqlite3"), "--lang", "en", "progress", "export",
                 str(pipe)]) == 1
    assert one_line(capsys.readouterr().err) == (f"tutor: {pipe}: is not a regular file (a device "
                                                 "or a pipe); give another file name")
    assert pipe.is_fifo() and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_an_export_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "synced" / "progress.json"
    real.parent.mkdir()
    real.write_text("old export")
    link = tmp_path / "progress.json"
    link.symlink_to(real)
    assert main(["--db", str(tmp_path / "p.sqlite3"), "--lang", "en", "progress", "export",
                 str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert json.loads(real.read_text())["format"] == "why-tutor-progress"


def test_an_interview_report_into_a_file_named_like_the_folder(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError) as caught:
        InterviewReport([], "en", None).write(blocker)
    assert str(caught.value) == f"{blocker}: cannot create the folder (File exists)"
    assert blocker.read_text() == "not a folder"


def test_an_interview_report_is_written_whole_with_no_temporary_left(tmp_path):
    report = InterviewReport([], "en", None)
    first = report.write(tmp_path / "reports")
    second = report.write(tmp_path / "reports")  # same minute: a second name, not an overwrite
    assert first != second and first.read_text() == second.read_text() == report.markdown()
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted([first.name, second.name])


# --------------------------------------------------------------------------- crafted imports

def real_export(tmp_path: Path) -> dict:
    store = ProgressStore(tmp_path / "source.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.save_position("03-02-gates", 5, 12)
    store.record_attempt("q1", "quiz", answer="2", correct=True, seconds=3.0, now=T0)
    store.record_attempt("why-1", "why", rating=2, lesson_id="03-02-gates", now=T0)
    data = json.loads(json.dumps(export_progress(store)))
    store.close()
    return data


def _set(table: str, field: str, value):
    def mutate(data):
        data[table][0][field] = value
    return mutate


def _card(field: str, value):
    def mutate(data):
        card = json.loads(data["review_cards"][0]["card_json"])
        if value is KeyError:
            del card[field]
        else:
            card[field] = value
        data["review_cards"][0]["card_json"] = json.dumps(card)
    return mutate


def _raw_card(text: str):
    def mutate(data):
        data["review_cards"][0]["card_json"] = text
    return mutate


def _top(field: str, value):
    def mutate(data):
        if value is KeyError:
            del data[field]
        else:
            data[field] = value
    return mutate


def _drop(table: str, field: str):
    def mutate(data):
        del data[table][0][field]
    return mutate


CRAFTED = [
    ("rating-7", _set("attempts", "rating", 7), "attempts[0].rating: 7 is above the maximum 4"),
    ("rating-0", _set("review_log", "rating", 0), "review_log[0].rating: 0 is below the minimum 1"),
    ("rating-bool", _set("attempts", "rating", True),
     "attempts[0].rating: expected a whole number, got bool True"),
    ("rating-text", _set("attempts", "rating", "3"),
     "attempts[0].rating: expected a whole number, got str '3'"),
    ("negative-step", _set("lesson_progress", "step", -1),
     "lesson_progress[0].step: -1 is below the minimum 0"),
    ("step-beyond-lesson", _set("lesson_progress", "step", 12),
     "lesson_progress[0]: step 12 is beyond the lesson's 12 steps"),
    ("fractional-step", _set("lesson_progress", "step", 1.5),
     "lesson_progress[0].step: expected a whole number, got float 1.5"),
    ("huge-total-steps", _set("lesson_progress", "total_steps", 10**12),
     "lesson_progress[0].total_steps: 1000000000000 is above the maximum 10000"),
    ("naive-time", _set("attempts", "created_at", "2026-03-01T12:00:00"),
     "attempts[0].created_at: '2026-03-01T12:00:00' has no timezone"),
    ("not-a-time", _set("review_log", "reviewed_at", "yesterday"),
     "review_log[0].reviewed_at: 'yesterday' is not an ISO time"),
    ("time-as-number", _set("lesson_progress", "updated_at", 1700000000),
     "lesson_progress[0].updated_at: expected text, got int 1700000000"),
    ("kind-unknown", _set("attempts", "kind", "exec"),
     "attempts[0].kind: 'exec' is not one of 'why', 'quiz' or 'derivation'"),
    ("correct-2", _set("attempts", "correct", 2), "attempts[0].correct: 2 is above the maximum 1"),
    ("seconds-negative", _set("attempts", "seconds", -5.0),
     "attempts[0].seconds: -5.0 is below the minimum 0"),
    ("seconds-infinite", _set("attempts", "seconds", float("inf")),
     "attempts[0].seconds: inf is not a finite number"),
    ("duration-negative", _set("review_log", "duration_ms", -1),
     "review_log[0].duration_ms: -1 is below the minimum 0"),
    ("answer-not-text", _set("attempts", "answer", ["a", "b"]),
     "attempts[0].answer: expected text, got list ['a', 'b']"),
    ("answer-huge", _set("attempts", "answer", "x" * 20_001),
     "attempts[0].answer: text of 20001 characters is longer than 20000"),
    ("item-id-empty", _set("attempts", "item_id", ""), "attempts[0].item_id: must not be empty"),
    ("item-id-huge", _set("review_cards", "item_id", "i" * 201),
     "review_cards[0].item_id: text of 201 characters is longer than 200"),
    ("deep-nesting-in-a-field", _set("attempts", "answer", [[[[[[[[["deep"]]]]]]]]]),
     "attempts[0].answer: expected text, got list [[[[[[[...]]]]]]]"),
    ("unknown-field", _set("attempts", "admin", True), "attempts[0].admin: unknown field"),
    ("missing-field", _drop("review_log", "item_id"), "review_log[0].item_id: missing"),
    ("record-not-object", lambda d: d["attempts"].__setitem__(0, "q1"),
     "attempts[0]: expected an object, got str 'q1'"),
    ("table-not-list", _top("attempts", {"0": {}}), "attempts: expected a list, got dict {'0': {}}"),
    ("table-missing", _top("review_log", KeyError), "review_log: missing"),
    ("unknown-table", _top("users", []), "users: unknown field"),
    ("schema-newer", _top("schema", 99), "schema: 99 is from a newer Why Tutor (this one knows 2)"),
    ("schema-zero", _top("schema", 0), "schema: 0 is below the minimum 1"),
    ("schema-text", _top("schema", "2"), "schema: expected a whole number, got str '2'"),
    ("card-not-json", _raw_card("{oops"), "review_cards[0].card_json: card_json is not JSON"),
    ("card-deeply-nested", _raw_card("[" * 900 + "]" * 900),
     "review_cards[0].card_json: card_json.(top level): expected an object, got list [[[[[[[...]]]]]]]"),
    ("card-too-long", _raw_card(" " * 2001),
     "review_cards[0].card_json: text of 2001 characters is longer than 2000"),
    ("card-negative-stability", _card("stability", -3.0),
     "review_cards[0].card_json: card_json.stability: -3.0 is not above 0"),
    ("card-difficulty-50", _card("difficulty", 50.0),
     "review_cards[0].card_json: card_json.difficulty: 50.0 is above the maximum 10"),
    ("card-state-9", _card("state", 9), "review_cards[0].card_json: card_json.state: 9 is above the maximum 3"),
    ("card-naive-due", _card("due", "2026-03-01T12:00:00"),
     "review_cards[0].card_json: card_json.due: '2026-03-01T12:00:00' has no timezone"),
    ("card-missing-due", _card("due", KeyError), "review_cards[0].card_json: card_json.due: missing"),
    ("card-unknown-key", _card("evil", 1), "review_cards[0].card_json: card_json.evil: unknown field"),
    ("card-reviewed-without-stability", lambda d: (_card("state", 2)(d), _card("stability", None)(d)),
     "review_cards[0].card_json: card_json: a reviewed card needs stability and difficulty"),
]


@pytest.mark.parametrize("mutate, expected", [(m, e) for _, m, e in CRAFTED],
                         ids=[i for i, _, _ in CRAFTED])
def test_a_crafted_import_is_refused_whole_and_nothing_changes(tmp_path, capsys, mutate, expected):
    data = real_export(tmp_path)
    mutate(data)  # the export's other, valid records come before or after: none may land
    file = tmp_path / "progress.json"
    file.write_text(json.dumps(data))
    db = tmp_path / "here.sqlite3"
    here = ProgressStore(db)
    here.record_attempt("mine", "quiz", correct=True, now=T0)
    here.close()
    before = db.read_bytes()
    assert main(["--db", str(db), "--lang", "en", "progress", "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert one_line(err) == f"tutor: {file}: {expected}; nothing was imported"
    assert db.read_bytes() == before
    store = ProgressStore(db)  # and the tutor still starts and reads its cards
    assert [r["item_id"] for r in store.attempts()] == ["mine"] and len(store.review_items()) == 1


@pytest.mark.parametrize("content, expected", [
    (b"[" * 100_000 + b"]" * 100_000, "the JSON is nested too deeply"),
    (b'{"format": "why-tutor-progress", "schema": ' + b"9" * 5000 + b"}",
     "not JSON (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 "
     "digits; use sys.set_int_max_str_digits() to increase the limit)"),
    (b"\xff\xfe not utf-8", "not JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid "
     "start byte)"),
    (b"", "not JSON (Expecting value: line 1 column 1 (char 0))"),
    (b'["why-tutor-progress"]', "not a Why Tutor progress export (its 'format' is not "
     "'why-tutor-progress')"),
    (b'{"format": "anki"}', "not a Why Tutor progress export (its 'format' is not "
     "'why-tutor-progress')"),
], ids=["deep-nesting", "huge-number", "not-utf8", "empty", "a-list", "other-format"])
def test_an_unreadable_import_file_is_one_line(tmp_path, capsys, content, expected):
    file = tmp_path / "in.json"
    file.write_bytes(content)
    db = tmp_path / "here.sqlite3"
    assert main(["--db", str(db), "--lang", "en", "progress", "import", str(file)]) == 2
    assert one_line(capsys.readouterr().err) == f"tutor: {file}: {expected}; nothing was imported"
    assert not db.exists()  # checked before the progress file is even opened


def test_an_oversized_import_file_is_refused_unread(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tutor.store.export_schema.MAX_EXPORT_BYTES", 1 << 20)
    file = tmp_path / "in.json"
    file.write_bytes(b" " * ((1 << 20) + 1))
    db = tmp_path / "here.sqlite3"
    assert main(["--db", str(db), "--lang", "ko", "progress", "import", str(file)]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"tutor: {file}: 1 MiB보다 커서 진도 내보내기(export) 파일일 수 없습니다. 아무것도 가져오지 않았어요")
    assert not db.exists()


def test_an_import_file_that_is_a_folder_is_one_line(tmp_path, capsys):
    folder = tmp_path / "in.json"
    folder.mkdir()
    assert main(["--db", str(tmp_path / "h.sqlite3"), "--lang", "en", "progress", "import",
                 str(folder)]) == 2
    assert one_line(capsys.readouterr().err) == (f"tutor: {folder}: cannot be read (Is a directory); "
                                                 "nothing was imported")


def test_a_good_import_still_merges_and_the_cards_work(tmp_path):
    store = ProgressStore(tmp_path / "here.sqlite3")
    counts = import_progress(store, real_export(tmp_path))
    assert (counts.lessons, counts.attempts, counts.cards, counts.reviews) == (1, 2, 2, 2)
    assert len(store.due_reviews(T0.replace(year=2030))) == 2
    with pytest.raises(BadExport):  # and the python API refuses the same way as the CLI
        import_progress(store, {"format": "why-tutor-progress"})
    assert len(store.attempts()) == 2


# --------------------------------------------------------------------------- fuzzed imports

_NASTY = [None, -1, 0, 1, 5, 10**30, -(10**30), 1.5, float("nan"), True, False, "", " ", "x" * 30_000,
          "2026-03-01T12:00:00", "2026-13-45T99:00:00+00:00", "2026-03-01T12:00:00+00:00",
          [], {}, [[[[[[]]]]]], {"a": {"b": {}}}, "\x00", "'; DROP TABLE attempts; --", "🙂" * 50]


def _paths(node, here=()):
    """Every (container, key) in the export, card_json opened up as a JSON object too."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield here + (key,)
            yield from _paths(value, here + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield here + (i,)
            yield from _paths(value, here + (i,))


def _mutate(data: dict, rng) -> dict:
    data = json.loads(json.dumps(data))
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.3:  # mutate inside a card's own JSON
            cards = data.get("review_cards")
            if isinstance(cards, list) and cards and isinstance(cards[0], dict) \
                    and isinstance(cards[0].get("card_json"), str):
                try:
                    card = json.loads(cards[0]["card_json"])
                except ValueError:
                    continue
                if isinstance(card, dict) and card:
                    card[rng.choice(sorted(card))] = rng.choice(_NASTY)
                    cards[0]["card_json"] = json.dumps(card)
                continue
        paths = list(_paths(data))
        *parent_path, key = rng.choice(paths)
        parent = data
        for step in parent_path:
            parent = parent[step]
        roll = rng.random()
        if roll < 0.15 and isinstance(parent, dict):
            del parent[key]
        elif roll < 0.25 and isinstance(parent, dict):
            parent["extra_" + str(rng.randint(0, 9))] = rng.choice(_NASTY)
        else:
            parent[key] = rng.choice(_NASTY)
    return data


def test_random_mutations_of_a_real_export_are_refused_or_merged_never_a_crash(tmp_path):
    import random  # noqa: PLC0415

    rng = random.Random(20261201)
    base = real_export(tmp_path)
    store = ProgressStore(tmp_path / "fuzz.sqlite3")
    refused = merged = 0
    for case in range(300):
        data = _mutate(base, rng)
        started = time.monotonic()
        try:
            import_progress(store, data)
            merged += 1
        except BadExport as err:
            refused += 1
            assert "\n" not in str(err) and str(err).endswith("nothing was imported"), (case, err)
        assert time.monotonic() - started < 2, case
        # what the tutor reads at every start still works after whatever was let in
        store.progress(), store.review_items(), store.due_count(), store.last_lesson()
        for item in store.hardest_first():
            assert 0.0 <= store.retrievability(item) <= 1.0
    assert refused > 200 and merged > 0  # the mutations do reach both outcomes
