"""Typesense over its REST API with an async HTTP client.

The official `typesense` package is synchronous (it would block the event loop) and its 2.x
releases target newer servers than the 0.24 one used here; the calls needed are plain HTTP.
Every call counts as one `typesense` round trip in the request's statistics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx
import orjson

from learnhub.core import stats
from learnhub.core.settings import Settings
from learnhub.observability import stores as store_calls

Doc = dict[str, Any]


class SearchUnavailable(RuntimeError):
    """Typesense could not be reached or refused the request."""


class Typesense:
    def __init__(self, settings: Settings) -> None:
        self.http = httpx.AsyncClient(
            base_url=settings.typesense_url,
            headers={"X-TYPESENSE-API-KEY": settings.typesense_api_key.get_secret_value()},
            # A search answers in milliseconds; two seconds means the server is in trouble, and
            # the request then answers from pgvector alone instead of waiting.
            timeout=httpx.Timeout(2.0, connect=min(2.0, settings.store_connect_timeout_seconds)),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        stats.record("typesense")
        call = store_calls.start("typesense", method, f"{method} {path}")
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            store_calls.finish(call, exc)
            raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc
        store_calls.finish(call, None if response.status_code < 500 else SearchUnavailable(str(response.status_code)))
        if response.status_code >= 500:
            raise SearchUnavailable(f"Typesense answered {response.status_code}: {response.text[:200]}")
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._call(method, path, **kwargs)
        if response.status_code >= 400:
            raise SearchUnavailable(f"Typesense refused {method} {path}: {response.status_code} {response.text[:300]}")
        return orjson.loads(response.content)

    async def ping(self) -> None:
        """Raise unless the server is up and accepts our key."""
        health = await self.http.get("/health")
        health.raise_for_status()
        if not health.json().get("ok"):
            raise RuntimeError("Typesense reports it is not healthy")
        (await self.http.get("/collections")).raise_for_status()

    # Collections and aliases -------------------------------------------------------------

    async def create_collection(self, schema: Mapping[str, Any]) -> None:
        await self._json("POST", "/collections", content=orjson.dumps(schema))

    async def delete_collection(self, name: str) -> None:
        response = await self._call("DELETE", f"/collections/{name}")
        if response.status_code not in (200, 404):
            raise SearchUnavailable(f"cannot delete collection {name}: {response.text[:200]}")

    async def collections(self) -> list[Doc]:
        result: list[Doc] = await self._json("GET", "/collections")
        return result

    async def alias_target(self, alias: str) -> str | None:
        response = await self._call("GET", f"/aliases/{alias}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise SearchUnavailable(f"cannot read alias {alias}: {response.text[:200]}")
        return str(orjson.loads(response.content)["collection_name"])

    async def point_alias(self, alias: str, collection: str) -> None:
        """Make `alias` name `collection`; searches switch over at once."""
        await self._json("PUT", f"/aliases/{alias}", content=orjson.dumps({"collection_name": collection}))

    async def put_synonym(self, collection: str, synonym_id: str, synonym: Mapping[str, Any]) -> None:
        await self._json("PUT", f"/collections/{collection}/synonyms/{synonym_id}", content=orjson.dumps(synonym))

    # Documents ---------------------------------------------------------------------------

    async def upsert(self, collection: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Insert or replace documents (one import call); raise if any was refused."""
        if not documents:
            return
        body = b"\n".join(orjson.dumps(doc) for doc in documents)
        response = await self._call(
            "POST", f"/collections/{collection}/documents/import", params={"action": "upsert"}, content=body
        )
        if response.status_code >= 400:
            raise SearchUnavailable(f"import into {collection} refused: {response.text[:300]}")
        refused = [line for line in response.content.splitlines() if not orjson.loads(line).get("success")]
        if refused:
            raise SearchUnavailable(f"{len(refused)} documents refused by {collection}: {refused[0][:300]!r}")

    async def delete_where(self, collection: str, filter_by: str) -> None:
        response = await self._call(
            "DELETE", f"/collections/{collection}/documents", params={"filter_by": filter_by, "batch_size": 500}
        )
        if response.status_code not in (200, 404):
            raise SearchUnavailable(f"deleting in {collection} refused: {response.text[:300]}")

    async def export(self, collection: str, fields: Iterable[str]) -> list[Doc]:
        """Every document of a collection, with only `fields`."""
        return await self.export_where(collection, None, fields)

    async def export_where(self, collection: str, filter_by: str | None, fields: Iterable[str]) -> list[Doc]:
        """The documents matching `filter_by` (all when None), with only `fields`."""
        params = {"include_fields": ",".join(fields)}
        if filter_by is not None:
            params["filter_by"] = filter_by
        response = await self._call("GET", f"/collections/{collection}/documents/export", params=params)
        if response.status_code >= 400:
            raise SearchUnavailable(f"export of {collection} refused: {response.text[:300]}")
        return [orjson.loads(line) for line in response.content.splitlines() if line.strip()]

    async def multi_search(self, searches: Sequence[Mapping[str, Any]]) -> list[Doc]:
        """Several searches in one round trip; one result (or error) per search, in order."""
        body = await self._json("POST", "/multi_search", content=orjson.dumps({"searches": list(searches)}))
        results: list[Doc] = body["results"]
        for result in results:
            if "error" in result:
                raise SearchUnavailable(f"search refused: {result.get('code')} {result['error']}")
        return results
