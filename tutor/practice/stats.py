"""The numbers a learner checks: lessons done, reviews due, retention, accuracy, streak."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from tutor.content import Library

from .session import all_items, due_count


@dataclass
class Stats:
    lessons_done: dict[int, tuple[int, int]] = field(default_factory=dict)  # chapter -> (done, all)
    reviews_due: int = 0
    review_items: int = 0
    retention: float | None = None  # share of reviews of already-seen items not rated Again
    accuracy_by_tag: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag -> (right, n)
    streak_days: int = 0
    study_days: int = 0
    # (item id, FSRS difficulty 1-10, retrievability now): the items this learner finds hardest.
    weakest: list[tuple[str, float, float]] = field(default_factory=list)


def compute_stats(library: Library, store, now: datetime | None = None,
                  today: date | None = None) -> Stats:
    now = now or datetime.now(timezone.utc)
    stats = Stats()
    progress = store.progress()
    for number in range(1, 10):
        lessons = library.lessons_in(number)
        if lessons:
            done = sum(1 for l in lessons if progress.get(l.id) and progress[l.id].completed)
            stats.lessons_done[number] = (done, len(lessons))

    stats.reviews_due = due_count(library, store, now)
    items = store.review_items()
    stats.review_items = len(items)

    # Retention: of the reviews of items that had been reviewed before, how many were recalled
    # (rated Hard or better) — the measure FSRS's desired retention aims at.
    seen: set[str] = set()
    recalled = repeats = 0
    for item_id, rating, _ in store.review_log():
        if item_id in seen:
            repeats += 1
            recalled += rating >= 2
        seen.add(item_id)
    stats.retention = recalled / repeats if repeats else None

    known = all_items(library)
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    days: set[date] = set()
    for attempt in store.attempts():
        days.add(datetime.fromisoformat(attempt["created_at"]).astimezone().date())
        if attempt["correct"] is None or attempt["item_id"] not in known:
            continue
        for tag in known[attempt["item_id"]].tags:
            total[tag] += 1
            right[tag] += attempt["correct"]
    stats.accuracy_by_tag = {t: (right[t], total[t]) for t in sorted(total)}

    stats.study_days = len(days)
    day = today or datetime.now().date()
    if day not in days:
        day -= timedelta(days=1)  # a streak is not broken until today is over
    while day in days:
        stats.streak_days += 1
        day -= timedelta(days=1)

    rated = [i for i in items if i.card.difficulty is not None]
    rated.sort(key=lambda i: (-i.card.difficulty, store.retrievability(i, now), i.item_id))
    stats.weakest = [(i.item_id, i.card.difficulty, store.retrievability(i, now))
                     for i in rated[:10]]
    return stats


def format_stats(stats: Stats, library: Library, lang: str) -> str:
    ko = lang == "ko"
    lines = ["# " + ("학습 통계" if ko else "Progress"), ""]
    for number, (done, count) in stats.lessons_done.items():
        chapter = library.chapters.get(number)
        title = chapter.title.get(lang) if chapter else ""
        label = f"{number}장" if ko else f"Chapter {number}"
        lines.append(f"- {label} {title}: {done}/{count}" + (" 완료" if ko else " lessons done"))
    lines.append("")
    lines.append((f"- 오늘 복습할 항목: {stats.reviews_due} / 전체 {stats.review_items}" if ko
                  else f"- Reviews due: {stats.reviews_due} of {stats.review_items} items"))
    if stats.retention is not None:
        lines.append((f"- 기억 유지율 (retention): {stats.retention:.0%}" if ko
                      else f"- Retention: {stats.retention:.0%}"))
    lines.append((f"- 연속 학습: {stats.streak_days}일 (총 {stats.study_days}일)" if ko
                  else f"- Streak: {stats.streak_days} day(s) ({stats.study_days} study days)"))
    if stats.accuracy_by_tag:
        lines += ["", "## " + ("태그별 정답률" if ko else "Accuracy by tag"), ""]
        ranked = sorted(stats.accuracy_by_tag.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0]))
        for tag, (right, n) in ranked:
            lines.append(f"- {tag}: {right}/{n} ({right / n:.0%})")
    if stats.weakest:
        lines += ["", "## " + ("가장 약한 항목 10개" if ko else "The ten weakest items"), ""]
        for item_id, difficulty, r in stats.weakest:
            lines.append(f"- {item_id}: " + (f"난이도 {difficulty:.1f}/10, 지금 기억할 확률 {r:.0%}"
                                              if ko else
                                              f"difficulty {difficulty:.1f}/10, recall now {r:.0%}"))
    return "\n".join(lines)
