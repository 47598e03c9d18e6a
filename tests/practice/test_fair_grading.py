"""Fair grading: numbers in decimal at the asked precision, orders whose items commute.

The generator sweep (every generator × hundreds of seeds, key ± one and ± two units, both
roundings of exact halves) lives beside the independent answers in
``tests/content/test_generators.py``; this file covers the rule itself, odd input, the bank's
questions and the order format.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.content import NumericQuestion, OrderQuestion, load_library
from tutor.content.generators import check_generator
from tutor.practice.grading import (
    asked_decimals,
    answer_text,
    grade,
    parse_decimal,
    shuffled_order,
)
from tutor.store import ProgressStore

REPO = Path(__file__).resolve().parents[2]
LIBRARY = load_library([REPO / "quizzes", REPO / "lessons"], check_generator=check_generator)
ORDER_QUESTIONS = {qid: q for qid, q in LIBRARY.questions.items() if isinstance(q, OrderQuestion)}
NUMERIC_QUESTIONS = {qid: q for qid, q in LIBRARY.questions.items()
                     if isinstance(q, NumericQuestion)}

# Which written items commute, judged question by question (1-based). A new order question must
# be judged and added here.
JUDGED_GROUPS = {
    "q01-proof-order": [[1, 2]],      # fixing a unit d and Taylor-expanding along d
    "q03-xor-proof-order": [[3, 4]],  # adding the 'output 1' pair and the 'output 0' pair
    "q03-gd-loop-order": [[2, 3]],    # loss and gradient both come from the predictions
    "q04-backprop-order": [],         # the backward pass starts from the computed loss
    "q05-bce-order": [],              # each step rewrites the previous one's expression
    "q02-history-order": [],          # five distinct years: 1958, 1986, 1995, 2001, 2012
    "q06-layer-step-order": [],       # forward, loss, ∂L/∂y, ∂L/∂θ, update: each needs the one before
    "q08-yolo-nms-order": [[1, 2]],   # sorting then discarding the weak boxes leaves the same list
}


def numeric(answer: float, tolerance: float, **extra) -> NumericQuestion:
    return NumericQuestion.model_validate({
        "id": "n", "type": "numeric", "chapter": 5, "q": {"ko": "값은?", "en": "Value?"},
        "explanation": {"ko": "해설", "en": "why"}, "answer": answer, "tolerance": tolerance,
        **extra})


def order_question(n: int, groups: list[list[int]], explanation: str = "either order",
                   explanation_ko: str = "어느 쪽이 먼저여도 됩니다.") -> OrderQuestion:
    return OrderQuestion.model_validate({
        "id": "o", "type": "order", "chapter": 3, "q": {"ko": "순서", "en": "order"},
        "explanation": {"ko": explanation_ko, "en": explanation},
        "items": [{"ko": f"항목 {i}", "en": f"item {i}"} for i in range(n)],
        "interchangeable": groups})


# --------------------------------------------------------------------------- the numeric rule

def test_the_precision_trap_half_up_rounding_is_right():
    """TP = 41, FP = 39: precision 0.5125; key 0.512 ± one unit, in decimal, not in float."""
    q = numeric(0.512, 0.001)
    assert abs(0.513 - 0.512) > 0.001                  # why a float comparison rejected it
    assert [grade(q, a).correct for a in ("0.512", "0.513", "0.511", "0.5125")] == [True] * 4
    assert [grade(q, a).correct for a in ("0.514", "0.510", "0.5141", "-0.512")] == [False] * 4


@pytest.mark.parametrize(("tolerance", "digits"), [(0.1, 1), (0.01, 2), (0.001, 3), (0.0001, 4),
                                                   (1e-6, 6), (0.0, None), (0.05, None),
                                                   (1.0, 0), (0.002, None)])
def test_asked_decimals_come_from_a_one_unit_tolerance(tolerance, digits):
    assert asked_decimals(numeric(1.5, tolerance)) == digits


def test_integer_answers_are_exact():
    q = numeric(26, 0)
    assert [grade(q, a).correct for a in ("26", "26.0", "2.6e1", "+26", "26.000")] == [True] * 5
    assert [grade(q, a).correct for a in ("25", "27", "26.001", "-26")] == [False] * 4
    assert all(grade(q, a).note is None for a in ("26", "25", "26.0"))


@pytest.mark.parametrize(("raw", "value"), [
    ("0.5", "0.5"), (".5", "0.5"), ("5e-1", "0.5"), ("5E-1", "0.5"), ("+0.5", "0.5"),
    ("1,234.5", "1234.5"), ("1,234,567", "1234567"), ("-0", "0"), ("  0.5  ", "0.5"),
    ("０．５", "0.5"), ("－１", "-1"), ("−0.5", "-0.5"), ("5.", "5"), ("1e999", "1e999"),
])
def test_numbers_are_read_exactly(raw, value):
    from decimal import Decimal
    assert parse_decimal(raw) == Decimal(value)


@pytest.mark.parametrize("raw", [
    "", "   ", "²", "5²", "٣", "nan", "NaN", "inf", "-inf", "Infinity", "0x10", "1/2", "0,5",
    "12,34", "1e", "e5", ".", "-", "1e1000", "0.5.1", "1 2", "5" * 5000, "1" + "0" * 64,
    "a quarter", "0.25!", "½", "\u200b0.5", "0.5\x00",
])
def test_anything_else_is_not_a_number_and_never_crashes(raw):
    q = numeric(0.25, 0.001)
    start = time.perf_counter()
    graded = grade(q, raw)
    assert time.perf_counter() - start < 0.05
    assert (graded.correct, graded.problem) == (None, "bad_number:")
    message = graded.problem_text("en")
    assert message.startswith("Not a number: ") and "\n" not in message and len(message) < 80
    assert graded.problem_text("ko").startswith("숫자가 아닙니다: ")


def test_a_huge_input_is_refused_quickly_and_shown_shortened():
    graded = grade(numeric(0.25, 0.001), "5" * 5000)
    assert graded.problem_text("en") == "Not a number: " + "5" * 40 + "…"


def test_negative_zero_and_tiny_keys():
    assert grade(numeric(0.0, 0.001), "-0").correct is True
    assert grade(numeric(0.0, 0.001), "-0.001").correct is True
    assert grade(numeric(0.0, 0.001), "-0.002").correct is False
    assert grade(numeric(-0.0173, 0.0001), "-0.0174").correct is True
    assert grade(numeric(-0.0173, 0.0001), "-0.0175").correct is False


# --------------------------------------------------------------------------- precision note

def test_fewer_decimals_than_the_key_needs_is_graded_as_written_and_said():
    q = numeric(7.211, 0.001)
    graded = grade(q, "7.21")
    assert graded.correct is True                      # 7.210 is one unit from 7.211
    assert graded.note_text("en") == "7.21 was graded as 7.210: this question is checked to 3 decimals."
    assert graded.note_text("ko") == ("7.21을(를) 7.210(으)로 보고 채점했어요. "
                                      "이 문제는 소수점 아래 3자리까지 확인합니다.")
    wrong = grade(q, "7.2")
    assert wrong.correct is False and "7.200" in wrong.note_text("en")
    assert grade(q, "7.211").note is None and grade(q, "7.2111").note is None
    assert grade(q, "7.211").note_text("en") == ""


def test_no_note_when_the_short_answer_is_the_whole_key():
    """0.5 for a key of 0.500 and 7 for a key of 7 lose nothing: no note."""
    assert grade(numeric(0.5, 0.001), "0.5").note is None
    assert grade(numeric(7.0, 0.001), "7").note is None
    assert grade(numeric(0.5, 0.001), "1").note == "note_decimals"


def test_bank_tolerances_match_the_decimals_the_text_asks_for():
    """'Round to 3 decimals' / 'Give three decimals' means tolerance 0.001 (q01-max-slope had
    0.01, which silently accepted 7.21)."""
    words = {"one": 1, "two": 2, "three": 3, "four": 4}
    asked_any = 0
    for qid, q in NUMERIC_QUESTIONS.items():
        found = re.search(r"(?:[Rr]ound to|[Gg]ive) (\d|one|two|three|four) decimals?", q.q.en)
        if found:
            asked_any += 1
            digits = words.get(found.group(1)) or int(found.group(1))
            assert asked_decimals(q) == digits, (qid, q.tolerance, found.group(0))
    assert asked_any >= 5
    q = NUMERIC_QUESTIONS["q01-max-slope"]
    assert grade(q, "7.21").note == "note_decimals" and grade(q, "7.211").correct is True


def test_the_plain_cli_prints_the_note_and_saves_the_answer(tmp_path):
    content = tmp_path / "content" / "quizzes"
    content.mkdir(parents=True)
    (content / "n.yaml").write_text(
        "questions:\n"
        "  - id: fair-max-slope\n    type: numeric\n    chapter: 1\n    tags: [fair]\n"
        "    q: {ko: \"값은? 소수 셋째 자리까지 답하세요.\", en: \"Value? Give three decimals.\"}\n"
        "    answer: 7.211\n    tolerance: 0.001\n"
        "    explanation: {ko: \"해설\", en: \"why\"}\n", encoding="utf-8")
    db = tmp_path / "p.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "--db", str(db), "--content", str(tmp_path / "content"),
         "quiz", "--plain", "--tags", "fair"], input="7.21\n", capture_output=True, text=True,
        timeout=120, env={**os.environ, "TUTOR_LANG": "en"}, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Correct!" in result.stdout
    assert "7.21 was graded as 7.210: this question is checked to 3 decimals." in result.stdout
    [row] = ProgressStore(db).attempts()
    assert (row["item_id"], row["answer"], row["correct"]) == ("fair-max-slope", "7.21", 1)


# --------------------------------------------------------------------------- order questions

def valid_orders(n: int, groups: list[list[int]]) -> set[tuple[int, ...]]:
    """Brute force, independent of the grader: the written order with each group's items
    permuted in every way among the group's own positions."""
    group_choices = []
    for group in groups:
        positions = [i - 1 for i in group]
        group_choices.append([(positions, perm) for perm in itertools.permutations(positions)])
    out = set()
    for combo in itertools.product(*group_choices):
        order = list(range(n))
        for positions, perm in combo:
            for pos, item in zip(positions, perm):
                order[pos] = item
        out.add(tuple(order))
    return out


