"""The content cache: a changed file is read again, a bad cache is ignored and rebuilt, a faulty
file is never cached, and `tutor validate` always reads the files themselves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tutor.cli import load, main
from tutor.content import cache as cache_module
from tutor.content import loader
from tutor.content.cache import ContentCache, cached_home
from tutor.content.loader import load_library

LESSON = """\
id: 03-91-cached
chapter: 3
title: {{ko: "제목", en: "{title}"}}
steps:
  - prose: {{ko: "글 $x^2$", en: "text $x^2$"}}
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "lesson.yaml").write_text(LESSON.format(title="First"), encoding="utf-8")
    return folder


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The texts the loader parsed (a cache hit parses nothing)."""
    seen: list[str] = []
    real = loader.load_yaml

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(loader, "load_yaml", counting)
    return seen


def cache_file(content_cache_dir: Path) -> Path:
    return content_cache_dir / "content.json"


def start(folder: Path):
    """What the TUI does at start: load through the user's cache."""
    return load([folder])


def title(lib) -> str:
    return lib.lessons["03-91-cached"].title.en


class TestChangedFile:
    def test_second_start_parses_nothing(self, content, parses, content_cache_dir):
        assert title(start(content)) == "First"
        assert len(parses) == 1
        assert cache_file(content_cache_dir).is_file()
        lib = start(content)
        assert title(lib) == "First" and not lib.errors
        assert len(parses) == 1

    def test_changed_lesson_is_read_on_next_start(self, content, parses):
        start(content)
        path = content / "lesson.yaml"
        old = os.stat(path)
        path.write_text(LESSON.format(title="Second"), encoding="utf-8")
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns + 1_000_000))  # same size, newer
        assert title(start(content)) == "Second"
        assert len(parses) == 2
        assert title(start(content)) == "Second"
        assert len(parses) == 2

    def test_same_mtime_other_size_is_read(self, content):
        start(content)
        path = content / "lesson.yaml"
        old = os.stat(path)
        path.write_text(LESSON.format(title="Longer title"), encoding="utf-8")
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
        assert title(start(content)) == "Longer title"

    def test_file_turned_bad_is_reported_not_served_from_cache(self, content):
        start(content)
        (content / "lesson.yaml").write_text("id: [unclosed\n", encoding="utf-8")
        lib = start(content)
        assert "03-91-cached" not in lib.lessons
        assert [e.line for e in lib.errors] == [2]

    def test_faulty_file_is_never_cached(self, content, content_cache_dir):
        (content / "bad.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
        start(content)
        files = json.loads(cache_file(content_cache_dir).read_text("utf-8"))["files"]
        assert list(files) == [str((content / "lesson.yaml").resolve())]


class TestBadCache:
    @pytest.mark.parametrize("garbage", [b"\x00\xff not json", b"", b"[1, 2, 3]",
                                         b'{"format": 1, "files": {"x": 1}}',
                                         b"[" * 100_000])
    def test_corrupt_cache_is_ignored_and_rebuilt(self, content, parses, content_cache_dir,
                                                  garbage):
        cache_file(content_cache_dir).write_bytes(garbage)
        lib = start(content)
        assert title(lib) == "First" and not lib.errors
        assert len(parses) == 1
        stored = json.loads(cache_file(content_cache_dir).read_text("utf-8"))
        assert str((content / "lesson.yaml").resolve()) in stored["files"]
        start(content)
        assert len(parses) == 1  # the rebuilt cache serves the next start

    def test_truncated_cache_is_ignored(self, content, parses, content_cache_dir):
        start(content)
        path = cache_file(content_cache_dir)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        assert title(start(content)) == "First"
        assert len(parses) == 2

    def test_entry_of_the_wrong_shape_is_ignored(self, content, parses, content_cache_dir):
        start(content)
        path = cache_file(content_cache_dir)
        stored = json.loads(path.read_text("utf-8"))
        for entry in stored["files"].values():
            entry["lines"] = "not a list"
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert title(start(content)) == "First"
        assert len(parses) == 2

    def test_another_versions_cache_is_ignored(self, content, parses, content_cache_dir):
        start(content)
        path = cache_file(content_cache_dir)
        stored = json.loads(path.read_text("utf-8"))
        stored["version"] = "0.0.0-other"
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert title(start(content)) == "First"
        assert len(parses) == 2

    def test_oversized_cache_is_ignored(self, content, parses, content_cache_dir, monkeypatch):
        start(content)
        monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 100)
        assert title(start(content)) == "First"
        assert len(parses) == 2

    def test_cached_data_is_validated_like_a_file(self, content, content_cache_dir):
        start(content)
        path = cache_file(content_cache_dir)
        stored = json.loads(path.read_text("utf-8"))
        for entry in stored["files"].values():
            entry["data"]["steps"][0]["prose"]["en"] = "$\\begin{matrix}x\\end{matrix}$"
        path.write_text(json.dumps(stored), encoding="utf-8")
        lib = start(content)
        assert "03-91-cached" not in lib.lessons
        assert [e.field for e in lib.errors] == ["steps[0].prose"]

    def test_unwritable_cache_folder_costs_only_speed(self, content, tmp_path, monkeypatch):
        blocker = tmp_path / "a-file"
        blocker.write_text("x", encoding="utf-8")
        monkeypatch.setenv("TUTOR_CACHE_DIR", str(blocker / "cache"))
        lib = start(content)
        assert title(lib) == "First" and not lib.errors


