"""Every command survives every input: odd options, odd stdin, a closed or full stdout.

Each case runs the real `tutor` in a subprocess and checks the exit code, the one line on
stderr (no traceback) and what was kept.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.i18n import STRINGS, TAG_NAMES, tag_name
from tutor.store import ProgressStore

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "data" / "good"
LONG = "9" * 5000


def tutor(*args: str, db: Path, stdin: bytes | str = b"", lang: str = "en",
          content: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "TUTOR_LANG": lang, "PYTHONIOENCODING": "utf-8"}
    base = ["--db", str(db)] + (["--no-bundled", "--content", str(GOOD)] if content else [])
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run([sys.executable, "-m", "tutor", *base, *args], input=data,
                          capture_output=True, timeout=120, env=env, cwd=REPO)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- numeric options: a range each, one line naming the option and the value ---------------

@pytest.mark.parametrize("args, expected", [
    (["interview", "--minutes", "nan"], "--minutes: must be a number of minutes above 0 "
                                        "and at most 1440 (a day), not 'nan'"),
    (["interview", "--minutes", "inf"], "--minutes: must be a number of minutes above 0"),
    (["interview", "--minutes", "-5"], "not '-5'"),
    (["interview", "--minutes", "0"], "not '0'"),
    (["interview", "--minutes", "1e309"], "not '1e309'"),
    (["interview", "--minutes", LONG], "not '99999999999999999999…'"),
    (["quiz", "--n", "0"], "--n: must be a whole number of at least 1, not '0'"),
    (["quiz", "--n", "-3"], "--n: must be a whole number of at least 1, not '-3'"),
    (["quiz", "--n", "²"], "--n: must be a whole number of at least 1, not '²'"),
    (["interview", "--n", "1.5"], "--n: must be a whole number of at least 1, not '1.5'"),
    (["quiz", "--n", LONG], "--n: must be a whole number of at least 1, "
                            "not '99999999999999999999…'"),
    (["quiz", "--chapter", "10"], "--chapter: must be a chapter number from 1 to 9, "
                                  "not '10'"),
    (["interview", "--chapter", "٣"], "--chapter: must be a chapter number from 1 to 9"),
    (["quiz", "--seed", "-1"], "--seed: must be a whole number from 0 to "
                               "9223372036854775807, not '-1'"),
    (["quiz", "--seed", LONG], "--seed: must be a whole number from 0 to"),
    (["interview", "--minutes", "١٠"], "not '١٠'"),
    (["quiz", "--n", os.fsdecode(b"\xff\x1b[2J")], "at least 1, not '?\\x1b[2J'"),
    (["interview", "--difficulty", "X"], "--difficulty: must be E (easy), M (medium) "
                                         "or H (hard), not 'X'"),
])
def test_numeric_options_are_refused_in_one_line(tmp_path, args, expected):
    result = tutor(*args, "--plain", db=tmp_path / "p.db")
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith(f"tutor {args[0]}: ") and expected in line
    assert line.endswith(f"(tutor {args[0]} --help)")
    assert not (tmp_path / "p.db").exists()              # refused before anything started


def test_option_messages_speak_korean(tmp_path):
    result = tutor("--lang", "ko", "quiz", "--n", "0", "--plain", db=tmp_path / "p.db")
    assert result.returncode == 2
    assert "--n: 1 이상의 정수여야 합니다: '0'" in one_line(result)


def test_a_good_difficulty_in_lower_case_is_read(tmp_path):
    result = tutor("interview", "--difficulty", "m", "--plain", db=tmp_path / "p.db")
    assert result.returncode == 0 and "Traceback" not in result.stderr


# -- stdout that cannot be written -------------------------------------------------------

def shell(command: str, db: Path) -> subprocess.CompletedProcess:
    full = (f"set -o pipefail; {sys.executable} -m tutor --db {db} --no-bundled "
            f"--content {GOOD} {command}")
    return subprocess.run(["bash", "-c", full], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TUTOR_LANG": "en"}, cwd=REPO)


def test_a_closed_pipe_ends_with_one_line(tmp_path):
    result = shell("stats | true", tmp_path / "p.db")
    assert result.returncode == 1
    assert one_line(result) == "tutor: stopped, the output cannot be written: the reader closed the pipe"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_ends_with_one_line(tmp_path):
    result = shell("stats > /dev/full", tmp_path / "p.db")
    assert result.returncode == 1
    assert one_line(result) == "tutor: stopped, the output cannot be written: No space left on device"


def test_a_closed_stdout_ends_with_one_line(tmp_path):
    result = shell("validate >&-", tmp_path / "p.db")
    assert result.returncode == 1
    assert one_line(result) == "tutor: stopped, the output cannot be written: stdout is closed"


def test_a_plain_quiz_that_cannot_show_its_question_stops_before_reading_answers(tmp_path):
    db = tmp_path / "p.db"
    result = shell("quiz --plain --tags sample --seed 1 > /dev/full <<< $'0.25\\n1\\n'", db)
    assert result.returncode == 1 and "No space left on device" in one_line(result)
    # No answer is taken for a question the learner could not see.
    assert ProgressStore(db).attempts() == []


# -- the progress file cannot be used: one line for every command ------------------------

@pytest.mark.parametrize("command", [["stats"], ["quiz", "--plain"], ["interview", "--plain"]])
def test_a_folder_as_progress_file_is_one_line(tmp_path, command):
    folder = tmp_path / "db"
    folder.mkdir()
    result = tutor(*command, db=folder)
    assert result.returncode == 1
    assert one_line(result).startswith(f"tutor: {folder}: ")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_foreign_file_as_progress_file_is_refused_untouched(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100, encoding="utf-8")
    result = tutor("stats", db=notes)
    assert result.returncode == 1 and one_line(result).startswith("tutor: ")
    assert notes.read_text(encoding="utf-8") == "my notes\n" * 100


# -- plain sessions read any bytes ---------------------------------------------------------

def quiz(stdin: bytes | str, db: Path) -> subprocess.CompletedProcess:
    # The sample questions in seeded order: numeric (0.25) first, then the mcq ([2]).
    return tutor("quiz", "--plain", "--tags", "sample", "--seed", "1", stdin=stdin, db=db)


def test_invalid_utf8_is_asked_again_and_the_session_goes_on(tmp_path):
    db = tmp_path / "p.db"
    result = quiz(b"\xff\xfe0.2\xc3\n0.25\n2\n", db)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Not a number: \ufffd\ufffd0.2\ufffd" in result.stdout
    assert "Score 2/2" in result.stdout
    assert [r["correct"] for r in ProgressStore(db).attempts()] == [1, 1]


def test_non_ascii_digits_and_5000_digits_are_asked_again(tmp_path):
    db = tmp_path / "p.db"
    result = quiz(f"²\n{'9' * 3000}\n{LONG}\n0.25\n١\n1\n", db)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Not a number: ²" in result.stdout
    assert "That line is too long (over 4000 characters); type a shorter one." in result.stdout
    assert "Score" in result.stdout
    rows = ProgressStore(db).attempts()
    assert rows[0]["answer"] == "0.25" and rows[0]["correct"] == 1


def test_a_huge_line_without_newline_ends_cleanly(tmp_path):
    db = tmp_path / "p.db"
    result = quiz(b"7" * 2_000_000, db)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "That line is too long" in result.stdout
    assert "Input ended; the session stops here." in result.stdout
    assert len(result.stdout) < 20_000                   # the long line is not echoed whole


def test_control_characters_are_dropped_from_a_why_answer(tmp_path):
    bank = tmp_path / "c"
    bank.mkdir()
    (bank / "b.yaml").write_text("""
