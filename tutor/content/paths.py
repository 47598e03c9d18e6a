"""Where the bundled lessons and quizzes are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def bundled_content_dirs() -> list[Path]:
    """The lessons/ and quizzes/ that ship with the tutor.

    In a wheel they are inside the package (tutor/_bundled/); in a source checkout or an
    editable install they are the repository's own top-level folders.
    """
    for root in (_PACKAGE / "_bundled", _PACKAGE.parent):
        dirs = [root / "lessons", root / "quizzes"]
        if all(d.is_dir() for d in dirs):
            return dirs
    return []
