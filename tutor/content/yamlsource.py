"""Safe, bounded YAML loading that remembers where every value stands in the file.

Validation errors must say ``file:line: field: message``. ``yaml.safe_load`` throws the
positions away, so we compose the node tree with PyYAML's SafeLoader (the same safe constructor:
no tags that run code), record the line of every key and item, then construct plain data.

Content is data from anyone, so the tree is checked before anything is built from it: nesting
depth, the number of values once aliases are expanded (a "billion laughs" file is a few lines),
the length of numbers, keys that are not plain text, tags our schema has no use for, duplicate
keys (PyYAML silently keeps the last) and characters a terminal would obey. Each is reported at
its line instead of raising, so one file's faults never stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .files import MAX_BYTES  # noqa: F401 (kept where files are read, which needs no yaml)
from .textsafety import describe, excerpt, first_unsafe, unsafe_reason

Path_ = tuple[str | int, ...]

MAX_DEPTH = 32
# Keys, items and scalars, counting every alias expansion. The largest bundled bank has about
# 2,000; the pure-Python parser needs about 1 s per 10,000, so this also bounds the time.
MAX_VALUES = 25_000
MAX_NUMBER_CHARS = 32
MAX_PROBLEMS = 20  # per file: enough to fix, not a flood

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {f"{_TAG}seq", f"{_TAG}map"}
_MERGE = f"{_TAG}merge"
_KIND = {f"{_TAG}int": "a number", f"{_TAG}float": "a number", f"{_TAG}bool": "true/false",
         f"{_TAG}null": "null", f"{_TAG}timestamp": "a date"}


class YamlSyntaxError(ValueError):
    """A fault that stops a whole file from being read: its line and a one-line message."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SourceMap:
    """Line numbers (1-based) of every field path in one YAML document, and its faults."""

    lines: dict[Path_, int] = field(default_factory=dict)
    # (field path, line, message): duplicate keys, unsafe characters, keys that are not text...
    problems: list[tuple[Path_, int, str]] = field(default_factory=list)
    values: int = 0
    walked: set[int] = field(default_factory=set, repr=False)  # ids of nodes seen (aliases)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest part of ``path`` that exists in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, line: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((path, line, message))


def _line(node_or_mark) -> int:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else 1


def decode(raw: bytes) -> str:
    """The text of a content file; YamlSyntaxError for a BOM, bad UTF-8 or unsafe characters."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise YamlSyntaxError(1, "the file starts with a byte-order mark (BOM); "
                                 "save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise YamlSyntaxError(line, f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); "
                                    f"save the file as UTF-8") from None
    # A raw CR is a line break to YAML (CRLF files), never part of a value.
    index = first_unsafe(text.replace("\r", "\n"))
    if index is not None:
        line = text.count("\n", 0, index) + 1
        raise YamlSyntaxError(line, unsafe_reason(text[index]))
    return text


def _too_many(line: int) -> YamlSyntaxError:
    return YamlSyntaxError(line, f"more than {MAX_VALUES} values once aliases are expanded; "
                                 f"the file is too large or loops")


class _Bounded:
    """A composer that stops at MAX_DEPTH levels and MAX_VALUES nodes, instead of exhausting
    the stack or spending minutes on a huge file. Mixed into both loaders below."""

    def _start_bounds(self) -> None:
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlSyntaxError(_line(self.peek_event()),
                                      f"nested deeper than {MAX_DEPTH} levels")
            if self._nodes > MAX_VALUES:
                raise _too_many(_line(self.peek_event()))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _BoundedLoader(_Bounded, yaml.SafeLoader):
    """Pure Python throughout: the reference whose messages every fault is reported with."""

    def __init__(self, stream):
        super().__init__(stream)
        self._start_bounds()


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without LibYAML
    _CParser = None

if _CParser is not None:
    class _FastLoader(_Bounded, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor,
                      yaml.resolver.Resolver):
        """LibYAML scans and parses (most of the time), PyYAML's own composer builds the node
        tree from its events, so the depth and size bounds, the resolver and the constructor
        are exactly the pure-Python loader's."""

        def __init__(self, stream):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start_bounds()


def _check_scalar(node: yaml.ScalarNode, path: Path_, smap: SourceMap) -> None:
    reason = unsafe_reason(node.value)
    if reason:
        smap.problem(path, _line(node), reason)
    if node.tag == f"{_TAG}value":  # a bare "=" is YAML 1.1's value key, not text
        smap.problem(path, _line(node), 'a bare "=" must be quoted: "="')
    elif node.tag not in _SCALAR_TAGS:
        smap.problem(path, _line(node), f"YAML tag {node.tag.replace(_TAG, '!!')} is not allowed")
    elif node.tag in (f"{_TAG}int", f"{_TAG}float") and len(node.value) > MAX_NUMBER_CHARS:
        smap.problem(path, _line(node), f"number has {len(node.value)} characters; "
                                        f"at most {MAX_NUMBER_CHARS} are allowed")