class TestValidateReadsFiles:
    def test_validate_sees_a_change_the_cache_cannot(self, content, capsys):
        """Same size and mtime, different text: only reading the file can tell."""
        start(content)
        path = content / "lesson.yaml"
        old = os.stat(path)
        text = path.read_text("utf-8").replace('en: "First"', 'en: "F\\ast"')  # \a: BEL
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
        assert os.stat(path).st_size == old.st_size
        assert title(start(content)) == "First"  # the start trusts the key
        assert main(["validate", str(content)]) == 1
        out = capsys.readouterr().out
        assert "lesson.yaml:3: title.en:" in out
        assert out.strip().endswith("0 lessons, 0 questions, 1 errors")

    def test_validate_writes_no_cache(self, content, content_cache_dir):
        assert main(["validate", str(content)]) == 0
        assert not cache_file(content_cache_dir).exists()


class TestVerdicts:
    def test_checker_is_asked_once_per_run_step(self, tmp_path):
        folder = tmp_path / "c"
        folder.mkdir()
        (folder / "l.yaml").write_text(LESSON.format(title="T") + (
            "  - run: {experiment: xor, set: {hidden: 4}}\n"), encoding="utf-8")
        asked: list[str] = []

        def checker(name, params):
            asked.append(name)
            return "no such experiment" if name == "xor" else None

        for _ in range(2):
            lib = load_library([folder], check_run=checker, cache=ContentCache.default())
            assert [e.message for e in lib.errors] == ["no such experiment"]
        assert asked == ["xor"]


def home_file(content_cache_dir: Path) -> Path:
    return content_cache_dir / "home.json"


class TestHomeIndex:
    """The home index is used only for exactly the files it was built from."""

    def test_a_start_saves_it_and_the_next_reads_it(self, content):
        assert cached_home([content]) is None  # nothing saved yet
        start(content)
        home = cached_home([content])
        assert home is not None
        assert [(l.id, l.title.en, l.step_count) for l in home.lessons.values()] == \
            [("03-91-cached", "First", 1)]

    def test_a_changed_file_makes_it_unused(self, content):
        start(content)
        path = content / "lesson.yaml"
        old = os.stat(path)
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns + 1_000_000))
        assert cached_home([content]) is None
        start(content)  # the full load writes it again
        assert cached_home([content]) is not None

    def test_an_added_or_removed_file_makes_it_unused(self, content):
        start(content)
        extra = content / "more.yaml"
        extra.write_text(LESSON.format(title="x").replace("03-91-cached", "03-92-more"),
                         encoding="utf-8")
        assert cached_home([content]) is None
        start(content)
        assert set(cached_home([content]).lessons) == {"03-91-cached", "03-92-more"}
        extra.unlink()
        assert cached_home([content]) is None

    def test_other_content_folders_have_their_own(self, content, tmp_path):
        other = tmp_path / "other"
        other.mkdir()
        (other / "l.yaml").write_text(LESSON.format(title="Other"), encoding="utf-8")
        start(content)
        start(other)
        assert cached_home([content]).lessons["03-91-cached"].title.en == "First"
        assert cached_home([other]).lessons["03-91-cached"].title.en == "Other"
        assert cached_home([content, other]) is None  # never started with both

    @pytest.mark.parametrize("garbage", [b"\x00\xff not json", b"", b"[1, 2, 3]",
                                         b'{"format": 1, "homes": {"x": 1}}', b"[" * 100_000])
    def test_a_corrupt_one_is_ignored_and_rebuilt(self, content, content_cache_dir, garbage):
        start(content)
        home_file(content_cache_dir).write_bytes(garbage)
        assert cached_home([content]) is None
        start(content)
        assert cached_home([content]) is not None

    def test_damaged_entries_are_ignored(self, content, content_cache_dir):
        start(content)
        path = home_file(content_cache_dir)
        stored = json.loads(path.read_text("utf-8"))
        (entry,) = stored["homes"].values()
        entry["home"]["lessons"][0][2] = "\x1b]52;c;aGk=\x07"  # a title the terminal would obey
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert cached_home([content]) is None
        entry["home"]["lessons"] = [["03-91-cached", "3", "ko", "en", 1]]  # a chapter as text
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert cached_home([content]) is None

    def test_another_versions_is_ignored(self, content, content_cache_dir):
        start(content)
        path = home_file(content_cache_dir)
        stored = json.loads(path.read_text("utf-8"))
        stored["version"] = "0.0.0-other"
        path.write_text(json.dumps(stored), encoding="utf-8")
        assert cached_home([content]) is None

    def test_errors_are_kept_for_the_home_notice(self, content):
        (content / "bad.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
        lib = start(content)
        home = cached_home([content])
        assert home.errors == tuple(str(e) for e in lib.errors) and home.errors
        assert home.bad_files == tuple(lib.bad_files)

    def test_a_start_from_it_writes_nothing(self, content, content_cache_dir):
        start(content)
        path = home_file(content_cache_dir)
        before = path.stat().st_mtime_ns
        os.utime(path, ns=(before - 10_000_000_000, before - 10_000_000_000))
        start(content)  # the background load of a start from the index: the same index
        assert path.stat().st_mtime_ns == before - 10_000_000_000

    def test_validate_writes_none(self, content, content_cache_dir):
        assert main(["validate", str(content)]) == 0
        assert not home_file(content_cache_dir).exists()

    def test_the_version_is_the_installed_ones(self):
        from importlib.metadata import version

        assert cache_module._version() == version("why-tutor")
