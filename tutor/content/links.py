"""Link targets in content Markdown: only web addresses may be links.

A lesson is data; a link in it must not open a local file, run ``javascript:`` or reach any
other scheme a desktop hands to some program. We parse with the same markdown-it setup Textual's
Markdown widget uses ("gfm-like", which also turns bare addresses and e-mails into links), but
accept every target while parsing so that nothing is silently dropped and everything is checked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

from .textsafety import excerpt

ALLOWED_SCHEMES = ("http", "https")
_WEB = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
# Text without these cannot hold a link (gfm-like linkify needs "://", "www." or an "@").
_MAYBE_LINK = re.compile(r"[\[<@]|://|www\.", re.IGNORECASE)
# markdown-it spends about 0.2 ms on each link: bound the work a hostile text can ask for.
MAX_LINK_MARKS = 200


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("gfm-like")
    parser.validateLink = lambda url: True  # see every target, then judge it ourselves
    return parser


def link_targets(markdown: str) -> list[str]:
    """Every link and image target in ``markdown``, in order."""
    if not _MAYBE_LINK.search(markdown):
        return []
    targets = []
    for token in _parser().parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                targets.append(str(child.attrs.get("src", "")))
    return targets


def is_web_address(target: str) -> bool:
    return bool(_WEB.match(target))


def non_web_links(markdown: str) -> list[str]:
    """The link targets in ``markdown`` that are not http(s) URLs."""
    return [t for t in link_targets(markdown) if not is_web_address(t)]


def link_problem(markdown: str) -> str | None:
    """Why ``markdown`` may not be shown as it is, or None: a non-web link, or too many."""
    if len(_MAYBE_LINK.findall(markdown)) > MAX_LINK_MARKS:
        return (f"more than {MAX_LINK_MARKS} links, brackets, '<' or '@' in one text; "
                f"split it into steps")
    bad = non_web_links(markdown)
    if bad:
        return (f"link to {excerpt(bad[0])} is not allowed; links must be http:// or https:// "
                f"addresses")
    return None
