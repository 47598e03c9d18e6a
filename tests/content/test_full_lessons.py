"""Every chapter is taught by full lessons only (issues 13–16), and the banks are big enough for
quizzes and the mock interview to draw on.

A full lesson opens with a question, has at least one derivation with a why on every line, a
run with a question to answer while watching, two why steps whose model answers are 2–5
sentences with 2–4 key points, three questions from the banks, takes 5–15 minutes, and no file
calls itself a stub.
"""

from __future__ import annotations

import re

import pytest

from tutor.content import bundled_content_dirs, load_library
from tutor.content.models import DerivationStep, ProseStep, QuizRef, QuizStep, RunStep, WhyStep

LIBRARY = load_library(bundled_content_dirs())
FULL_CHAPTERS = {1: 8, 2: 3, 3: 9, 4: 5, 5: 5, 6: 3, 7: 6, 8: 5, 9: 6}  # chapter: at least this many lessons
FULL = sorted((l for l in LIBRARY.lessons.values() if l.chapter in FULL_CHAPTERS),
              key=lambda l: l.id)
SENTENCE_END = re.compile(r"[.?!](?=\s|$)")


def sentences(text: str) -> int:
    """Sentences of an English model answer (math and decimals do not end one)."""
    plain = re.sub(r"\$[^$]*\$", "x", text)
    plain = re.sub(r"\b(e\.g|i\.e|vs|etc)\.", r"\1", plain)
    return len(SENTENCE_END.findall(plain.strip()))


def test_the_chapters_have_their_lessons():
    counts = {ch: sum(1 for l in FULL if l.chapter == ch) for ch in FULL_CHAPTERS}
    assert all(counts[ch] >= n for ch, n in FULL_CHAPTERS.items()), counts


@pytest.mark.parametrize("lesson", FULL, ids=lambda l: l.short_id)
def test_a_full_lesson(lesson):
    steps = lesson.steps
    opening = steps[0]
    assert isinstance(opening, ProseStep), "opens with prose that asks its question"
    assert "?" in opening.prose.get("en") and "?" in opening.prose.get("ko")

    derivations = [s.derivation for s in steps if isinstance(s, DerivationStep)]
    assert derivations, "no derivation"
    for d in derivations:
        for line in d.steps:
            assert line.why.get("ko").strip() and line.why.get("en").strip(), (d.id, line.math)

    runs = [s.run for s in steps if isinstance(s, RunStep)]
    assert runs and all(r.ask is not None for r in runs), "a run with a question to watch for"

    whys = [s.why for s in steps if isinstance(s, WhyStep)]
    assert len(whys) >= 2, "two why steps"
    for why in whys:
        assert 2 <= len(why.points) <= 4, (why.id, len(why.points))
        assert 2 <= sentences(why.a.get("en")) <= 5, (why.id, why.a.get("en"))

    refs = [s.quiz.ref for s in steps if isinstance(s, QuizStep) and isinstance(s.quiz, QuizRef)]
    assert len(refs) >= 3 and all(r in LIBRARY.questions for r in refs), refs

    assert lesson.minutes is not None and 5 <= lesson.minutes <= 15, lesson.minutes


@pytest.mark.parametrize("lesson", FULL, ids=lambda l: l.short_id)
def test_no_file_calls_itself_a_stub(lesson):
    # lessons/03-neural-networks/05-optimizers.yaml holds 03-05-optimizers
    path = next(p for d in bundled_content_dirs() for p in d.glob(f"{lesson.id[:2]}-*/{lesson.id[3:]}.yaml"))
    assert "stub" not in path.read_text(encoding="utf-8").lower(), path.name


def test_the_banks_hold_enough_questions():
    questions = list(LIBRARY.questions.values())
    why = [q for q in questions if q.type == "why"]
    assert len(questions) >= 300 and len(why) >= 100, (len(questions), len(why))
