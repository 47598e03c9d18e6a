"""The home index: what the home screen and the command palette show, as plain data.

A start with an unchanged course reads this from the content cache instead of loading the
whole library, so the home screen is drawn before pydantic, yaml, the models and the LaTeX
rendering are even imported (the full library loads right after, in the background). It is
built from a loaded :class:`~tutor.content.loader.Library` and nothing else, so both ways of
starting show the same home. Nothing here imports more than the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .textsafety import first_unsafe

if TYPE_CHECKING:
    from .loader import Library


@dataclass(frozen=True)
class Title:
    ko: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class ChapterEntry:
    number: int
    title: Title


@dataclass(frozen=True)
class LessonEntry:
    id: str
    chapter: int
    title: Title
    step_count: int

    @property
    def short_id(self) -> str:
        """``03-02`` for ``03-02-perceptron-gates``, as :attr:`Lesson.short_id`."""
        return self.id[:5]


@dataclass(frozen=True)
class HomeIndex:
    chapters: dict[int, ChapterEntry]
    lessons: dict[str, LessonEntry]  # by id, in the library's (sorted) order
    item_ids: frozenset[str]  # every review item the content defines
    errors: tuple[str, ...]  # the library's error lines, as printed
    bad_files: tuple[str, ...]

    @classmethod
    def of(cls, library: Library) -> HomeIndex:
        return cls(
            chapters={n: ChapterEntry(n, Title(c.title.ko, c.title.en))
                      for n, c in library.chapters.items()},
            lessons={l.id: LessonEntry(l.id, l.chapter, Title(l.title.ko, l.title.en),
                                       len(l.steps)) for l in library.lessons.values()},
            item_ids=frozenset(library.review_item_ids()),
            errors=tuple(str(e) for e in library.errors),
            bad_files=tuple(library.bad_files),
        )

    def lessons_in(self, chapter: int) -> list[LessonEntry]:
        return [l for l in self.lessons.values() if l.chapter == chapter]

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data, read back by :meth:`from_data`."""
        return {
            "chapters": [[c.number, c.title.ko, c.title.en] for c in self.chapters.values()],
            "lessons": [[l.id, l.chapter, l.title.ko, l.title.en, l.step_count]
                        for l in self.lessons.values()],
            "items": sorted(self.item_ids),
            "errors": list(self.errors),
            "bad_files": list(self.bad_files),
        }

    @classmethod
    def from_data(cls, data: Any) -> HomeIndex:
        """The index :meth:`to_data` wrote; ValueError for anything else (a damaged cache)."""
        try:
            chapters = {}
            for number, ko, en in data["chapters"]:
                chapters[_whole(number)] = ChapterEntry(_whole(number), _title(ko, en))
            lessons = {}
            for lesson_id, chapter, ko, en, steps in data["lessons"]:
                lessons[_text(lesson_id)] = LessonEntry(_text(lesson_id), _whole(chapter),
                                                        _title(ko, en), _whole(steps))
            return cls(chapters, lessons, frozenset(_text(i) for i in data["items"]),
                       tuple(_text(e) for e in data["errors"]),
                       tuple(_text(f) for f in data["bad_files"]))
        except (TypeError, KeyError, ValueError) as err:
            raise ValueError(f"not a home index: {err}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str) or first_unsafe(value) is not None:
        raise ValueError("expected safe text")
    return value


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("expected a whole number")
    return value


def _title(ko: Any, en: Any) -> Title:
    return Title(_text(ko), _text(en))
