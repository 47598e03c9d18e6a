"""Writing a file so that a failure never damages the one already there.

Exports (progress, Anki decks, interview reports, PNGs) are written to a temporary file in the
target's own directory and renamed onto the target only when complete: a rename within one
directory is atomic, so a reader sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tutor.i18n import tr


class ExportError(Exception):
    """A file could not be written; the message is one line naming the path and the reason.

    ``str(err)`` is English; ``err.text(lang)`` the learner's language when the error was made
    from an i18n key (:meth:`of`), else the same English line.
    """

    def __init__(self, message: str, key: str | None = None, **values: object):
        super().__init__(message)
        self.key, self.values = key, values

    @classmethod
    def of(cls, key: str, **values: object) -> ExportError:
        return cls(tr(key, "en", **values), key, **values)

    def text(self, lang: str) -> str:
        return tr(self.key, lang, **self.values) if self.key else str(self)


def check_target(path: Path) -> Path:
    """Refuse, with one line, a target that cannot be written: a directory, a missing folder,
    a device or pipe (a rename would replace the device itself). Returns the file to replace:
    a symlink's destination, so the link still points at the new file."""
    try:
        return _checked(Path(path))
    except OSError as problem:  # a name too long, a folder we may not enter
        raise ExportError.of("export_cannot_write_here", path=path,
                             reason=problem.strerror or problem) from None


def _checked(path: Path) -> Path:
    if path.is_dir():
        raise ExportError.of("export_is_folder", path=path)
    if path.exists() and not path.is_file():
        raise ExportError.of("export_not_regular", path=path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    parent = path.parent
    if not parent.exists():
        raise ExportError.of("export_no_folder", path=path, parent=parent)
    if not parent.is_dir():
        raise ExportError.of("export_parent_not_folder", path=path, parent=parent)
    return path


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` only if the block succeeds."""
    target = check_target(Path(path))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=target.parent)
    except OSError as problem:
        raise ExportError.of("export_cannot_write_here", path=target,
                             reason=problem.strerror) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _settle(tmp, target)
        os.replace(tmp, target)
    except OSError as problem:
        raise ExportError.of("export_not_written", path=target,
                             reason=problem.strerror) from None
    finally:
        tmp.unlink(missing_ok=True)


def _settle(tmp: Path, target: Path) -> None:
    """Give the new file the mode the old one had (mkstemp makes it private, 0600; a new one
    gets the usual mode under the umask) and put it on disk before it takes the name."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through :func:`replacing`; returns the path."""
    with replacing(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return Path(path)
