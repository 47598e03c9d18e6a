"""The line-by-line quiz and interview, driven through a pipe like a user without a TUI."""

import os
import subprocess
import sys
from pathlib import Path

from tutor.store import ProgressStore

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]


def tutor(*args: str, stdin: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TUTOR_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "tutor", "--db", str(db), *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env, cwd=REPO)


def test_plain_quiz_through_a_pipe_saves_every_answer(tmp_path):
    db = tmp_path / "p.sqlite3"
    # The two sample questions, in seeded order: numeric first, then the mcq.
    result = tutor("--content", str(DATA / "good"), "quiz", "--plain", "--tags", "sample",
                   "--seed", "1", stdin="abc\n0.25\n7\n2\n", db=db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Not a number: abc" in out            # bad input is explained and asked again
    assert "Choose one number from 1 to 3." in out
    assert out.count("Correct!") == 2
    assert "Score 2/2" in out
    store = ProgressStore(db)
    rows = {r["item_id"]: r for r in store.attempts()}
    assert (rows["sample-numeric"]["answer"], rows["sample-numeric"]["correct"]) == ("0.25", 1)
    assert (rows["sample-mcq"]["answer"], rows["sample-mcq"]["correct"]) == ("1", 1)
    assert store.card("sample-mcq") is not None   # every question met becomes a review item


def test_end_of_input_ends_the_session_and_keeps_answers(tmp_path):
    db = tmp_path / "p.sqlite3"
    result = tutor("--content", str(DATA / "good"), "quiz", "--plain", "--tags", "sample",
                   "--seed", "1", stdin="0.3\n", db=db)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Input ended; the session stops here. Your answers so far are saved." in result.stdout
    assert "Score 0/1" in result.stdout
    [row] = ProgressStore(db).attempts()
    assert (row["item_id"], row["correct"]) == ("sample-numeric", 0)


def test_due_reviews_come_back(tmp_path):
    db = tmp_path / "p.sqlite3"
    tutor("--content", str(DATA / "good"), "quiz", "--plain", "--tags", "sample", "--seed", "1",
          stdin="0.3\n1\n", db=db)                 # both wrong: rated Again, due in minutes
    nothing = tutor("--content", str(DATA / "good"), "quiz", "--plain", "--due", stdin="", db=db)
    assert "Nothing is due for review now" in nothing.stdout
    store = ProgressStore(db)
    assert store.due_count() == 0
    from datetime import datetime, timedelta, timezone
    assert store.due_count(datetime.now(timezone.utc) + timedelta(minutes=15)) == 2


def test_plain_interview_writes_a_report(tmp_path):
    db = tmp_path / "p.sqlite3"
    lesson_dir = tmp_path / "content"
    lesson_dir.mkdir()
    (lesson_dir / "bank.yaml").write_text("""
questions:
  - id: iv-linear
    type: why
    chapter: 4
    tags: [activation]
    q: {ko: "왜 선형 층만 쌓으면 안 될까요?", en: "Why not stack only linear layers?"}
    a: {ko: "선형의 합성은 선형입니다.", en: "A composition of linear maps is linear."}
    points:
      - {ko: "합성은 선형", en: "composition stays linear"}
      - {ko: "비선형 필요", en: "needs a non-linearity"}
    explanation: {ko: "해설", en: "explanation"}
    follow_up: [iv-step]
  - id: iv-step
    type: why
    chapter: 4
    tags: [activation, step]
    q: {ko: "계단 함수는 왜 안 쓸까요?", en: "Why is the step function not used?"}
    a: {ko: "미분이 0이기 때문입니다.", en: "Its derivative is zero almost everywhere."}
    points:
      - {ko: "미분이 0", en: "derivative is zero"}
    explanation: {ko: "해설", en: "explanation"}
""", encoding="utf-8")
    result = tutor("--no-bundled", "--content", str(lesson_dir), "interview", "--plain", "--chapter", "4",
                   "--n", "5", stdin="linear of linear is linear\n1 2\nzero gradient\n1\n", db=db)
    assert result.returncode == 0, result.stderr
    # Both points ticked -> the follow-up question is asked next.
    assert "Follow-up question" in result.stdout
    report_line = [l for l in result.stdout.splitlines() if l.startswith("Interview report: ")]
    report = Path(report_line[0].removeprefix("Interview report: "))
    assert report.parent == db.parent / "reports"
    text = report.read_text(encoding="utf-8")
    assert "## 1. Why not stack only linear layers?" in text
    assert "> linear of linear is linear" in text
    assert "- [x] composition stays linear" in text and "- [x] needs a non-linearity" in text
    assert "## 2. Why is the step function not used? (follow-up)" in text
    assert "Key points covered: 3/3 (100%)" in text
    ratings = {r["item_id"]: r["rating"] for r in ProgressStore(db).attempts()}
    assert ratings == {"iv-linear": 4, "iv-step": 4}
