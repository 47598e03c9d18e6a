"""Markdown for a learner's terminal: rendered by Rich on a terminal, plain text in a pipe.

`tutor stats` and the plain sessions print Markdown (lesson text, reports); no `**`, `#` or
table pipes should reach a learner, whether they read a terminal or a file.
"""

from __future__ import annotations

from typing import TextIO


def write_markdown(text: str, stream: TextIO) -> None:
    """``text`` rendered for ``stream``: styled when it is a terminal, else plain text."""
    if _is_terminal(stream):
        from rich.console import Console  # noqa: PLC0415 (only a terminal needs Rich)
        from rich.markdown import Markdown  # noqa: PLC0415

        Console(file=stream).print(Markdown(text))
    else:
        stream.write(markdown_to_plain(text) + "\n")
    stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a fake or a closed stream
        return False


def markdown_to_plain(text: str) -> str:
    """The words of ``text`` without Markdown syntax: headings, lists and tables as plain lines."""
    from markdown_it import MarkdownIt  # noqa: PLC0415

    blocks: list[tuple[str, bool]] = []  # (text, is a list item: items sit on adjacent lines)
    numbers: list[int | None] = []       # per open list: the next number, None for bullets
    marker: str | None = None            # the bullet of the list item whose text comes next
    depth = 0                            # blockquote depth
    rows: list[list[str]] | None = None
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        kind = token.type
        if kind == "bullet_list_open":
            numbers.append(None)
        elif kind == "ordered_list_open":
            numbers.append(int(token.attrs.get("start", 1)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif kind == "list_item_open":
            if numbers[-1] is None:
                marker = "- "
            else:
                marker = f"{numbers[-1]}. "
                numbers[-1] += 1
        elif kind == "blockquote_open":
            depth += 1
        elif kind == "blockquote_close":
            depth -= 1
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open" and rows is not None:
            rows.append([])
        elif kind == "table_close" and rows is not None:
            blocks.append((_indent(_table(rows), depth), False))
            rows = None
        elif kind == "inline" and rows is not None:
            rows[-1].append(_inline(token).replace("\n", " "))
        elif kind in ("inline", "fence", "code_block"):
            words = _inline(token) if kind == "inline" else token.content.rstrip("\n")
            pad = "  " * max(0, len(numbers) - 1) + "  " * depth
            lead = marker or ""
            lines = words.split("\n")
            body = "\n".join([pad + lead + lines[0]]
                             + [pad + " " * len(lead) + line for line in lines[1:]])
            blocks.append((body, marker is not None))
            marker = None
    out: list[str] = []
    for n, (body, item) in enumerate(blocks):
        if n and not (item and blocks[n - 1][1]):
            out.append("")
        out.append(body)
    return "\n".join(out)


def _inline(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _indent(text: str, depth: int) -> str:
    return "\n".join("  " * depth + line for line in text.split("\n"))


def _table(rows: list[list[str]]) -> str:
    from rich.cells import cell_len  # noqa: PLC0415 (Korean letters are two cells wide)

    columns = max(map(len, rows), default=0)
    widths = [max((cell_len(r[c]) for r in rows if c < len(r)), default=0) for c in range(columns)]
    return "\n".join("  ".join(cell + " " * (widths[c] - cell_len(cell))
                               for c, cell in enumerate(row)).rstrip() for row in rows)
