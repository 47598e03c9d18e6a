"""Regenerate the README's screenshots (docs/*.svg) with Textual's own screenshot support.

    make screenshots        # or: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tutor.content import bundled_content_dirs, load_library  # noqa: E402
from tutor.store import ProgressStore  # noqa: E402
from tutor.ui.app import TutorApp  # noqa: E402
from tutor.content import DerivationStep  # noqa: E402

OUT = REPO / "docs"


async def shoot(lang: str, lesson_id: str, steps: int) -> None:
    lib = load_library(bundled_content_dirs())
    with tempfile.TemporaryDirectory() as tmp:
        store = ProgressStore(Path(tmp) / "p.sqlite3")
        lesson = lib.lessons[lesson_id]
        # Open the lesson at its first derivation: the earlier steps show as already read.
        first = next(i for i, step in enumerate(lesson.steps) if isinstance(step, DerivationStep))
        store.save_position(lesson_id, first, len(lesson.steps))
        app = TutorApp(lib, store, lang)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            app.save_screenshot(f"home-{lang}.svg", str(OUT))
            app.open_lesson(lesson_id)
            await pilot.pause()
            for _ in range(steps):  # reveal a few lines of the derivation
                await pilot.press("space")
            await pilot.pause(0.3)
            app.save_screenshot(f"lesson-{lang}.svg", str(OUT))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    lib = load_library(bundled_content_dirs())
    lesson_id = "01-01-gradient-steepest" if "01-01-gradient-steepest" in lib.lessons \
        else next(iter(lib.lessons))
    for lang in ("ko", "en"):
        asyncio.run(shoot(lang, lesson_id, steps=4))
    print("wrote", ", ".join(str(p.relative_to(REPO)) for p in sorted(OUT.glob("*.svg"))))


if __name__ == "__main__":
    main()
