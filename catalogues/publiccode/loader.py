"""Read the YAML text into nodes that keep their line and column, and find keys by position.

The reference parser reports every problem with a dotted key (``maintenance.contacts[0].email``)
and the position of that key in the file; these helpers do the same on PyYAML's node tree, whose
marks count from 0 where the parser's count from 1.
"""

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
_INDEX = re.compile(r"^(?P<name>[^\[]*)(?P<indexes>(?:\[\d+\])*)$")


class LoadError(Exception):
    """The bytes are not a YAML document; carries the parser-like message and position."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def decode_text(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError("Invalid UTF-8") from None
    return text.removeprefix("\ufeff")


def compose(content: bytes | str) -> MappingNode:
    """The root mapping of the document, or LoadError."""
    # Imported here: the rest of this package needs no Django.
    from catalogues.importing import RowError
    from catalogues.inputs import compose_yaml

    text = decode_text(content)
    try:
        # Nesting and alias expansion bounded: a few hundred bytes of aliases must not run for ever.
        root = compose_yaml("publiccode.yml", text)
    except RowError as exc:
        raise LoadError(str(exc).removeprefix("publiccode.yml : ")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise LoadError(message, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc)) from None
    if root is None:
        raise LoadError("empty document")
    if not isinstance(root, MappingNode):
        raise LoadError("the document must be a mapping of keys", *position(root))
    _refuse_duplicate_keys(root)
    return root


def _refuse_duplicate_keys(node: Node) -> None:
    # PyYAML keeps the last of two equal keys silently; YAML forbids them and so does the parser.
    if isinstance(node, MappingNode):
        seen = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in seen:
                    raise LoadError(
                        f'mapping key "{key.value}" already defined at line {seen[key.value]}', *position(key)
                    )
                seen[key.value] = key.start_mark.line + 1
            _refuse_duplicate_keys(value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item)


def position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def get(node: Node | None, key: str) -> tuple[Node | None, Node | None]:
    """(key node, value node) of `key` in a mapping node, or (None, None)."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None, None


def position_of(root: MappingNode, dotted: str) -> tuple[int, int]:
    """Where the parser points for a key: the key itself, else its closest existing parent.

    A missing intermediate key gives (0, 0), as in the parser (``legal.license`` without ``legal``).
    """
    parts = [p for p in dotted.split(".") if p] if dotted else []
    if not parts:
        return 0, 0
    node: Node | None = root
    for i, part in enumerate(parts):
        match = _INDEX.match(part)
        name = match["name"] if match else part
        indexes = [int(x) for x in re.findall(r"\d+", match["indexes"])] if match else []
        key_node, value_node = get(node, name)
        last = i == len(parts) - 1
        if key_node is None:
            return position(node) if last and node is not None else (0, 0)
        target = key_node
        for index in indexes:
            if isinstance(value_node, SequenceNode) and index < len(value_node.value):
                value_node = value_node.value[index]
                target = value_node
            else:
                return position(target) if last else (0, 0)
        if last:
            return position(target)
        node = value_node
    return 0, 0


def key_at_line(node: Node, line: int, path: str = "") -> str:
    """The dotted key written at `line` (1-based), as the parser names type errors."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            if key_node.start_mark.line + 1 == line:
                return key
            if not isinstance(value_node, ScalarNode):
                found = key_at_line(value_node, line, key)
                if found:
                    return found
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{path}[{index}]"
            if item.start_mark.line + 1 == line:
                return key
            if not isinstance(item, ScalarNode):
                found = key_at_line(item, line, key)
                if found:
                    return found
    return ""


def to_python(node: Node):
    """Plain Python data for a node; timestamps stay the strings they were written as."""
    if isinstance(node, MappingNode):
        return {str(k.value): to_python(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [to_python(item) for item in node.value]
    if node.tag.endswith((":timestamp", ":binary")):
        return node.value
    return yaml.SafeLoader("").construct_object(node) if node.tag != NULL_TAG else None