def typed(shown: list[int], meant: tuple[int, ...]) -> str:
    """What a learner types to mean the items ``meant`` (0-based, written order) in that order."""
    return " ".join(str(shown.index(item) + 1) for item in meant)


def test_every_order_question_is_judged():
    assert set(ORDER_QUESTIONS) == set(JUDGED_GROUPS)
    for qid, q in ORDER_QUESTIONS.items():
        assert q.interchangeable == JUDGED_GROUPS[qid], qid


@pytest.mark.parametrize("qid", sorted(JUDGED_GROUPS))
def test_every_permutation_of_every_bank_order_question(qid):
    q = ORDER_QUESTIONS[qid]
    n = len(q.items)
    right = valid_orders(n, q.interchangeable)
    assert len(right) == max(1, 2 * len(q.interchangeable))   # the bank's groups are pairs
    for seed in ("a", 1, qid):
        shown = shuffled_order(q, seed)
        for meant in itertools.permutations(range(n)):
            graded = grade(q, typed(shown, meant), shown)
            assert graded.correct is (meant in right), (qid, shown, meant)


@pytest.mark.parametrize("qid", sorted(JUDGED_GROUPS))
def test_shuffled_order_never_shows_a_solved_order(qid):
    q = ORDER_QUESTIONS[qid]
    right = valid_orders(len(q.items), q.interchangeable)
    for seed in range(300):
        shown = shuffled_order(q, seed)
        assert sorted(shown) == list(range(len(q.items)))
        assert tuple(shown) not in right, (qid, seed, shown)
        assert grade(q, " ".join(str(i + 1) for i in range(len(q.items))), shown).correct is False


