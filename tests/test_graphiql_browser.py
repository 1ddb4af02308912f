"""GraphiQL in a real browser (Playwright driving Debian's chromium) against a real
`crm-graphql serve --demo`: the page loads with no request leaving our server, a query typed
into the editor runs and its answer appears, and a subscription receives an event."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path(os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium"))

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    ),
]


def _open_subscriptions(server: Any) -> int:
    text = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.token}"}).text
    match = re.search(r"^crm_graphql_open_subscriptions(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


def _type_query(page: Any, query: str) -> None:
    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)  # typed text as an input method sends it (no auto-closed brackets)
    # GraphiQL parses the editor's text after a debounce; a subscription run before that goes
    # to the HTTP fetcher (its operation type is read from the parsed document)
    page.wait_for_timeout(1500)


def _run(page: Any) -> None:
    page.locator(".graphiql-execute-button").first.click()


def _response(page: Any) -> str:
    return str(page.locator(".graphiql-response").first.inner_text())


def _wait_for(predicate: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_graphiql_runs_a_typed_query_and_a_subscription_in_a_browser(live_server: Any) -> None:
    assert sync_playwright is not None
    with live_server(demo=True) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            # given GraphiQL loaded from our server
            page.goto(f"{server.url}/graphql", wait_until="networkidle")
            page.locator(".graphiql-query-editor .CodeMirror").first.wait_for(timeout=30_000)
            # then no request left our server (no CDN, no fonts from elsewhere)
            foreign = [u for u in requested if not u.startswith((server.url, "data:", "blob:"))]
            assert foreign == []
            assert any(u.startswith(f"{server.url}/") and u != f"{server.url}/graphql" for u in requested)

            # when a query is typed into the editor and run
            _type_query(page, "query Count { accounts(first: 1) { totalCount } }")
            _run(page)
            # then its answer appears in the result pane
            _wait_for(lambda: '"totalCount"' in _response(page), "the query's answer")
            assert re.search(r'"totalCount": \d+', _response(page))

            # when a subscription is started from GraphiQL and a change is committed over HTTP
            before = _open_subscriptions(server)
            _type_query(page, "subscription { timelineEvent { kind subjectType } }")
            _run(page)
            _wait_for(lambda: _open_subscriptions(server) > before, "the subscription to listen")
            created = httpx.post(
                f"{server.url}/graphql",
                json={"query": 'mutation { createAccount(input: {name: "From the browser test"}) { account { id } } }'},
                headers={"Authorization": f"Bearer {server.token}"},
            )
            assert created.status_code == 200 and "errors" not in created.json()
            # then the event appears in GraphiQL
            _wait_for(lambda: '"CREATED"' in _response(page), "the subscription's event")
            assert '"subjectType": "Account"' in _response(page)
            assert [u for u in requested if not u.startswith((server.url, "ws://127.0.0.1", "data:", "blob:"))] == []
        finally:
            browser.close()
