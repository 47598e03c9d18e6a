"""A mock interview: timed answers, the model answer's key points ticked honestly, a report.

The interviewer asks a why question; the learner answers (typed, or aloud with a typed note);
the model answer appears with its key points as a checklist. A well-answered question
(at least three quarters of its points) leads to its follow-up question (꼬리 질문) if it has one.
:class:`InterviewFlow` is that flow, once, for the TUI screen and the plain session alike.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tutor.atomicfile import ExportError, write_atomic
from tutor.content import Library, render_inline_math
from tutor.i18n import tag_name, tr

from .session import PracticeItem, all_items

WELL_ANSWERED = 0.75


@dataclass
class InterviewAnswer:
    item: PracticeItem
    answer: str = ""
    ticked: list[int] = field(default_factory=list)  # indices of the key points covered
    seconds: float = 0.0
    is_follow_up: bool = False
    rated: bool = True  # False: the interview ended before the key points were ticked

    @property
    def score(self) -> float:
        points = len(self.item.why.points)
        return len(set(self.ticked)) / points if points else 0.0

    @property
    def rating(self) -> int:
        """The FSRS rating the answer earns: all points 4, ≥¾ 3, ≥½ 2, else 1."""
        if self.score >= 1:
            return 4
        if self.score >= WELL_ANSWERED:
            return 3
        return 2 if self.score >= 0.5 else 1


def interview_items(library: Library, *, n: int = 8, chapter: int | None = None,
                    difficulty: str | None = None, seed: int | None = None) -> list[PracticeItem]:
    """Why questions from the banks (those are written as interview questions)."""
    items = [i for i in all_items(library).values()
             if i.why is not None and i.lesson_id is None
             and (chapter is None or i.chapter == chapter)
             and (difficulty is None or i.difficulty == difficulty)]
    items.sort(key=lambda i: i.item_id)
    random.Random(seed).shuffle(items)
    # Follow-ups are asked after the question that leads to them, not on their own.
    follow_ups = {f for i in items for f in i.follow_up}
    leading = [i for i in items if i.item_id not in follow_ups] or items
    return leading[:n]


def follow_up_for(answer: InterviewAnswer, library: Library,
                  asked: set[str]) -> PracticeItem | None:
    if answer.score < WELL_ANSWERED:
        return None
    items = all_items(library)
    for ref in answer.item.follow_up:
        if ref in items and ref not in asked and items[ref].why is not None:
            return items[ref]
    return None


@dataclass
class InterviewReport:
    answers: list[InterviewAnswer]
    lang: str
    minutes: float | None = None
    started: datetime = field(default_factory=datetime.now)
    # The interview's duration by the clock the learner watched; None: the answers' sum.
    seconds: float | None = None

    def weakest_topics(self, limit: int = 3) -> list[tuple[str, float]]:
        scores: dict[str, list[float]] = defaultdict(list)
        for a in self.answers:
            for tag in a.item.tags:
                scores[tag].append(a.score)
        ranked = sorted(scores, key=lambda t: (sum(scores[t]) / len(scores[t]), t))
        return [(t, sum(scores[t]) / len(scores[t])) for t in ranked
                if sum(scores[t]) / len(scores[t]) < 1][:limit]

    @property
    def total_points(self) -> tuple[int, int]:
        got = sum(len(set(a.ticked)) for a in self.answers)
        return got, sum(len(a.item.why.points) for a in self.answers)

    def markdown(self) -> str:
        lang = self.lang
        got, total = self.total_points
        seconds = self.seconds if self.seconds is not None else sum(a.seconds for a in self.answers)
        limit = tr("iv_rep_limit", lang, minutes=f"{self.minutes:g}") if self.minutes else ""
        lines = [
            f"# {tr('iv_rep_title', lang)} — {self.started:%Y-%m-%d %H:%M}",
            "",
            f"- {tr('iv_rep_questions', lang)}: {len(self.answers)}",
            f"- {tr('iv_rep_points', lang)}: {got}/{total}"
            + (f" ({round(100 * got / total)}%)" if total else ""),
            f"- {tr('iv_rep_time', lang)}: {tr('iv_minutes', lang, minutes=seconds / 60)}{limit}",
        ]
        weak = self.weakest_topics()
        if weak:
            lines.append(f"- {tr('iv_rep_weak', lang)}: "
                         + ", ".join(f"{tag_name(t, lang)} ({round(s * 100)}%)" for t, s in weak))
        lines.append("")
        for n, a in enumerate(self.answers, start=1):
            why = a.item.why
            tag = f" ({tr('iv_rep_follow_up', lang)})" if a.is_follow_up else ""
            tags = ", ".join(tag_name(t, lang) for t in a.item.tags)
            ticked = (f"{len(set(a.ticked))}/{len(why.points)}" if a.rated
                      else tr("iv_rep_unrated", lang))
            lines += [
                f"## {n}. {render_inline_math(why.q.get(lang))}{tag}",
                "",
                f"*{tags} · {tr('iv_seconds', lang, seconds=round(a.seconds))} · {ticked}*",
                "",
                f"**{tr('your_answer', lang)}**",
                "",
                _quote(a.answer or tr("iv_rep_no_answer", lang)),
                "",
                f"**{tr('model_answer', lang)}**",
                "",
                _quote(render_inline_math(why.a.get(lang))),
                "",
                f"**{tr('key_points', lang)}**",
                "",
            ]
            for i, point in enumerate(why.points):
                mark = "x" if i in a.ticked else " "
                lines.append(f"- [{mark}] {render_inline_math(point.get(lang))}")
            lines.append("")
        return "\n".join(lines)

    def write(self, folder: Path) -> Path:
        """The report as a new Markdown file in ``folder``, written whole or not at all;
        ExportError (one line) when the folder cannot be made or written."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExportError.of("export_cannot_make_folder", path=folder,
                                 reason=err.strerror) from None
        path = folder / f"interview-{self.started:%Y%m%d-%H%M%S}.md"
        n = 1
        while path.exists():
            path = folder / f"interview-{self.started:%Y%m%d-%H%M%S}-{n}.md"
            n += 1
        return write_atomic(path, self.markdown())


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


