"""GraphiQL loads in a real headless Chromium, runs a typed query and shows the result."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import async_playwright

from tests.conftest import LiveServer

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