questions:
  - id: w1
    type: why
    chapter: 3
    tags: [gradient]
    q: {ko: "왜?", en: "Why?"}
    a: {ko: "때문", en: "Because."}
    points: [{ko: "가", en: "one"}]
    explanation: {ko: "해설", en: "x"}
""", encoding="utf-8")
    db = tmp_path / "p.db"
    result = tutor("--no-bundled", "--content", str(bank), "interview", "--plain",
                   stdin=b"a\x1b[31mred\x00 \xe2\x80\x8fok\n1\n", db=db, content=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    [row] = ProgressStore(db).attempts()
    assert row["answer"] == "a[31mred \u200fok"           # no ESC, no NUL; text kept
    assert "\x1b" not in result.stdout


def test_stdin_closed_ends_the_session_at_once(tmp_path):
    db = tmp_path / "p.db"
    full = (f"{sys.executable} -m tutor --db {db} --no-bundled --content {GOOD} "
            "quiz --plain --tags sample <&-")
    result = subprocess.run(["bash", "-c", full], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TUTOR_LANG": "en"})
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Input ended" in result.stdout


def test_plain_interview_with_no_answer_says_no_report(tmp_path):
    result = tutor("interview", "--plain", "--n", "1", db=tmp_path / "p.db")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    if "No interview questions match." not in result.stdout:
        assert "No question was answered, so no report was written." in result.stdout
    assert not (tmp_path / "reports").exists()


def test_a_tui_command_without_a_terminal_is_one_line(tmp_path):
    result = tutor("--lang", "ko", "quiz", db=tmp_path / "p.db")
    assert result.returncode == 2
    assert one_line(result) == ("tutor: quiz에는 터미널이 필요합니다. "
                                "한 줄씩 답하려면 --plain을 붙이세요.")


def test_an_unknown_lesson_id_is_shown_printable(tmp_path):
    result = tutor("lesson", "\x1b[2J" + "x" * 500, db=tmp_path / "p.db")
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("tutor: no lesson ") and "\x1b" not in line and len(line) < 300


# -- stats: rendered as plain text in a pipe, names instead of ids -------------------------

def test_stats_in_a_pipe_are_plain_text_with_names(tmp_path):
    db = tmp_path / "p.db"
    quiz("0.3\n2\n", db)                                  # both wrong: tags and items to show
    result = tutor("stats", db=db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Progress\n")
    assert "**" not in out and "\n#" not in out and "|" not in out
    assert "sample-mcq" not in out and "sample-numeric" not in out
    assert "The 2 weakest questions" in out


def test_every_bundled_tag_has_a_name():
    from tutor.cli import content_paths, load, _options, build_parser
    lib = load(content_paths(_options(build_parser("en").parse_args(["stats"]))))
    from tutor.practice.session import all_items
    tags = {t for item in all_items(lib).values() for t in item.tags}
    assert tags and tags <= set(TAG_NAMES), sorted(tags - set(TAG_NAMES))
    for names in TAG_NAMES.values():
        assert names["ko"] and names["en"]
    assert tag_name("my-own-tag", "ko") == "my own tag"


def test_every_cli_string_has_both_languages():
    for key, entry in STRINGS.items():
        assert set(entry) >= {"ko", "en"}, key


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_help_to_a_full_disk_ends_with_one_line(tmp_path):
    result = shell("--help > /dev/full", tmp_path / "p.db")
    assert result.returncode == 1
    assert one_line(result) == "tutor: stopped, the output cannot be written: No space left on device"


@pytest.mark.parametrize("args, expected", [
    (["--lang", "fr", "stats"], "tutor: --lang: invalid choice: 'fr'"),
    (["stats", "--bogus"], "tutor: unrecognized arguments: --bogus"),
    (["nosuchcommand"], "tutor: COMMAND: invalid choice: 'nosuchcommand'"),
])
def test_argparse_mistakes_are_one_line(tmp_path, args, expected):
    result = tutor(*args, db=tmp_path / "p.db")
    assert result.returncode == 2
    assert one_line(result).startswith(expected)


def test_stats_on_a_terminal_are_rendered_by_rich(tmp_path):
    import pty
    db = tmp_path / "p.db"
    quiz("0.3\n2\n", db)
    leader, follower = pty.openpty()
    env = {**os.environ, "TUTOR_LANG": "en", "COLUMNS": "80", "LINES": "24", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "--db", str(db), "--no-bundled",
                             "--content", str(GOOD), "stats"], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env, cwd=REPO)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert "Progress" in out and "activation functions" in out and "Traceback" not in out
    assert "**" not in out and "# Progress" not in out and "## " not in out
    assert "\x1b[" in out                                  # styled for the terminal