class InterviewFlow:
    """question → answer → tick the key points → a follow-up or the next question → report.

    One clock (``clock``) times the interview for the screen, the deadline and the report.
    ``n`` questions are asked; follow-ups come on top of them. Ending early (Esc, end of
    input) keeps every answer given and still writes the report.
    """

    def __init__(self, items: list[PracticeItem], library: Library, store, lang: str,
                 minutes: float | None, clock: Callable[[], float] = time.monotonic):
        self.items = list(items)
        self.library = library
        self.store = store
        self.lang = lang
        self.minutes = minutes
        self.clock = clock
        self.queue = list(items)
        self.leading = {i.item_id for i in items}
        self.asked: set[str] = set()
        self.current: PracticeItem | None = None
        self.answer = ""
        self.answer_seconds = 0.0
        self.phase = "answer" if items else "done"  # "answer" → "tick" → ... → "done"
        self.time_up = False
        self.started = clock()
        self.asked_at = self.started
        self.report = InterviewReport([], lang, minutes)
        self.last_saved = True  # False: the store kept the last answer in memory only
        self.report_problem: str | None = None  # why the report file could not be written

    @property
    def answers(self) -> list[InterviewAnswer]:
        return self.report.answers

    @property
    def is_follow_up(self) -> bool:
        return self.current is not None and self.current.item_id not in self.leading

    @property
    def number(self) -> int:
        """The current question's number among the ``n`` asked (a follow-up keeps its lead's)."""
        return sum(1 for a in self.answers if not a.is_follow_up) + (not self.is_follow_up)

    def elapsed(self) -> float:
        return self.clock() - self.started

    def seconds_left(self) -> float | None:
        return None if not self.minutes else self.minutes * 60 - self.elapsed()

    def header(self) -> str:
        left = self.seconds_left()
        shown = "-" if left is None else _clock(left)
        label = tr("iv_header", self.lang, i=min(self.number, len(self.items)),
                   n=len(self.items), left=shown)
        if self.is_follow_up:
            label += f" · {tr('iv_follow_up', self.lang)}"
        if left is not None and left <= 0:  # the answer being written is still taken
            label += f" · {tr('iv_time_up', self.lang)}"
        return label

    def next_question(self) -> PracticeItem | None:
        """The next question (phase "answer"), or None when the interview is over."""
        if not self.queue or self.time_up or self.phase == "done":
            self.phase = "done"
            return None
        self.current = self.queue.pop(0)
        self.asked.add(self.current.item_id)
        self.phase = "answer"
        self.answer = ""
        self.asked_at = self.clock()
        return self.current

    def submit_answer(self, text: str) -> None:
        """The learner's answer; the key points are shown next (phase "tick")."""
        self.answer = text.strip()
        self.answer_seconds = round(self.clock() - self.asked_at, 1)
        self.phase = "tick"

    def tick(self, ticked: list[int]) -> InterviewAnswer:
        """Record the points covered and queue the follow-up it earned (none once time is up);
        then :meth:`next_question`."""
        item = self.current
        points = len(item.why.points)
        result = InterviewAnswer(item, self.answer, sorted({t for t in ticked if 0 <= t < points}),
                                 self.answer_seconds, is_follow_up=self.is_follow_up)
        self._keep(result, rating=result.rating)
        left = self.seconds_left()
        self.time_up = left is not None and left <= 0
        follow = None if self.time_up else follow_up_for(result, self.library, self.asked)
        if follow is not None:
            self.queue.insert(0, follow)
        return result

    def end_early(self) -> None:
        """Esc or end of input: an answer typed but not yet ticked is kept, unrated."""
        if self.phase == "tick":
            unrated = InterviewAnswer(self.current, self.answer, [], self.answer_seconds,
                                      is_follow_up=self.is_follow_up, rated=False)
            self._keep(unrated, rating=None)  # due for review at once, like a card never rated
        self.phase = "done"

    def _keep(self, result: InterviewAnswer, rating: int | None) -> None:
        self.answers.append(result)
        saved = self.store.record_attempt(result.item.item_id, "why",
                                          lesson_id=result.item.lesson_id,
                                          answer=result.answer or None, rating=rating,
                                          seconds=result.seconds)
        self.last_saved = saved is not False

    def finish(self, reports_dir: Path) -> Path | None:
        """Stop the clock and write the report of the questions answered (None if none)."""
        self.phase = "done"
        self.report.seconds = round(self.elapsed(), 1)
        self.report_problem = None
        if not self.answers:
            return None
        try:
            return self.report.write(reports_dir)
        except ExportError as err:  # the answers are in the store; say why the file is not
            self.report_problem = str(err)
            return None

    def report_line(self, path: Path | None) -> str:
        """Where the report is, or why there is none."""
        if path is not None:
            return tr("iv_report", self.lang, path=path)
        if self.report_problem:
            return tr("iv_report_failed", self.lang, problem=self.report_problem)
        return tr("iv_nothing", self.lang)

    def score_line(self) -> str:
        got, total = self.report.total_points
        seconds = self.report.seconds if self.report.seconds is not None else self.elapsed()
        return tr("iv_score", self.lang, got=got, total=total,
                  minutes=tr("iv_minutes", self.lang, minutes=seconds / 60))


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
