"""Safe YAML loading that remembers where every value stands in the file.

Validation errors must say ``file:line: field: message``. ``yaml.safe_load`` throws the
positions away, so we compose the node tree with PyYAML's SafeLoader (the same safe constructor:
no tags that run code), record the line of every key and item, then construct plain data.
Duplicate keys, which PyYAML silently resolves to the last one, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SourceMap:
    """Line numbers (1-based) of every field path in one YAML document."""

    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest part of ``path`` that exists in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, path: Path_, smap: SourceMap) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            key = int(key) if key_node.tag.endswith(":int") else key
            if key in seen:
                smap.duplicates.append((path + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            smap.lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), smap)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            smap.lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), smap)


def load_yaml(text: str) -> tuple[object, SourceMap]:
    """Parse ``text`` safely; return the data and its source map.

    Raises YamlSyntaxError with the line of the fault.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        smap = SourceMap()
        if root is None:
            return None, smap
        smap.lines[()] = root.start_mark.line + 1
        _walk(root, (), smap)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        problem = err.problem or "invalid YAML"
        context = f" ({err.context})" if err.context else ""
        hint = ""
        if "flow mapping" in context or "mapping values are not allowed" in problem:
            # The commonest slip in bilingual files: an unquoted "?" or ":" inside {ko: ..., en: ...}.
            hint = ' — quote text that contains ":", "?", "#" or ",", e.g. {ko: "왜?", en: "Why?"}'
        raise YamlSyntaxError(line, f"YAML syntax error: {problem}{context}{hint}") from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(1, f"YAML error: {err}") from None
    finally:
        loader.dispose()
    return data, smap
