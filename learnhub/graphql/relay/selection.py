"""What a query selects beneath the field being resolved, read from the operation's syntax tree.

A resolver that fetches a whole subtree's data in one go (and so lets that subtree complete
without a coroutine per field) must fetch only what the query asks for. Fragments are followed;
@skip/@include are not evaluated, so a skipped field is counted as selected: at worst a read
whose result goes unused, never a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from learnhub.graphql.context import Info


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and (fragment := fragments.get(selection.name.value)):
            yield from _fields(fragment.selection_set, fragments)


def selects(info: Info, *path: str) -> bool:
    """Whether the current field's selection reaches `path` (field names, e.g. "lessons", "progress")."""
    raw = info._raw_info
    nodes: Iterable[FieldNode] = raw.field_nodes
    for name in path:
        nodes = [
            child for node in nodes for child in _fields(node.selection_set, raw.fragments) if child.name.value == name
        ]
        if not nodes:
            return False
    return True


# Where a connection's items sit below the connection field.
CONNECTION_ITEMS: tuple[tuple[str, ...], ...] = (("nodes",), ("edges", "node"))


def selects_any(info: Info, prefixes: tuple[tuple[str, ...], ...], names: tuple[str, ...]) -> bool:
    """Whether any `prefix + (name,)` is selected: e.g. a connection's items' `title` or `content`."""
    return any(selects(info, *prefix, name) for prefix in prefixes for name in names)
