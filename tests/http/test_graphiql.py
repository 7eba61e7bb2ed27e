"""GraphiQL loads in a real headless Chromium, runs a typed query and shows the result; only a
browser opening the endpoint gets the page."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright

from learnhub.http.graphiql import wants_graphiql
from tests.support.client import post_graphql
from tests.support.servers import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


async def test_graphiql_runs_a_query_typed_into_it(live: LiveServer, artifacts: Path) -> None:
    outside: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("request", lambda r: None if r.url.startswith(live.url) else outside.append(r.url))
        await page.goto(f"{live.url}/graphql")
        await page.wait_for_selector(".graphiql-container", timeout=30_000)
        await page.click(".graphiql-query-editor .CodeMirror")
        await page.keyboard.press("Control+A")
        # Cleared first: typing a bracket over a selection wraps it in brackets instead of replacing it.
        await page.keyboard.press("Backspace")
        await page.keyboard.type('{ course(contentId: "course:rest-api-design") { title lessonCount } }')
        await page.click(".graphiql-execute-button")
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.graphiql-response')]"
            ".some(e => e.textContent.includes('REST API Design'))",
            timeout=30_000,
        )
        result = await page.inner_text(".graphiql-response")
        await page.screenshot(path=str(artifacts / "graphiql.png"))
        await browser.close()

    assert '"title": "REST API Design"' in result
    assert '"lessonCount": 6' in result
    assert outside == []  # every asset is served by the gateway itself


async def test_graphiql_opens_with_a_catalogue_query_that_runs_as_it_is(live: LiveServer, artifacts: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(f"{live.url}/graphql")
        await page.wait_for_selector(".graphiql-container", timeout=30_000)
        editor = await page.inner_text(".graphiql-query-editor .CodeMirror")
        # Every line fits the editor: no horizontal scrolling needed to read the welcome.
        overflows = await page.evaluate(
            "() => { const s = document.querySelector('.graphiql-query-editor .CodeMirror-scroll');"
            " return s.scrollWidth > s.clientWidth; }"
        )
        await page.click(".graphiql-execute-button")
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.graphiql-response')]"
            ".some(e => e.textContent.includes('totalCount'))",
            timeout=30_000,
        )
        result = await page.inner_text(".graphiql-response")
        await page.screenshot(path=str(artifacts / "graphiql-welcome.png"))
        await browser.close()

    assert "courses(first: 5)" in editor
    assert not overflows
    assert '"contentId": "course:rest-api-design"' in result
    assert '"errors"' not in result


PERSISTED = "{ __typename }"
PERSISTED_EXTENSIONS = json.dumps(
    {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(PERSISTED.encode()).hexdigest()}}
)


async def test_a_persisted_query_by_get_gets_its_result_whatever_it_accepts(http: httpx.AsyncClient) -> None:
    """An APQ GET carries only `extensions`; with `Accept: */*` (HTTP clients' default) it got the page."""
    registered = await post_graphql(http, PERSISTED, extensions=json.loads(PERSISTED_EXTENSIONS))
    assert registered.json()["data"] == {"__typename": "Query"}
    for accept in ("*/*", "application/json", "text/html,application/json;q=0.9"):
        response = await http.get("/graphql", params={"extensions": PERSISTED_EXTENSIONS}, headers={"accept": accept})
        assert response.headers["content-type"].startswith("application/json"), accept
        assert response.json()["data"] == {"__typename": "Query"}


async def test_only_a_request_for_html_gets_the_page(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")

    other = await http.get("/graphql", headers={"accept": "*/*"})
    assert other.status_code == 400
    assert [e["extensions"]["code"] for e in other.json()["errors"]] == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    ("method", "params", "accept", "expected"),
    [
        ("GET", {}, "text/html", True),
        ("GET", {}, "*/*", False),
        ("GET", {}, "", False),
        ("GET", {"query": "{ __typename }"}, "text/html", False),
        ("GET", {"extensions": PERSISTED_EXTENSIONS}, "text/html", False),
        ("POST", {}, "text/html", False),
    ],
)
def test_wants_graphiql(method: str, params: dict[str, str], accept: str, expected: bool) -> None:
    assert wants_graphiql(method, params, {"accept": accept}) is expected
