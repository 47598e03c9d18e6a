"""A cache of parsed content files and of checker verdicts, so a start does not parse again
YAML that has not changed (nor import the experiments only to check a run step again).

One JSON file in the user cache directory (``TUTOR_CACHE_DIR`` overrides it). An entry is
keyed by the file's absolute path, size and mtime_ns; the whole cache by its format, the
tutor's version and a fingerprint of the code that reads and checks content, so a changed file
is read again and a cache written by another version is ignored. JSON only: what comes out is
plain data that goes through the same model validation as a file's, never code. A cache that
is corrupt, truncated, foreign or larger than MAX_CACHE_BYTES is ignored and rebuilt; failing
to write it only costs the next start its speed. Only files read without any fault are cached,
so every message about a faulty file comes from reading the file itself.

Beside it, ``home.json`` holds the home index (:mod:`tutor.content.index`) of each set of
content folders last started with (the bundled course, a ``--content`` one; at most MAX_HOMES)
under the same keys: the format, version and code fingerprint, and the path, size and mtime_ns
of every file of the content (and every path skipped, with why), taken before the files were
read. A start whose listing matches shows home from it without importing pydantic or yaml; any
difference and it is not used.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import Skipped, content_files

if TYPE_CHECKING:
    from .index import HomeIndex
    from .yamlsource import SourceMap

CACHE_ENV = "TUTOR_CACHE_DIR"
CACHE_FILE, HOME_FILE = "content.json", "home.json"
FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024
MAX_HOME_BYTES = 8 * 1024 * 1024
MAX_HOMES = 8  # sets of content folders; past this, the one used longest ago goes
MAX_ENTRIES = 5_000  # files; past this, only the ones of the latest start are kept
_DIST_PREFIX = "why_tutor-"
_CODE = Path(__file__).resolve().parent.parent  # the tutor package


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs  # noqa: PLC0415 (only when the cache is used)

    return Path(platformdirs.user_cache_dir("why-tutor"))


def _version() -> str:
    """The installed why-tutor's version, from its ``why_tutor-VERSION.dist-info`` folder's
    name (the wheel standard's), found along sys.path the way importlib.metadata finds it,
    without importing importlib.metadata (25 ms, a tenth of a start)."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # not a folder (a zip), or gone
            continue
        for name in names:
            if name.startswith(_DIST_PREFIX) and name.endswith(".dist-info"):
                return name[len(_DIST_PREFIX):-len(".dist-info")]
    return "unknown"


def code_fingerprint() -> list:
    """Name, size and mtime of every module that decides what a content file means: a source
    checkout's edit to the models or an experiment's checks invalidates the cache."""
    parts = []
    for folder in ("content", "experiments"):
        for root, dirs, files in os.walk(_CODE / folder):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    info = os.stat(os.path.join(root, name))
                    parts.append([os.path.relpath(os.path.join(root, name), _CODE),
                                  info.st_size, info.st_mtime_ns])
    return parts


def _header() -> dict[str, Any]:
    return {"format": FORMAT, "version": _version(), "code": code_fingerprint()}


def listing(files: list[Path], skipped: list[Skipped]) -> dict[str, Any]:
    """What the content is made of now: each file's path, size and mtime_ns (None when it
    cannot be looked at), each skipped path and why, and the folder that relative file
    names in messages are relative to."""
    entries = []
    for path in files:
        try:
            info = os.stat(path)
            entries.append([os.path.abspath(path), info.st_size, info.st_mtime_ns])
        except OSError:
            entries.append([os.path.abspath(path), None, None])
    try:
        cwd = os.getcwd()
    except OSError:  # the folder was removed under us
        cwd = None
    return {"cwd": cwd, "files": entries,
            "skipped": [[os.path.abspath(s.path), s.message] for s in skipped]}


def content_key(paths: list[Path]) -> str:
    """Which content a home index is of: the folders and files asked for."""
    return json.dumps([os.path.abspath(p) for p in paths])


def _read_homes(path: Path, header: dict[str, Any]) -> dict[str, Any]:
    """The home indexes saved by this version of the tutor, by content key; {} if none."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_HOME_BYTES + 1)
        if len(raw) > MAX_HOME_BYTES:
            return {}
        stored = json.loads(raw)
    except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON, too deep
        return {}
    if not isinstance(stored, dict) or \
            any(stored.get(key) != value for key, value in header.items()):
        return {}
    homes = stored.get("homes")
    return homes if isinstance(homes, dict) else {}


def cached_home(paths: list[Path]) -> HomeIndex | None:
    """The home index saved for exactly the content under ``paths`` as it is now, else None."""
    from .index import HomeIndex  # noqa: PLC0415

    paths = [Path(p) for p in paths]
    saved = _read_homes(cache_dir() / HOME_FILE, _header()).get(content_key(paths))
    if not isinstance(saved, dict) or saved.get("listing") != listing(*content_files(paths)):
        return None
    try:
        return HomeIndex.from_data(saved.get("home"))
    except ValueError:
        return None


class ContentCache:
    """Entries read at start, updated while loading, written back once by :meth:`save`."""

    def __init__(self, path: Path):
        self.path = path
        self.header = _header()
        self.home: tuple[str, dict[str, Any]] | None = None  # for home.json, by save()
        self.files: dict[str, Any] = {}
        self.verdicts: dict[str, Any] = {}
        self.changed = False
        self.used: set[str] = set()
        self._read()

    @classmethod
    def default(cls) -> ContentCache:
        return cls(cache_dir() / CACHE_FILE)

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_CACHE_BYTES + 1)
            if len(raw) > MAX_CACHE_BYTES:
                return
            stored = json.loads(raw)
        except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON, too deep
            return
        if not isinstance(stored, dict) or \
                any(stored.get(key) != value for key, value in self.header.items()):
            return  # another version's, or not ours at all
        files, verdicts = stored.get("files"), stored.get("verdicts")
        if isinstance(files, dict) and isinstance(verdicts, dict):
            self.files, self.verdicts = files, verdicts

    def lookup(self, path: Path, info: os.stat_result) -> tuple[Any, SourceMap] | None:
        """The data and source map cached for this exact version of the file, else None."""
        from .yamlsource import SourceMap  # noqa: PLC0415 (yaml only when content is loaded)

        key = os.path.abspath(path)
        entry = self.files.get(key)
        try:
            if entry["size"] != info.st_size or entry["mtime_ns"] != info.st_mtime_ns:
                return None
            data = entry["data"]
            smap = SourceMap()
            for where, line in entry["lines"]:
                if not isinstance(where, list) or not isinstance(line, int):
                    return None
                smap.lines[tuple(where)] = line
        except (TypeError, KeyError, ValueError):  # absent, or not the shape we write
            return None
        if not isinstance(data, dict):
            return None
        self.used.add(key)
        return data, smap

    def store(self, path: Path, info: os.stat_result, data: Any, smap: SourceMap) -> None:
        entry = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "data": data,
                 "lines": [[list(where), line] for where, line in smap.lines.items()]}
        try:
            json.dumps(entry, allow_nan=True)
        except (TypeError, ValueError, RecursionError):  # a date, say: that file stays uncached
            return
        key = os.path.abspath(path)
        self.files[key] = entry
        self.used.add(key)
        self.changed = True

    def verdict(self, kind: str, name: str, params: dict[str, Any],
                ask: Callable[[], str | None]) -> str | None:
        """A checker's verdict on (name, params), asked only if not cached."""
        try:
            key = json.dumps([kind, name, params], sort_keys=True, allow_nan=True)
        except (TypeError, ValueError, RecursionError):
            return ask()
        cached = self.verdicts.get(key, 0)
        if cached is None or isinstance(cached, str):
            return cached
        answer = ask()
        self.verdicts[key] = answer
        self.changed = True
        return answer

    def store_home(self, key: str, content: dict[str, Any], home: HomeIndex) -> None:
        """The home index of the content at ``key`` (:func:`content_key`), whose
        :func:`listing` was ``content``."""
        self.home = (key, {"listing": content, "home": home.to_data()})

    def save(self) -> None:
        if self.home is not None:
            self._save_home(*self.home)
            self.home = None
        if not self.changed:
            return
        files = self.files
        if len(files) > MAX_ENTRIES:
            files = {key: files[key] for key in self.used}
        text = json.dumps({**self.header, "files": files, "verdicts": self.verdicts},
                          ensure_ascii=False, allow_nan=True)
        if self._write(self.path, text, MAX_CACHE_BYTES):
            self.changed = False

    def _save_home(self, key: str, entry: dict[str, Any]) -> None:
        path = self.path.with_name(HOME_FILE)
        homes = _read_homes(path, self.header)
        if homes.get(key) == entry and list(homes)[-1] == key:
            return  # a start from the index: nothing new to write
        homes.pop(key, None)
        homes[key] = entry  # last: the most recently used
        while len(homes) > MAX_HOMES:
            homes.pop(next(iter(homes)))
        self._write(path, json.dumps({**self.header, "homes": homes}, ensure_ascii=False),
                    MAX_HOME_BYTES)

    @staticmethod
    def _write(path: Path, text: str, limit: int) -> bool:
        if len(text.encode("utf-8")) > limit:
            return False
        from tutor.atomicfile import ExportError, write_atomic  # noqa: PLC0415

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except (OSError, ExportError):
            return False  # the next start reads the files again; nothing is lost
        return True
