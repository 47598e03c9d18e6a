"""What the content claims tests share: reading the YAML as written, and checking that text
states a number and that every derivation line has its numerical check."""

from __future__ import annotations

import math
import re
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


def korean(obj) -> list[str]:
    """Every Korean text of a lesson's or bank's data, in order."""
    if isinstance(obj, dict):
        return [t for k, v in obj.items() for t in ([v] if k == "ko" and isinstance(v, str) else korean(v))]
    if isinstance(obj, list):
        return [t for v in obj for t in korean(v)]
    return []


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


def rounds_to(value: float, written: str) -> bool:
    """``written`` is ``value`` rounded as shown: to its decimals, or to its mantissa in e-notation."""
    if "e" in written:
        mantissa = written.split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return f"{value:.{digits}e}".replace("e-0", "e-") == written
    digits = len(written.split(".")[1]) if "." in written else 0
    return abs(value - float(written)) <= 0.5 * 10.0 ** -digits + 1e-12


# --------------------------------------------------------------------------- arithmetic as written

ARITH = re.compile(r"^[\d.\s+\-*/(),]+$")


def to_number(segment: str):
    """The value of a LaTeX segment that is pure arithmetic, else None."""
    s = segment
    for old, new in (("\\left", ""), ("\\right", ""), ("\\cdot", "*"), ("\\times", "*"),
                     ("\\,", ""), ("\\;", ""), ("{}", ""), ("−", "-")):
        s = s.replace(old, new)
    previous = None
    while previous != s:
        previous = s
        s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
        s = re.sub(r"\\sqrt\{([^{}]*)\}", r"((\1)**0.5)", s)
    s = s.replace("^", "**").replace("{", "(").replace("}", ")")
    if not ARITH.match(s.replace("**", "*")) or not re.search(r"\d", s):
        return None
    try:
        value = eval(s, {"__builtins__": {}})  # only digits and operators reach here
    except (SyntaxError, TypeError, ZeroDivisionError):
        return None
    return value


def arithmetic_chains(latex: str) -> list[tuple[str, str, str]]:
    """Adjacent (left, relation, right) pairs of an = / ≈ chain."""
    parts = re.split(r"(=|\\approx)", latex)
    segments, relations = parts[0::2], parts[1::2]
    return [(segments[i].strip(), relations[i], segments[i + 1].strip())
            for i in range(len(relations))]


def all_formulas(obj) -> list[str]:
    """Every formula of a lesson or bank as written: ``math:`` lines and ``$…$`` in text."""
    out = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "math" and isinstance(value, str):
                out.append(value)
            else:
                out.extend(all_formulas(value))
    elif isinstance(obj, list):
        for value in obj:
            out.extend(all_formulas(value))
    elif isinstance(obj, str):
        out.extend(re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", obj))
    return out


def check_written_arithmetic(formulas: list[str]) -> int:
    """Every pure-arithmetic link of a ``… = … ≈ …`` chain holds: ``=`` exactly, ``≈`` to the
    digits written (``4.1 \\times 10^{-9}`` to its mantissa). Returns how many were checked."""
    checked = 0
    for formula in formulas:
        for left, relation, right in arithmetic_chains(formula):
            a, b = to_number(left), to_number(right)
            if a is None or b is None or isinstance(a, tuple) or isinstance(b, tuple):
                continue
            if relation == "=":
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), formula
            else:
                mantissa, _, power = right.strip().partition(" \\times 10^")
                scale = 10.0 ** float(power.strip("{}")) if power else 1.0
                assert rounds_to(a / scale, mantissa), formula
            checked += 1
    return checked


def check_bank_shape(questions: dict, prefix: str, chapter: int, total: int, why: int) -> None:
    """A lesson's own bank questions: at least ``total`` with ``why`` of them why questions, all
    named ``prefix…`` in ``chapter``; follow-ups point into the bank; a why question has 2–4
    key points and a model answer of 2–5 sentences in both languages."""
    qs = list(questions.values())
    assert len(qs) >= total and sum(q["type"] == "why" for q in qs) >= why
    assert all(q["id"].startswith(prefix) and q["chapter"] == chapter for q in qs)
    for q in qs:
        for f in q.get("follow_up", []):
            assert f in questions and f != q["id"]
        if q["type"] == "why":
            assert 2 <= len(q["points"]) <= 4, q["id"]
            for lang in ("ko", "en"):
                sentences = [s for s in re.split(r"(?<=[.!?])\s+", q["a"][lang].strip()) if s]
                assert 2 <= len(sentences) <= 5, (q["id"], lang, sentences)
