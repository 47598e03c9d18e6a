"""Finding and reading content files without trusting what is on disk.

A content folder may hold anything: a FIFO (reading it blocks forever), a device (reading
``/dev/zero`` never ends), a socket, a symlink loop, a folder we may not list, a 1 GB file.
Only regular files are opened, they are checked again after opening (the path may have been
swapped), and no more than ``MAX_BYTES`` is read. What is skipped is reported, never silently.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
MAX_BYTES = 2 * 1024 * 1024  # a content file larger than this is refused unread
MAX_FOLDER_DEPTH = 16


class ReadError(Exception):
    """A content file that could not be read; ``message`` is one line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Skipped:
    """A path under the content that was not read, and why."""

    path: Path
    message: str


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


def _not_regular(path: Path, mode: int) -> Skipped:
    return Skipped(path, f"{_kind(mode)}, not a regular file; skipped without opening it")


def content_files(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """The YAML files under ``paths`` in a stable order, and every path skipped with a reason.

    A path given explicitly is read whatever its suffix; inside folders only ``.yaml``/``.yml``.
    Symlinked folders are followed once each, so a loop ends.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen_folders: set[tuple[int, int]] = set()

    def visit(folder: Path, info: os.stat_result, depth: int) -> None:
        if (info.st_dev, info.st_ino) in seen_folders:
            return  # a symlink back to a folder already read
        seen_folders.add((info.st_dev, info.st_ino))
        if depth > MAX_FOLDER_DEPTH:
            skipped.append(Skipped(folder, f"folders nested deeper than {MAX_FOLDER_DEPTH} "
                                           f"levels; not read"))
            return
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            skipped.append(Skipped(folder, f"cannot read this folder: {_reason(err)}"))
            return
        for entry in entries:
            path = Path(entry.path)
            is_content = path.suffix in SUFFIXES
            try:
                entry_info = entry.stat()  # follows symlinks; lstat would hide their target
            except OSError as err:
                if is_content or entry.is_symlink():
                    skipped.append(Skipped(path, f"cannot read: {_reason(err)}"))
                continue
            if stat.S_ISDIR(entry_info.st_mode):
                visit(path, entry_info, depth + 1)
            elif stat.S_ISREG(entry_info.st_mode):
                if is_content:
                    files.append(path)
            else:
                skipped.append(_not_regular(path, entry_info.st_mode))

    for path in paths:
        try:
            info = os.stat(path)
        except OSError as err:
            skipped.append(Skipped(path, _reason(err) if not isinstance(err, FileNotFoundError)
                                   else "no such file or directory"))
            continue
        if stat.S_ISDIR(info.st_mode):
            visit(path, info, 0)
        elif stat.S_ISREG(info.st_mode):
            files.append(path)
        else:
            skipped.append(_not_regular(path, info.st_mode))
    return files, skipped


def _too_large(size: int) -> ReadError:
    return ReadError(f"the file is {size / 1024 / 1024:.1f} MB; a content file may be at most "
                     f"{MAX_BYTES // 1024 // 1024} MB")


def read_content(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; ReadError otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise ReadError(f"cannot read: {_reason(err)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped since it was listed
            raise ReadError(_not_regular(path, info.st_mode).message)
        if info.st_size > MAX_BYTES:
            raise _too_large(info.st_size)
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:
            raise _too_large(total)
        return b"".join(chunks)
    except BlockingIOError:
        raise ReadError("cannot read: the file would block") from None
    except OSError as err:
        raise ReadError(f"cannot read: {_reason(err)}") from None
    finally:
        os.close(fd)
