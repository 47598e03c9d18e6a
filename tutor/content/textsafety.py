"""Characters that must never reach a terminal from content, and how to make text safe to print.

Lessons and banks are data written by anyone. A terminal obeys ESC sequences (colours, cursor
moves, OSC 52 writes the clipboard, OSC 8 makes links), BEL rings, other C0/C1 controls move or
erase what is shown, and bidi overrides make text read differently from what it is. Validation
rejects them (:func:`first_unsafe`); everything that prints content calls :func:`safe_text`
defensively as well.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except TAB and LF, DEL, C1, the bidi embeddings, overrides and isolates, and lone
# surrogates (a YAML "\ud800" escape makes one; printing it raises UnicodeEncodeError).
_UNSAFE_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")

# Whole escape sequences go, so no stray "[31m" or "]52;c;..." is left behind: CSI (ESC [ or
# 0x9b), OSC / DCS / APC / PM / SOS strings (up to BEL or ST), and two-character ESC sequences.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)

_NAMES = {0x07: "BEL", 0x08: "BS", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI",
          0x9D: "OSC", 0x00: "NUL"}

REPLACEMENT = "\ufffd"


def safe_text(text: str) -> str:
    """``text`` with every escape sequence removed and every other unsafe character replaced."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(REPLACEMENT, _SEQUENCE.sub("", text))


def first_unsafe(text: str) -> int | None:
    """The index of the first character content may not contain, or None."""
    match = _UNSAFE.search(text)
    return match.start() if match else None


def describe(char: str) -> str:
    """``U+001B (ESC)``: a character named so an author can find it."""
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "")
    if not name:
        name = ("C1 control" if 0x80 <= code <= 0x9F else
                "control character" if code < 0x20 else
                "surrogate" if 0xD800 <= code <= 0xDFFF else "not a character")
    return f"U+{code:04X} ({name})"


def unsafe_reason(text: str) -> str | None:
    """``control character U+001B (ESC) is not allowed`` for the first unsafe character."""
    index = first_unsafe(text)
    if index is None:
        return None
    char = text[index]
    code = ord(char)
    kind = ("bidi control" if 0x202A <= code <= 0x2069 else
            "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character")
    return f"{kind} {describe(char)} is not allowed"


def excerpt(value: object, limit: int = 60) -> str:
    """A short, printable ``repr`` of source text for a message that echoes it."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return safe_text(text)
