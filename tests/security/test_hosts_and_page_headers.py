"""DNS rebinding and framing: the Host header is checked whenever demo mode trusts loopback
(configurable otherwise), and the GraphiQL page carries a CSP and X-Frame-Options."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from crm_graphql.api import graphiql
from crm_graphql.app import create_app
from crm_graphql.cli import _settings, build_parser
from crm_graphql.settings import Settings

VIEWER = {"query": "{ viewer { email role } }"}


def loopback_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def test_demo_mode_answers_loopback_host_names_only(app: Any, settings: Settings) -> None:
    # given a demo server, where loopback requests without a token act as the demo admin
    demo = create_app(replace(settings, demo=True), manage_db=False)
    async with loopback_client(demo) as client:
        # when a web page rebinds its own name to 127.0.0.1 and posts from the browser
        for host in (
            "attacker.example",
            "attacker.example:8000",
            "127.0.0.1.nip.io:8000",
            "localhost.attacker.example",
        ):
            answer = await client.post("/graphql", json=VIEWER, headers={"Host": host})
            # then the request is refused before it reaches GraphQL: nothing runs as the admin
            assert answer.status_code == 400, (host, answer.text)
            assert "demo@" not in answer.text
            ide = await client.get("/graphql", headers={"Host": host, "Accept": "text/html"})
            assert ide.status_code == 400
        # and the loopback names keep working as before
        for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
            answer = await client.post("/graphql", json=VIEWER, headers={"Host": host})
            assert answer.status_code == 200, (host, answer.text)
            assert answer.json()["data"]["viewer"]["role"] == "ADMIN"


async def test_configured_allowed_hosts(app: Any, settings: Settings, admin: Any) -> None:
    configured = create_app(replace(settings, allowed_hosts=("crm.example.com", "*.crm.example.com")), manage_db=False)
    headers = {"Authorization": f"Bearer {admin.token}"}
    async with loopback_client(configured) as client:
        for host, status in (
            ("crm.example.com", 200),
            ("eu.crm.example.com:443", 200),
            ("other.example", 400),
            ("127.0.0.1:8000", 400),
        ):
            answer = await client.post("/graphql", json=VIEWER, headers={**headers, "Host": host})
            assert answer.status_code == status, (host, answer.text)
        assert (await client.get("/healthz", headers={"Host": "other.example"})).status_code == 400


async def test_any_host_without_demo_or_configuration(client: httpx.AsyncClient, admin: Any) -> None:
    answer = await client.post(
        "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {admin.token}", "Host": "api.example.org"}
    )
    assert answer.status_code == 200


def test_allowed_hosts_from_flag_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_ALLOWED_HOSTS", "a.example, b.example")
    assert Settings.from_env().trusted_hosts() == ("a.example", "b.example")
    args = build_parser().parse_args(["serve", "--allowed-hosts", "c.example,*.d.example"])
    assert _settings(args).trusted_hosts() == ("c.example", "*.d.example")
    # demo mode answers loopback names only, whatever is configured
    args = build_parser().parse_args(["serve", "--demo", "--allowed-hosts", "c.example"])
    assert _settings(args).trusted_hosts() == ("localhost", "127.0.0.1", "[::1]")
    monkeypatch.delenv("CRM_ALLOWED_HOSTS")
    assert Settings.from_env().trusted_hosts() == ("*",)


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


async def test_graphiql_page_has_a_content_security_policy_and_cannot_be_framed(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    parts = [part.strip().partition(" ") for part in page.headers["content-security-policy"].split(";")]
    policy = {name: value for name, _, value in parts}
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    # fetches and the subscription socket go to this server only
    assert policy["connect-src"] == "'self' ws://testserver wss://testserver"
    # scripts: our own origin, plus the page's one inline script by its hash (no unsafe-inline/eval)
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(inline) == 1
    assert policy["script-src"].split() == ["'self'", sha256(inline[0])]
    # every asset the page loads is a path on this server, served with the bytes its SRI pins
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(graphiql.DEFAULT_ASSETS_PREFIX + "/") or s == "data:," for s in sources)
    for source in sources:
        if source != "data:,":
            assert (await client.get(source)).status_code == 200, source
    # no host outside this server is allowed anywhere in the policy, whatever the Host header says
    assert not re.search(r"https?:|\*", page.headers["content-security-policy"])
    odd = await client.get("/graphql", headers={"Accept": "text/html", "Host": "a b; script-src *"})
    assert "script-src *" not in odd.headers.get("content-security-policy", "")
