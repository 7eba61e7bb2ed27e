"""Every server must return the same data, or the comparison means nothing: checked before every run.

The floor answers in the shape of the gateway's `data`; the only difference allowed is that
GraphQL enums (`ACTIVE`, `SINGLE_CHOICE`, `BEGINNER`, `LESSON`) are stored values in the floor
(`active`, ...). For search, the hits (ids in order, with their titles) are compared first, so
a ranking that differs is named as such rather than as the first differing field. A peer
(bench/peers) answers the same GraphQL documents as the gateway: its `data` is compared with the
floor's answer like the gateway's, or with the gateway's `data` as it is.
"""

from __future__ import annotations

from typing import Any, Literal

ENUM_FIELDS = frozenset({"status", "type", "level", "kind"})


class NotEquivalent(AssertionError):
    pass


def _stored_enums(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: item.lower() if key in ENUM_FIELDS and isinstance(item, str) else _stored_enums(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_stored_enums(item) for item in value]
    return value


def first_difference(
    left: Any, right: Any, path: str = "$", names: tuple[str, str] = ("gateway", "floor")
) -> str | None:
    """A readable path to the first place where two JSON values differ, or None; `names` name the two sides."""
    left_name, right_name = names
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                return f"{path}.{key}: only in {right_name if key not in left else left_name}"
            if (found := first_difference(left[key], right[key], f"{path}.{key}", names)) is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} items from the {left_name}, {len(right)} from the {right_name}"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            if (found := first_difference(a, b, f"{path}[{index}]", names)) is not None:
                return found
        return None
    return None if left == right else f"{path}: {left_name} {left!r}, {right_name} {right!r}"


def _hits(data: Any) -> list[tuple[str, str]]:
    """A search answer's hits: (content id, title), best first."""
    return [(edge["node"]["contentId"], edge["node"]["title"]) for edge in data["search"]["edges"]]


def _data(shape: str, server: str, response: dict[str, Any]) -> Any:
    """A GraphQL response's `data`; NotEquivalent when it carries errors."""
    if response.get("errors"):
        raise NotEquivalent(f"{shape}: the {server} answered with errors: {response['errors']}")
    return response["data"]


def check(shape: str, gateway_response: dict[str, Any], floor_response: Any) -> None:
    """Raise NotEquivalent unless the gateway's `data` (without errors) equals the floor's answer."""
    data = _data(shape, "gateway", gateway_response)
    if shape == "search":
        gateway_hits, floor_hits = _hits(data), _hits(floor_response)
        if not gateway_hits:
            raise NotEquivalent("search: the gateway found nothing; the benchmark's query must find hits")
        if gateway_hits != floor_hits:
            raise NotEquivalent(f"search: different hits: gateway {gateway_hits}, floor {floor_hits}")
    difference = first_difference(_stored_enums(data), floor_response)
    if difference is not None:
        raise NotEquivalent(f"{shape}: the floor's data differs from the gateway's at {difference}")


def check_peer(
    shape: str,
    peer: str,
    peer_response: dict[str, Any],
    reference: Any,
    against: Literal["floor", "gateway"] = "floor",
) -> None:
    """Raise NotEquivalent unless a peer's `data` (without errors) equals `reference`: the floor's
    answer (enums as stored), or the gateway's `data` (enums as GraphQL names them)."""
    data = _data(shape, peer, peer_response)
    compared = _stored_enums(data) if against == "floor" else data
    difference = first_difference(compared, reference, names=(peer, against))
    if difference is not None:
        raise NotEquivalent(f"{shape}: the {peer}'s data differs from the {against}'s at {difference}")
