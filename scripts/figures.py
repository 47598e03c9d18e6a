"""Every figure a lesson pins (its ``figures:`` list), with what a fresh run gives.

    python scripts/figures.py            # every lesson
    python scripts/figures.py 03-05      # one lesson (an id or its CC-NN prefix)

Each figure's experiment is run once per distinct settings (seed included), its ``value`` read
from the run's finish event and written with its ``format``; a line says whether the lesson's
``text`` is that. Exit status 1 when any text differs (or a run cannot give the value), so an
author sees at once which prose to fix. tests/content/test_pinned_figures.py runs the same check.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.content import load_library  # noqa: E402
from tutor.content.models import Figure, Lesson  # noqa: E402
from tutor.content.paths import bundled_content_dirs  # noqa: E402


def lessons(wanted: str | None = None) -> list[Lesson]:
    """The bundled lessons (``wanted``: the one whose id is or starts with it)."""
    lib = load_library(bundled_content_dirs())
    return [lesson for lesson in lib.lessons.values()
            if wanted is None or lesson.id == wanted or lesson.short_id == wanted]


@functools.cache
def _finish(experiment: str, settings: tuple) -> dict:
    from tutor.experiments import REGISTRY  # noqa: PLC0415 (numpy only when a run is due)

    finish: dict = {}
    for event in REGISTRY[experiment].run(dict(settings)):
        finish = event
    return finish


def finish_of(fig: Figure) -> dict:
    """The finish event of the figure's run; each distinct run once per process."""
    return _finish(fig.experiment, tuple(sorted(fig.set.items())))


def fresh(fig: Figure) -> str:
    """How a fresh run writes the figure; ValueError (one line) when it has no such value."""
    return fig.quote(finish_of(fig))


def report(items: list[Lesson]) -> Iterator[tuple[bool, str]]:
    """(matches, one line) for every figure of ``items``."""
    for lesson in items:
        for fig in lesson.figures:
            try:
                got = fresh(fig)
            except ValueError as err:
                yield False, f"{lesson.id} {fig.name}: cannot read the run: {err}"
                continue
            texts = {lang: fig.text_in(lang) for lang in ("ko", "en")}
            ok = all(text == got for text in texts.values())
            shown = repr(texts["en"]) if texts["ko"] == texts["en"] else f"ko {texts['ko']!r}, en {texts['en']!r}"
            yield ok, (f"{lesson.id} {fig.name}: run gives {got!r}, text says {shown}  "
                       f"{'ok' if ok else 'DIFFERS'}")


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else None
    items = lessons(wanted)
    if wanted is not None and not items:
        print(f"no lesson {wanted!r}", file=sys.stderr)
        return 2
    bad = 0
    for ok, line in report(items):
        bad += not ok
        print(line)
    total = sum(len(lesson.figures) for lesson in items)
    print(f"{total} figures, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