def _walk(node: yaml.Node, path: Path_, smap: SourceMap, depth: int = 0,
          site: int | None = None) -> None:
    """Record lines and faults under ``node``. ``site``: inside an alias expansion, the line
    that uses the alias (where a limit hit there is worth pointing at)."""
    smap.values += 1
    if smap.values > MAX_VALUES:
        raise _too_many(site or _line(node))
    if depth > MAX_DEPTH:
        # Only an alias inside its own anchor gets here: the composer bounds plain nesting.
        raise YamlSyntaxError(site or _line(node), f"nested deeper than {MAX_DEPTH} levels "
                                                   f"(an alias inside its own anchor?)")
    smap.walked.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        _check_scalar(node, path, smap)
        return

    def descend(child: yaml.Node, child_path: Path_) -> None:
        alias = site or (_line(node) if id(child) in smap.walked else None)
        _walk(child, child_path, smap, depth + 1, alias)

    if node.tag not in _COLLECTION_TAGS:
        smap.problem(path, _line(node), f"YAML tag {node.tag.replace(_TAG, '!!')} is not allowed")
        return
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            smap.lines.setdefault(path + (index,), _line(item))
            descend(item, path + (index,))
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        line = _line(key_node)
        if not isinstance(key_node, yaml.ScalarNode):
            smap.problem(path, line, "a key must be plain text, not a list or mapping "
                                     "(complex YAML key)")
            continue
        if key_node.tag == _MERGE:
            descend(value_node, path)  # its keys count and are checked
            continue
        key = key_node.value
        if key_node.tag != f"{_TAG}str":
            kind = _KIND.get(key_node.tag, key_node.tag)
            smap.problem(path, line, f"key {excerpt(key)} is read by YAML as {kind}, not text; "
                                     f"quote it")
            continue
        _check_scalar(key_node, path + (key,), smap)
        if key in seen:
            smap.problem(path + (key,), line, "key appears twice in the same mapping")
        seen.add(key)
        smap.lines.setdefault(path + (key,), line)
        descend(value_node, path + (key,))


def _syntax_error(err: yaml.YAMLError, text: str) -> YamlSyntaxError:
    if isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position) + 1
        char = chr(err.character) if isinstance(err.character, int) else str(err.character)
        return YamlSyntaxError(line, f"character {describe(char)} is not allowed in YAML")
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        problem = err.problem or "invalid YAML"
        context = f" ({err.context})" if err.context else ""
        hint = ""
        if "flow mapping" in context or "mapping values are not allowed" in problem:
            # The commonest slip in bilingual files: an unquoted "?" or ":" inside {ko: ..., en: ...}.
            hint = ' — quote text that contains ":", "?", "#" or ",", e.g. {ko: "왜?", en: "Why?"}'
        return YamlSyntaxError(_line(mark), f"YAML syntax error: {problem}{context}{hint}")
    first = str(err).splitlines()[0] if str(err) else type(err).__name__
    return YamlSyntaxError(1, f"YAML error: {first}")


def _flow_text_with_indicator(node: yaml.Node, in_flow: bool = False) -> bool:
    """A plain scalar inside {...} or [...] holding ":" or "?": LibYAML reads it as text where
    PyYAML refuses it (``{ko: 왜? 이유}``); such a file is read the pure-Python way."""
    stack, seen = [(node, in_flow)], set()
    while stack:
        node, in_flow = stack.pop()
        if (id(node), in_flow) in seen:
            continue  # an alias: each node is looked at once (a "billion laughs" stays small)
        seen.add((id(node), in_flow))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and (":" in node.value or "?" in node.value):
                return True
            continue
        flow = in_flow or bool(node.flow_style)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, flow) for item in node.value)
        else:
            for key, value in node.value:
                stack.append((key, flow))
                stack.append((value, flow))
    return False


def _load_with(loader_class, text: str) -> tuple[object, SourceMap]:
    smap = SourceMap()
    loader = None
    try:
        loader = loader_class(text)  # its reader rejects some characters at once
        root = loader.get_single_node()
        if root is None:
            raise YamlSyntaxError(1, "the file is empty")
        if loader_class is not _BoundedLoader and _flow_text_with_indicator(root):
            raise _Disagree
        smap.lines[()] = _line(root)
        _walk(root, (), smap)
        if smap.problems:
            return None, smap
        data = loader.construct_document(root)
    except yaml.YAMLError as err:
        raise _syntax_error(err, text) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, smap


class _Disagree(Exception):
    """The fast parse may not read this file as the pure-Python one does."""


def load_yaml(text: str) -> tuple[object, SourceMap]:
    """Parse ``text`` safely; return the data and its source map.

    Raises YamlSyntaxError with the line of the fault. When ``smap.problems`` is not empty the
    data is None: nothing is built from a tree with faults.

    LibYAML parses when it is installed. A file it finds any fault in, or may read differently,
    is read again the pure-Python way, so every message (and every refusal) is exactly that
    path's: the fast path only ever speeds up files that are fine.
    """
    if _CParser is not None:
        try:
            data, smap = _load_with(_FastLoader, text)
            if not smap.problems:
                return data, smap
        except (YamlSyntaxError, _Disagree, RecursionError):
            pass
    return _load_with(_BoundedLoader, text)
