"""What the content claims tests share: reading the YAML as written, and checking that text
states a number and that every derivation line has its numerical check."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load(rel: str):
    """A lesson or bank file of the repo, as its author wrote it (no validation)."""
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


def both(text: dict) -> list[str]:
    return [text["ko"], text["en"]]


def states(texts: list[str], *values: str) -> None:
    """Every language version contains every value (a number as written in the file)."""
    for text in texts:
        for value in values:
            assert value in text, f"expected {value!r} in: {text[:160]!r}…"


def fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def derivation(lesson: dict, ident: str) -> dict:
    found = [s["derivation"] for s in lesson["steps"] if "derivation" in s
             and s["derivation"].get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def run_checks(deriv: dict, checks: dict) -> None:
    """Each line of ``deriv`` (keyed by its exact math) has a check, and every check a line."""
    lines = [s["math"] for s in deriv["steps"]]
    unchecked = [m for m in lines if m not in checks]
    assert not unchecked, f"derivation lines without a numerical check: {unchecked}"
    stale = [m for m in checks if m not in lines]
    assert not stale, f"checks for lines no longer in the YAML: {stale}"
    for m in lines:
        checks[m]()


def table_rows(text: str, cells: int) -> list[list[str]]:
    """Rows of a Markdown table with ``cells`` cells, header rule excluded."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        parts = [p.strip() for p in line.strip("|").split("|")]
        if len(parts) == cells:
            rows.append(parts)
    return rows
