"""Reading YAML with positions: every value keeps its ``line:col`` for error messages.

Only plain data is read: any tag that would construct an object is refused before anything is
built.
"""

from __future__ import annotations

from typing import Any

import yaml

from incident_rules._facts.convert import ENCODABLE, has_lone_surrogate
from incident_rules._suggest import did_you_mean
from incident_rules.errors import Problem

__all__ = ["Problems", "YamlFile", "compose"]

_KIND_NAMES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
_SAFE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}


class Problems:
    """Collects the problems of rules files, each a :class:`~incident_rules.errors.Problem`."""

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(
        self,
        file: str,
        node: yaml.Node | None,
        message: str,
        line: int = 0,
        col: int = 0,
        *,
        path: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        """Record a problem at ``node`` (or at ``line``:``col`` where there is no node).

        The value defaults to the node's text as written, where the node is a scalar.
        """
        if node is not None:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            if value is None and isinstance(node, yaml.ScalarNode):
                value = node.value
        problem = Problem(
            message, path=path, value=value, expected=expected, file=file, line=line, column=col
        )
        self._found.append(problem)

    @property
    def lines(self) -> list[Problem]:
        """Every problem (its ``str`` is ``file:line:col: message``), in file order."""
        return sorted(self._found, key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.message))


class YamlFile:
    """One YAML file being read, with the problems found in it."""

    def __init__(self, name: str, text: str, problems: Problems) -> None:
        self.name = name
        self.text_lines = text.split("\n")
        self.problems = problems
        self.root: yaml.Node | None = None
        self._paths: dict[int, str] | None = None

    def problem(
        self, node: yaml.Node | None, message: str, *, value: object = None, expected: str | None = None
    ) -> None:
        self.problems.add(self.name, node, message, path=self.path_of(node), value=value, expected=expected)

    def path_of(self, node: yaml.Node | None) -> str | None:
        """Where ``node`` is in the file, like ``rules[2].when``; ``None`` for the top or unknown."""
        if node is None or self.root is None:
            return None
        if self._paths is None:  # only files with problems pay for the index
            self._paths = _node_paths(self.root)
        return self._paths.get(id(node)) or None

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping")
            return {}
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # a complex key (``? [a, b]``)
                self.problem(key_node, f"keys of {what} must be plain names (got {_show(key_node)})")
                continue
            key = key_node.value
            if key in result:
                self.problem(key_node, f"duplicate key {key!r} in {what}")
            elif key not in allowed:
                self.problem(key_node, f"unknown key {key!r} in {what}{did_you_mean(key, allowed)}")
            else:
                result[key] = value_node
        return result

    def scalar(self, node: yaml.Node, kind: type | tuple[type, ...], what: str) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        try:
            value = yaml.SafeLoader("").construct_object(node) if isinstance(node, yaml.ScalarNode) else node
        except ValueError:  # an integer past Python's digit limit for int(str)
            value = None
        # YAML's true is an int to isinstance: accept it only where a boolean is expected.
        if (
            isinstance(node, yaml.ScalarNode)
            and isinstance(value, kinds)
            and (bool in kinds or not isinstance(value, bool))
        ):
            if not (isinstance(value, str) and has_lone_surrogate(value)):
                return value
            # A "\ud800" escape: a name or text every output that writes it would fail on.
            expected = ENCODABLE
        else:
            expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
        shown = value if isinstance(node, yaml.ScalarNode) else None
        self.problem(node, f"{what} must be {expected} (got {_show(node)})", value=shown, expected=expected)
        return None

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return ()
        items = (self.scalar(item, str, f"each item of {what}") for item in node.value)
        return tuple(item for item in items if item is not None)

    def expression_position(self, node: yaml.ScalarNode, line: int, col: int) -> tuple[int, int]:
        """The file position of (line, col) inside the expression held by ``node``."""
        start = node.start_mark
        if node.style == "|":
            # Literal block content starts on the next line, indented like its first line.
            first = self._line(start.line + 1)
            return start.line + 1 + line, len(first) - len(first.lstrip()) + col
        if line > 1:  # only a literal block keeps line breaks in the value
            return start.line + line, col
        offset = col - 1
        for file_line, begin, length in self._folded_segments(node):
            if offset <= length:
                return file_line, begin + offset
            offset -= length + 1  # folding joined this line to the next with one space
        return start.line + 1, start.column + col

    def _line(self, index: int) -> str:
        return self.text_lines[index] if index < len(self.text_lines) else ""

    def _folded_segments(self, node: yaml.ScalarNode) -> list[tuple[int, int, int]]:
        """(file line, first column, length) of each source line of a folded scalar."""
        start, end = node.start_mark, node.end_mark
        quote = 1 if node.style in ('"', "'") else 0
        first = start.line + 1 if node.style == ">" else start.line
        segments = []
        for index in range(first, end.line + 1):
            text = self._line(index)
            begin = start.column + quote if index == start.line else len(text) - len(text.lstrip())
            stop = end.column - quote if index == end.line and node.style != ">" else len(text.rstrip())
            if stop > begin:
                segments.append((index + 1, begin + 1, stop - begin))
        return segments


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def _node_paths(root: yaml.Node) -> dict[int, str]:
    """The path of every node under ``root``, by ``id``; a key's node gets the path it names.

    Each node is indexed once (under its first path), so repeated aliases cost nothing.
    """
    paths: dict[int, str] = {}
    pending: list[tuple[yaml.Node, str]] = [(root, "")]
    while pending:
        node, path = pending.pop()
        if id(node) in paths:
            continue
        paths[id(node)] = path
        if isinstance(node, yaml.SequenceNode):
            pending += [(item, f"{path}[{index}]") for index, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                named = f"{path}.{key_node.value}" if path else str(key_node.value)
                pending += [(value_node, named), (key_node, named)]
    return paths


def _check_tags(file: YamlFile, root: yaml.Node) -> bool:
    """Reject any YAML tag beyond plain data: no object construction, ever.

    Each node is visited once, so aliases repeated into a "billion laughs" cost nothing.
    """
    seen: set[int] = set()
    pending = [root]
    clean = True
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            file.problem(node, f"YAML tag {node.tag!r} is not allowed in a rules file")
            clean = False
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value
        elif isinstance(node, yaml.MappingNode):
            pending += [part for pair in node.value for part in pair]
    return clean


def compose(file: YamlFile, text: str) -> yaml.Node | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes nested collections recursively
        file.problems.add(file.name, None, "invalid YAML: collections nested too deeply", 1, 1)
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        file.problems.add(file.name, None, f"invalid YAML: {error.problem}", line, col)
        return None
    except yaml.YAMLError as error:
        file.problems.add(file.name, None, f"invalid YAML: {error}", 1, 1)
        return None
    if node is None:
        file.problems.add(file.name, None, "empty rules file", 1, 1)
        return None
    file.root = node
    return node if _check_tags(file, node) else None
