"""Persisted operations: Apollo's automatic persisted queries, and trusted documents.

- "apq": a client sends `extensions.persistedQuery.sha256Hash`; the first time also the
  query, which is stored in Redis (shared by every gateway process); later only the hash.
- "trusted": only operations registered from the clients' builds (`learnhub documents
  register`, kept in PostgreSQL) are executed, by hash or by identical text.
- "off": the query text is required and the extension is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphql import parse, validate
from graphql.error import GraphQLError
from strawberry.http import GraphQLRequestData

from learnhub.core.errors import RequestRefused, StoreUnavailable
from learnhub.datasources import redis as keys
from learnhub.datasources.postgres import trusted_documents
from learnhub.datasources.postgres.trusted_documents import TrustedDocument
from learnhub.datasources.stores import Stores

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
BAD_HASH = "PERSISTED_QUERY_HASH_MISMATCH"

# Registered bodies never change (the key is their hash), so a hit can be kept for the life of
# the process; misses are not cached, so a newly registered document is served at once.
_TRUSTED_CACHE_SIZE = 10_000


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _requested_hash(extensions: dict[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestRefused(400, "BAD_REQUEST", "persistedQuery must be {version: 1, sha256Hash}")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise RequestRefused(400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 lower-case hex digits")
    return digest


class PersistedQueries:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self.mode = stores.settings.persisted_queries
        self._trusted: OrderedDict[str, str] = OrderedDict()

    async def resolve(self, data: GraphQLRequestData) -> None:
        """Fill in `data.query` from the hash, or refuse the request."""
        digest = _requested_hash(data.extensions)
        if self.mode == "trusted":
            data.query = await self._trusted_query(digest, data.query)
        elif digest is None:
            return
        elif self.mode == "off":
            raise RequestRefused(400, NOT_SUPPORTED, "PersistedQueryNotSupported")
        else:
            data.query = await self._automatic(digest, data.query)

    async def _automatic(self, digest: str, query: str | None) -> str:
        settings = self.stores.settings
        redis_guard = self.stores.guards.redis
        if query is None:
            try:
                stored = await redis_guard.run(keys.persisted_query, self.stores.redis, digest)
            except StoreUnavailable:
                # Redis down: a clean miss, so Apollo clients send the full query, which is served.
                stored = None
            if stored is None:
                # HTTP 200 with this code: Apollo clients then retry with the full query.
                raise RequestRefused(200, NOT_FOUND, "PersistedQueryNotFound")
            return stored
        if sha256_of(query) != digest:
            raise RequestRefused(400, BAD_HASH, "provided sha does not match query")
        # Redis down: not kept this time; a later request by hash alone misses and sends it again.
        with contextlib.suppress(StoreUnavailable):
            await redis_guard.run(keys.persist_query, self.stores.redis, digest, query, settings.apq_ttl_seconds)
        return query

    async def _trusted_query(self, digest: str | None, query: str | None) -> str:
        if digest is None and query is None:
            raise RequestRefused(400, NOT_IN_LIST, "Send a registered operation (persistedQuery.sha256Hash)")
        wanted = digest or sha256_of(query or "")
        if query is not None and sha256_of(query) != wanted:
            raise RequestRefused(400, BAD_HASH, "provided sha does not match query")
        body = self._trusted.get(wanted)
        if body is None:
            body = await trusted_documents.body_of(self.stores.engine, wanted)
            if body is None:
                raise RequestRefused(400, NOT_IN_LIST, "This operation is not registered for this API")
            self._trusted[wanted] = body
            if len(self._trusted) > _TRUSTED_CACHE_SIZE:
                self._trusted.popitem(last=False)
        else:
            self._trusted.move_to_end(wanted)
        return body


class ManifestError(ValueError):
    pass


def read_manifest(path: Path) -> list[TrustedDocument]:
    """Apollo's persisted-query manifest (`{"format": "apollo-persisted-query-manifest",
    "operations": [{"id", "name", "body"}]}`) or a plain `{sha256: body}` object."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
        entries = [(op.get("id"), op.get("body"), op.get("name")) for op in raw["operations"] if isinstance(op, dict)]
    elif isinstance(raw, dict):
        entries = [(digest, body, None) for digest, body in raw.items()]
    else:
        raise ManifestError(f"{path}: expected an Apollo manifest or a {{sha256: body}} object")
    documents = []
    for digest, body, name in entries:
        if not isinstance(body, str) or not isinstance(digest, str):
            raise ManifestError(f"{path}: every operation needs a string id and body")
        if sha256_of(body) != digest:
            raise ManifestError(f"{path}: id {digest[:12]}... is not the sha256 of its body")
        documents.append(TrustedDocument(digest, body, name if isinstance(name, str) else None))
    return documents


def invalid_documents(schema: Any, documents: Sequence[TrustedDocument]) -> list[str]:
    """Operations that do not parse or validate against the schema (refused at registration)."""
    problems = []
    for document in documents:
        try:
            errors = validate(schema, parse(document.body))
        except GraphQLError as exc:
            errors = [exc]
        problems += [f"{document.operation_name or document.sha256[:12]}: {e.message}" for e in errors]
    return problems
