"""The one interview flow (practice.InterviewFlow): follow-ups, one clock, ending early, report."""

import io
from pathlib import Path

from tutor.content import load_library
from tutor.practice.interview import InterviewFlow, interview_items
from tutor.practice.plain import PlainInterview
from tutor.store import ProgressStore

BANK = """
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
    tags: [activation, step-function]
    q: {ko: "계단 함수는 왜 안 쓸까요?", en: "Why is the step function not used?"}
    a: {ko: "미분이 0이기 때문입니다.", en: "Its derivative is zero almost everywhere."}
    points:
      - {ko: "미분이 0", en: "derivative is zero"}
    explanation: {ko: "해설", en: "explanation"}
  - id: iv-lr
    type: why
    chapter: 4
    tags: [learning-rate]
    q: {ko: "학습률이 크면 왜 발산할까요?", en: "Why does a large learning rate diverge?"}
    a: {ko: "지나칩니다.", en: "It overshoots."}
    points:
      - {ko: "지나침", en: "overshoot"}
      - {ko: "커짐", en: "grows"}
    explanation: {ko: "해설", en: "explanation"}
"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def setup(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "bank.yaml").write_text(BANK, encoding="utf-8")
    lib = load_library([content])
    assert not lib.errors, lib.errors
    return lib, ProgressStore(tmp_path / "p.sqlite3")


def ordered(lib, *ids):
    items = {i.item_id: i for i in interview_items(lib, n=10)}
    return [items[i] for i in ids]


def test_a_follow_up_does_not_count_against_n(tmp_path):
    lib, store = setup(tmp_path)
    items = ordered(lib, "iv-linear", "iv-lr")            # iv-step is only a follow-up
    flow = InterviewFlow(items, lib, store, "en", 10, clock=Clock())
    assert flow.next_question().item_id == "iv-linear"
    assert flow.header().startswith("[1/2] Interview question")
    flow.submit_answer("linear of linear")
    flow.tick([0, 1])                                     # all points: the follow-up comes next
    assert flow.next_question().item_id == "iv-step"
    assert flow.header().startswith("[1/2]") and flow.header().endswith("· Follow-up question")
    flow.submit_answer("zero")
    flow.tick([0])
    assert flow.next_question().item_id == "iv-lr"
    assert flow.header().startswith("[2/2]")              # not [3/2]
    flow.submit_answer("")
    flow.tick([])
    assert flow.next_question() is None and flow.phase == "done"
    assert [a.is_follow_up for a in flow.answers] == [False, True, False]
    assert [r["item_id"] for r in store.attempts()] == ["iv-linear", "iv-step", "iv-lr"]


def test_screen_report_and_score_use_one_clock(tmp_path):
    lib, store = setup(tmp_path)
    clock = Clock()
    flow = InterviewFlow(ordered(lib, "iv-lr"), lib, store, "en", 10, clock=clock)
    flow.next_question()
    clock.now += 30                                       # 30 s to answer
    flow.submit_answer("overshoot")
    clock.now += 120                                      # 2 min reading and ticking
    assert flow.header() == "[1/1] Interview question · time left 7:30"
    flow.tick([0])
    path = flow.finish(tmp_path / "reports")
    assert flow.report.seconds == 150.0
    text = path.read_text(encoding="utf-8")
    assert "- Time: 2.5 min / 10 min allowed" in text      # the time the screen counted down
    assert "*learning rate · 30 s · 1/2*" in text          # tag names, not ids
    assert "iv-lr" not in text
    assert flow.score_line() == "Key points 1/2 · 2.5 min"


def test_time_up_ends_after_the_answer_and_skips_the_follow_up(tmp_path):
    lib, store = setup(tmp_path)
    clock = Clock()
    flow = InterviewFlow(ordered(lib, "iv-linear", "iv-lr"), lib, store, "en", 1, clock=clock)
    flow.next_question()
    flow.submit_answer("x")
    clock.now += 61
    assert flow.header() == "[1/2] Interview question · time left 0:00 · Time is up."
    flow.tick([0, 1])
    assert flow.time_up and flow.next_question() is None and flow.phase == "done"
    assert [a.item.item_id for a in flow.answers] == ["iv-linear"]


def test_ending_early_keeps_an_unticked_answer_unrated(tmp_path):
    lib, store = setup(tmp_path)
    flow = InterviewFlow(ordered(lib, "iv-lr", "iv-linear"), lib, store, "ko", 10, clock=Clock())
    flow.next_question()
    flow.submit_answer("큰 걸음")
    flow.tick([0, 1])
    flow.next_question()
    flow.submit_answer("반쯤 쓴 답")
    flow.end_early()
    path = flow.finish(tmp_path / "reports")
    text = path.read_text(encoding="utf-8")
    assert "> 반쯤 쓴 답" in text and "포인트 체크 전에 끝남" in text
    assert "- 걸린 시간: 0.0분 / 제한 20분" not in text and "분 / 제한 10분" in text
    assert "초 ·" in text and " s ·" not in text and " min" not in text   # units in Korean
    rows = {r["item_id"]: (r["answer"], r["rating"]) for r in store.attempts()}
    assert rows == {"iv-lr": ("큰 걸음", 4), "iv-linear": ("반쯤 쓴 답", None)}
    assert store.card("iv-linear") is not None           # it comes back in a review


def test_nothing_answered_writes_no_report(tmp_path):
    lib, store = setup(tmp_path)
    flow = InterviewFlow(ordered(lib, "iv-lr"), lib, store, "en", 10, clock=Clock())
    flow.next_question()
    flow.end_early()
    assert flow.finish(tmp_path / "reports") is None
    assert not (tmp_path / "reports").exists()


def plain(lib, store, stdin: str, tmp_path: Path, lang: str = "en", ids=("iv-linear", "iv-lr")):
    out = io.StringIO()
    report, path = PlainInterview(store, lang, io.StringIO(stdin), out, clock=Clock()).interview(
        ordered(lib, *ids), lib, 10, tmp_path / "reports")
    return out.getvalue(), report, path


def test_plain_end_of_input_still_writes_the_report_and_says_where(tmp_path):
    lib, store = setup(tmp_path)
    out, report, path = plain(lib, store, "my answer\n1\n", tmp_path)
    assert "The interview ended early; the report covers the 1 question(s) answered." in out
    assert f"Interview report: {path}" in out and path.exists()
    assert "> my answer" in path.read_text(encoding="utf-8")
    assert len(report.answers) == 1


def test_plain_end_of_input_at_the_tick_prompt_keeps_the_answer(tmp_path):
    lib, store = setup(tmp_path)
    out, report, path = plain(lib, store, "typed then gone\n", tmp_path)
    assert path is not None and "> typed then gone" in path.read_text(encoding="utf-8")
    [row] = store.attempts()
    assert (row["answer"], row["rating"]) == ("typed then gone", None)


def test_plain_ticks_refuse_odd_numbers_and_ask_again(tmp_path):
    lib, store = setup(tmp_path)
    odd = ["²", "9" * 3000, "9" * 5000, "0"]
    out, report, _ = plain(lib, store, "a\n" + "\n".join(odd) + "\n1,2\n", tmp_path,
                           ids=("iv-lr",))
    assert out.count("Choose numbers from 1 to 2.") == 3
    assert out.count("That line is too long (over 4000 characters); type a shorter one.") == 1
    assert report.answers[0].ticked == [0, 1]


def test_plain_korean_interview_speaks_korean(tmp_path):
    lib, store = setup(tmp_path)
    out, _, path = plain(lib, store, "답\n1\n", tmp_path, lang="ko", ids=("iv-lr",))
    assert "[1/1] 면접 질문 · 남은 시간" in out
    assert "핵심 포인트 1/2 · 0.0분" in out and f"면접 보고서: {path}" in out
    assert " min" not in out


class UnsavedStore:
    """A store that, like ProgressStore on a locked file, keeps answers in memory (False)."""

    def __init__(self, store):
        self.store = store
        self.kept = []

    def record_attempt(self, *args, **kwargs):
        self.kept.append((args, kwargs))
        return False


def test_plain_interview_says_when_an_answer_is_not_saved(tmp_path):
    lib, store = setup(tmp_path)
    unsaved = UnsavedStore(store)
    out, report, path = plain(lib, unsaved, "answer\n1\n", tmp_path, ids=("iv-lr",))
    assert "This answer is not saved yet (kept in memory); check the progress file." in out
    assert len(unsaved.kept) == 1 and path.exists()      # the report has it all the same


def test_a_report_folder_that_cannot_be_made_is_one_line_and_answers_stay(tmp_path):
    lib, store = setup(tmp_path)
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    out = io.StringIO()
    _, path = PlainInterview(store, "en", io.StringIO("answer\n1\n"), out, clock=Clock()).interview(
        ordered(lib, "iv-lr"), lib, 10, blocker)
    assert path is None
    [line] = [l for l in out.getvalue().splitlines() if l.startswith("The interview report")]
    assert line.startswith("The interview report was not written (your answers are saved): ")
    assert str(blocker) in line
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"
    assert [r["answer"] for r in store.attempts()] == ["answer"]
