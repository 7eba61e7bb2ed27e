"""Persisted operations: automatic persisted queries (Redis, shared) and trusted documents."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from learnhub.cli import main
from learnhub.core.settings import Settings
from tests.support.client import post_graphql
from tests.support.data import unique
from tests.support.servers import GatewayFactory


# A query unique to each test run, so a hash from an earlier run is never already stored.
def _query() -> str:
    return f"query Catalog_{unique('q').replace('-', '_')} {{ courses(first: 2) {{ nodes {{ contentId }} }} }}"


def _hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _apq(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_apq_round_trip_shared_by_two_gateways(http: httpx.AsyncClient, gateway_factory: GatewayFactory) -> None:
    query = _query()
    digest = _hash(query)
    miss = await post_graphql(http, None, extensions=_apq(digest))
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in miss.json()

    first = await post_graphql(http, query, extensions=_apq(digest))
    assert first.status_code == 200
    expected = first.json()["data"]
    assert len(expected["courses"]["nodes"]) == 2

    again = await post_graphql(http, None, extensions=_apq(digest))
    assert again.json()["data"] == expected
    by_get = await http.get(
        "/graphql", params={"extensions": json.dumps(_apq(digest))}, headers={"accept": "application/json"}
    )
    assert by_get.json()["data"] == expected

    other = gateway_factory()
    async with httpx.AsyncClient(base_url=other.url) as second:
        assert (await post_graphql(second, None, extensions=_apq(digest))).json()["data"] == expected


async def test_apq_refuses_a_hash_that_is_not_the_querys(http: httpx.AsyncClient) -> None:
    response = await post_graphql(http, _query(), extensions=_apq(_hash("something else")))
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


@pytest.mark.parametrize(
    "extension",
    [{"version": 2, "sha256Hash": "0" * 64}, {"version": 1, "sha256Hash": "not-hex"}, "a string"],
)
async def test_apq_malformed_extension_is_a_bad_request(http: httpx.AsyncClient, extension: object) -> None:
    response = await post_graphql(http, None, extensions={"persistedQuery": extension})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def _manifest(tmp_path: Path, operations: list[tuple[str, str]]) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": digest, "name": name, "type": "query", "body": body}
                    for name, body, digest in [(n, b, _hash(b)) for n, b in operations]
                ],
            }
        )
    )
    return path


async def test_trusted_mode_serves_registered_operations_only(
    gateway_factory: GatewayFactory, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _query()
    server = gateway_factory(persisted_queries="trusted")
    async with httpx.AsyncClient(base_url=server.url) as http:
        refused = await post_graphql(http, query)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"

        monkeypatch.setenv("DATABASE_URL", settings.database_url)
        manifest = str(_manifest(tmp_path, [("Catalog", query)]))
        await asyncio.to_thread(main, ["documents", "register", manifest, "--client", "web@1.0.0"])

        by_hash = await post_graphql(http, None, extensions=_apq(_hash(query)))
        assert by_hash.status_code == 200
        assert len(by_hash.json()["data"]["courses"]["nodes"]) == 2
        by_text = await post_graphql(http, query)
        assert by_text.json()["data"] == by_hash.json()["data"]
        # One changed character is another operation.
        edited = await post_graphql(http, query.replace("first: 2", "first: 3"))
        assert edited.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


def test_register_refuses_invalid_operations_and_wrong_ids(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    with pytest.raises(SystemExit) as exit_info:
        main(["documents", "register", str(_manifest(tmp_path, [("Bad", "{ noSuchField }")])), "--client", "web"])
    assert exit_info.value.code == 2
    assert "noSuchField" in capsys.readouterr().err

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"0" * 64: "{ me { id } }"}))
    with pytest.raises(SystemExit):
        main(["documents", "register", str(wrong), "--client", "web"])
    assert "not the sha256" in capsys.readouterr().err
