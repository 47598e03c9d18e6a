"""Fuzz the loader with random mutations of the real lessons and banks.

Whatever the bytes, loading ends quickly with reported errors (one-line, printable, each with a
file) and never raises. Derandomized with a fixed number of examples, so it is a plain test.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.cli import load  # the loader with the CLI's experiment and generator checks
from tutor.content import ContentError, bundled_content_dirs

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


@settings(max_examples=1000, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(SOURCES)), steps=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_real_file_gives_only_reported_errors(workdir, name, steps):
    data = mutate(SOURCES[name], steps)
    path = workdir / name
    path.write_bytes(data)
    started = time.monotonic()
    lib = load([path])  # must not raise, whatever the bytes
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"{name} took {elapsed:.1f} s"
    for error in lib.errors:
        assert isinstance(error, ContentError) and error.file
        text = str(error)
        assert "\n" not in text and "\x1b" not in text and "Traceback" not in text
        # The catch-all for RecursionError/MemoryError means a bound is missing somewhere.
        assert "too large or too deeply nested to check" not in text, text
    assert lib.files_read == 1