@pytest.mark.parametrize("groups", [[[1, 2]], [[2, 3]], [[1, 2], [3, 4]], [[2, 3, 4]],
                                    [[1, 2, 3], [4, 5]], [[1, 2, 3, 4]]])
def test_synthetic_groups_against_brute_force(groups):
    n = 5
    q = order_question(n, groups)
    right = valid_orders(n, groups)
    for seed in range(20):
        shown = shuffled_order(q, seed)
        assert tuple(shown) not in right
        for meant in itertools.permutations(range(n)):
            assert grade(q, typed(shown, meant), shown).correct is (meant in right)


def test_two_items_with_nothing_interchangeable_still_shuffle():
    q = order_question(2, [], explanation="first one, then the other", explanation_ko="차례대로")
    assert shuffled_order(q, "x") == [1, 0]
    assert grade(q, "2 1", [1, 0]).correct is True and grade(q, "1 2", [1, 0]).correct is False


def test_answer_text_shows_the_written_order_and_names_what_may_swap():
    q = ORDER_QUESTIONS["q03-xor-proof-order"]
    shown = [4, 2, 0, 3, 1]                        # written items 3 and 4 are shown as [2], [4]
    assert answer_text(q, "en", shown) == "3 5 2 4 1 (the order among 2, 4 does not matter)"
    assert answer_text(q, "ko", shown) == "3 5 2 4 1 (2, 4번 사이의 순서는 상관없어요)"
    assert grade(q, "3 5 2 4 1", shown).correct and grade(q, "3 5 4 2 1", shown).correct
    assert answer_text(ORDER_QUESTIONS["q05-bce-order"], "en", [1, 0, 2, 3, 4]) == "2 1 3 4 5"


