"""Fuzz the loader with random mutations of the real lessons and banks: of their bytes, and of
their structure (a value replaced by one of another type, deleted or duplicated).

Whatever the bytes, loading ends quickly with reported errors (one-line, printable, each with a
file) and never raises. Derandomized with a fixed number of examples, so it is a plain test.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.cli import load  # the loader with the CLI's experiment and generator checks
from tutor.content import ContentError, bundled_content_dirs, safe_text
from tutor.content.textsafety import first_unsafe

REAL_FILES = sorted(p for d in bundled_content_dirs() for p in d.rglob("*.yaml"))
SOURCES = {p.name: p.read_bytes() for p in REAL_FILES}
PUNCTUATION = [b":", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!", b"!x ", b"|", b">",
               b"? ", b"#", b"%", b"@", b"`", b"'", b'"', b",", b"\n", b"\t", b"<<: ", b"---\n",
               b"\\", b"$", b"\\frac{", b"{{{{{{{{", b"[[[[[[[[", b"\x1b", b"\xff", b"\xef\xbb\xbf"]


def _flip(data: bytes, pos: int, value: int) -> bytes:
    pos %= max(len(data), 1)
    return data[:pos] + bytes([value]) + data[pos + 1:]


def _insert(data: bytes, pos: int, piece: bytes) -> bytes:
    pos %= len(data) + 1
    return data[:pos] + piece + data[pos:]


def _duplicate_line(data: bytes, line: int) -> bytes:
    lines = data.split(b"\n")
    line %= len(lines)
    return b"\n".join(lines[:line + 1] + lines[line:])


def _delete(data: bytes, pos: int, length: int) -> bytes:
    pos %= len(data) + 1
    return data[:pos] + data[pos + length:]


positions = st.integers(min_value=0, max_value=1 << 20)
mutation = st.one_of(
    st.tuples(st.just("flip"), positions, st.integers(0, 255)),
    st.tuples(st.just("truncate"), positions),
    st.tuples(st.just("punctuation"), positions, st.sampled_from(PUNCTUATION)),
    st.tuples(st.just("duplicate"), positions),
    st.tuples(st.just("delete"), positions, st.integers(1, 40)),
    st.tuples(st.just("unicode"), positions, st.text(min_size=1, max_size=8)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    for step in steps:
        kind = step[0]
        if kind == "flip":
            data = _flip(data, step[1], step[2])
        elif kind == "truncate":
            data = data[: step[1] % (len(data) + 1)]
        elif kind == "punctuation":
            data = _insert(data, step[1], step[2])
        elif kind == "duplicate":
            data = _duplicate_line(data, step[1])
        elif kind == "delete":
            data = _delete(data, step[1], step[2])
        else:
            data = _insert(data, step[1], step[2].encode("utf-8", "surrogatepass"))
    return data


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_there_are_real_files_to_mutate():
    assert len(REAL_FILES) >= 10
    assert any(b"questions:" in data for data in SOURCES.values())
    assert any(b"steps:" in data for data in SOURCES.values())


@settings(max_examples=500, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(SOURCES)), steps=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_real_file_gives_only_reported_errors(workdir, name, steps):
    data = mutate(SOURCES[name], steps)
    path = workdir / name
    path.write_bytes(data)
    started = time.process_time()   # CPU seconds: the bound is on work, not on a busy machine
    lib = load([path])  # must not raise, whatever the bytes
    elapsed = time.process_time() - started
    assert elapsed < 2, f"{name} took {elapsed:.1f} s"
    for error in lib.errors:
        assert isinstance(error, ContentError) and error.file
        text = str(error)
        assert "\n" not in text and "\x1b" not in text and "Traceback" not in text
        # The catch-all for RecursionError/MemoryError means a bound is missing somewhere.
        assert "too large or too deeply nested to check" not in text, text
    assert lib.files_read == 1


PARSED = {name: yaml.safe_load(data) for name, data in SOURCES.items()}
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from(["$\\frac{1}{$", "[x](file:///etc/passwd)", "", " ", "03-01-x", "mcq", "why",
                     "generated", "ref", "\x1b[31m"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def mutate_structure(data, steps: list[tuple]):
    for pick, value, op in steps:
        paths = list(_paths(data))[1:]
        if not paths:
            break
        path = paths[pick % len(paths)]
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if op == "delete":
            del parent[path[-1]]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = value
    return data


@settings(max_examples=200, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(PARSED)),
       steps=st.lists(st.tuples(st.integers(0, 1 << 20), odd_values,
                                st.sampled_from(["set", "delete", "duplicate"])),
                      min_size=1, max_size=4))
def test_structurally_mutated_real_file_gives_only_reported_errors(workdir, name, steps):
    data = mutate_structure(copy.deepcopy(PARSED[name]), steps)
    path = workdir / f"s-{name}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    started = time.process_time()   # CPU seconds: the bound is on work, not on a busy machine
    lib = load([path])
    assert time.process_time() - started < 2
    assert all("\n" not in str(e) and "\x1b" not in str(e) for e in lib.errors)


@settings(max_examples=500, derandomize=True, deadline=None, database=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(
    ["\x1b", "\x07", "\x9b", "\x9d", "\x9c", "[", "]", ";", "\\", "\u202e", "\u2066"]))))
def test_safe_text_leaves_nothing_a_terminal_obeys(text):
    cleaned = safe_text(text)
    assert first_unsafe(cleaned) is None
    assert safe_text(cleaned) == cleaned
    if first_unsafe(text) is None:
        assert cleaned == text
