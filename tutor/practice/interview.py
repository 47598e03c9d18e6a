"""A mock interview: timed answers, the model answer's key points ticked honestly, a report.

The interviewer asks a why question; the learner answers (typed, or aloud with a typed note);
the model answer appears with its key points as a checklist. A well-answered question
(at least three quarters of its points) leads to its follow-up question (꼬리 질문) if it has one.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tutor.atomicfile import ExportError, write_atomic
from tutor.content import Library, render_inline_math
from tutor.i18n import tr

from .session import PracticeItem, all_items

WELL_ANSWERED = 0.75


@dataclass
class InterviewAnswer:
    item: PracticeItem
    answer: str = ""
    ticked: list[int] = field(default_factory=list)  # indices of the key points covered
    seconds: float = 0.0
    is_follow_up: bool = False

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
        ko = lang == "ko"
        got, total = self.total_points
        seconds = sum(a.seconds for a in self.answers)
        lines = [
            f"# {'모의 면접 보고서' if ko else 'Mock interview report'} — "
            f"{self.started:%Y-%m-%d %H:%M}",
            "",
            f"- {'문항' if ko else 'Questions'}: {len(self.answers)}",
            f"- {'핵심 포인트' if ko else 'Key points covered'}: {got}/{total}"
            + (f" ({round(100 * got / total)}%)" if total else ""),
            f"- {'걸린 시간' if ko else 'Time'}: {seconds / 60:.1f} min"
            + (f" / {self.minutes:g} min" if self.minutes else ""),
        ]
        weak = self.weakest_topics()
        if weak:
            lines.append(f"- {'약한 주제' if ko else 'Weakest topics'}: "
                         + ", ".join(f"{t} ({round(s * 100)}%)" for t, s in weak))
        lines.append("")
        for n, a in enumerate(self.answers, start=1):
            why = a.item.why
            tag = (" (꼬리 질문)" if ko else " (follow-up)") if a.is_follow_up else ""
            lines += [
                f"## {n}. {render_inline_math(why.q.get(lang))}{tag}",
                "",
                f"*{a.item.item_id} · {', '.join(a.item.tags)} · {a.seconds:.0f} s · "
                f"{len(set(a.ticked))}/{len(why.points)}*",
                "",
                f"**{tr('your_answer', lang)}**",
                "",
                _quote(a.answer or ("(답하지 않음)" if ko else "(no answer)")),
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
            raise ExportError(f"{folder}: cannot create the folder ({err.strerror})") from None
        path = folder / f"interview-{self.started:%Y%m%d-%H%M%S}.md"
        n = 1
        while path.exists():
            path = folder / f"interview-{self.started:%Y%m%d-%H%M%S}-{n}.md"
            n += 1
        return write_atomic(path, self.markdown())


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())