def test_order_input_that_is_not_an_order_is_asked_again():
    q = ORDER_QUESTIONS["q03-gd-loop-order"]
    for raw in ("", "1 2 3", "1 2 3 3", "1 2 3 5", "1 2 3 4 " + "9" * 5000, "1² 2 3 4", "²"):
        graded = grade(q, raw, [3, 2, 1, 0])
        assert (graded.correct, graded.problem) == (None, "bad_order:4"), raw
    assert grade(q, "１ ２ ３ ４", [3, 2, 1, 0]).correct is False      # full-width digits are read
    assert grade(q, "４ ２ ３ １", [3, 2, 1, 0]).correct is True


# --------------------------------------------------------------------------- the format

BAD_GROUPS = [
    ([[3]], "group [3] needs at least 2 items"),
    ([[3, 4]], "group [3, 4]: item 4 is not among the 3 items (count from 1)"),
    ([[0, 1]], "group [0, 1]: item 0 is not among the 3 items (count from 1)"),
    ([[1, 3]], "group [1, 3] must list consecutive items in order, e.g. [1, 2]"),
    ([[2, 1]], "group [2, 1] must list consecutive items in order, e.g. [2, 3]"),
    ([[1, 2], [2, 3]], "group [2, 3] shares item 2 with another group"),
    ([[1, 2, 3]], "group [1, 2, 3] holds every item: nothing is left to order"),
]


@pytest.mark.parametrize(("groups", "message"), BAD_GROUPS)
def test_bad_groups_are_reported_with_file_and_line(tmp_path, groups, message):
    folder = tmp_path / "quizzes"
    folder.mkdir()
    items = "".join(f"      - {{ko: \"항목 {i}\", en: \"item {i}\"}}\n" for i in range(3))
    (folder / "o.yaml").write_text(
        "questions:\n  - id: o-bad\n    type: order\n    chapter: 3\n"
        "    q: {ko: \"순서\", en: \"Order them\"}\n    items:\n" + items +
        f"    interchangeable: {groups}\n"
        "    explanation: {ko: \"어느 쪽이 먼저여도 됩니다.\", en: \"Either order works.\"}\n",
        encoding="utf-8")
    lib = load_library([tmp_path])
    assert [str(e) for e in lib.errors] == [
        f"{folder / 'o.yaml'}:10: questions[0].interchangeable: {message}"]


@pytest.mark.parametrize(("groups", "en", "ko", "message"), [
    ([[1, 2]], "The first two can come in either order.", "차례대로 합니다.",
     "explanation (ko) must say the interchangeable items may come in any order"),
    ([[1, 2]], "Step by step.", "어느 쪽이 먼저여도 됩니다.",
     "explanation (en) must say the interchangeable items may come in any order"),
    ([], "Any order works.", "차례대로 합니다.",
     "explanation (en) says items may come in any order, but no items are interchangeable"),
    ([], "Step by step.", "순서는 상관없습니다.",
     "explanation (ko) says items may come in any order, but no items are interchangeable"),
])
def test_the_explanation_must_agree_with_the_groups(groups, en, ko, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        order_question(3, groups, explanation=en, explanation_ko=ko)


def test_tutor_validate_still_passes_on_the_bundled_content():
    result = subprocess.run([sys.executable, "-m", "tutor", "validate"], capture_output=True,
                            text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(" 0 errors")
