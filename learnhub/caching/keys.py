"""Which requests the public cache may answer, and under which key.

An anonymous viewer sees published content only (learnhub/auth/visibility.py), so the answer
of an anonymous query whose root fields all read content is a function of the request and of
the content. The key is the request (text, operation name, canonical variables); the content
is named by the generation the key is looked up under (learnhub/caching/invalidation.py).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

# Root fields whose anonymous answers show published content and nothing about the viewer.
# Not `questions` (the bank's page depends on every published quiz at once and is large), nor
# `search` (Typesense, updated by the worker after the content), `me`, `node` or `sharedContent`.
CACHEABLE_ROOT_FIELDS = frozenset({"courses", "course", "lesson", "quiz", "__typename"})

# Verdicts kept per (query text, operation name), as many as the document cache keeps documents
# (learnhub/graphql/execution/document_cache.py): the apps send a few dozen operations.
MAX_VERDICTS = 512


def _verdict(query: str, operation_name: str | None) -> bool | None:
    """None for a text that does not parse: execution refuses it, and it is not remembered, so junk
    cannot fill the verdicts."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        chosen = operations if len(operations) == 1 else []
    else:
        chosen = [op for op in operations if op.name is not None and op.name.value == operation_name]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    # A fragment at the root could hide any field: only plain fields are looked at.
    selections = chosen[0].selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in CACHEABLE_ROOT_FIELDS for s in selections)


class Operations:
    """Whether an operation is a cacheable query; parsed once per distinct text."""

    def __init__(self, maxsize: int = MAX_VERDICTS) -> None:
        self.maxsize = maxsize
        self._verdicts: OrderedDict[tuple[str, str | None], bool] = OrderedDict()

    def cacheable(self, query: str, operation_name: str | None) -> bool:
        key = (query, operation_name)
        verdict = self._verdicts.get(key)
        if verdict is not None:
            self._verdicts.move_to_end(key)
            return verdict
        verdict = _verdict(query, operation_name)
        if verdict is None:
            return False
        self._verdicts[key] = verdict
        if len(self._verdicts) > self.maxsize:
            self._verdicts.popitem(last=False)
        return verdict


def request_digest(query: str, operation_name: str | None, variables: Mapping[str, Any] | None) -> str | None:
    """sha256 of the text, the operation name and the variables as canonical JSON (sorted keys),
    so the same request sent with its variables in another order shares the answer. None when the
    variables have no canonical form (lone surrogates, integers past 64 bits): such a request is
    executed, and refused there if it must be."""
    try:
        canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    digest = hashlib.sha256(query.encode(errors="surrogatepass"))
    digest.update(b"\0" + (operation_name or "").encode(errors="surrogatepass") + b"\0")
    digest.update(canonical)
    return digest.hexdigest()
