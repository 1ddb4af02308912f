"""Hostile HTTP: each a 4xx or a clear GraphQL error, never a 500 or a stack trace."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from crm_graphql.enums import Role

GRAPHQL_RESPONSE = "application/graphql-response+json"


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def clean(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    for word in ("Traceback", "SELECT", "sqlite", "asyncpg", "/work/", ".py"):
        assert word not in response.text, response.text


async def test_malformed_json(client: httpx.AsyncClient, admin: Any) -> None:
    r = await client.post(
        "/graphql", content=b'{"query": ', headers=auth(admin.token, **{"Content-Type": "application/json"})
    )
    clean(r)
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == "The request body is not valid JSON."


async def test_unsupported_content_types(client: httpx.AsyncClient, admin: Any) -> None:
    for ctype, body in (
        ("text/plain", b'{"query": "{ viewer { id } }"}'),
        ("application/x-www-form-urlencoded", b"query=%7B+viewer+%7B+id+%7D+%7D"),
        ("multipart/form-data; boundary=x", b"--x--"),
    ):
        r = await client.post("/graphql", content=body, headers=auth(admin.token, **{"Content-Type": ctype}))
        clean(r)
        assert r.status_code == 415, (ctype, r.text)
    # without a token too: a simple form post from another site is refused the same way
    r = await client.post("/graphql", data={"query": "mutation { x }"})
    assert r.status_code == 415


async def test_bodies_over_the_limit(client: httpx.AsyncClient, admin: Any) -> None:
    big = b'{"query": "{ viewer { id } }", "x": "' + b"a" * 10_000_000 + b'"}'
    r = await client.post("/graphql", content=big, headers=auth(admin.token, **{"Content-Type": "application/json"}))
    clean(r)
    assert r.status_code == 413

    async def stream() -> Any:  # no Content-Length: refused while streaming
        for _ in range(20):
            yield b"a" * 100_000

    r = await client.post(
        "/graphql", content=stream(), headers=auth(admin.token, **{"Content-Type": "application/json"})
    )
    clean(r)
    assert r.status_code == 413


async def test_large_string_argument_is_a_user_error(gql: Any) -> None:
    body = await gql(
        "mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } userErrors { field code } } }",
        {"i": {"name": "x" * 100_000}},
        errors=True,
    )
    assert body["data"]["createAccount"] == {
        "account": None,
        "userErrors": [{"field": ["input", "name"], "code": "INVALID"}],
    }


async def test_garbage_ids(gql: Any) -> None:
    for garbage in (
        "",
        "!!!",
        "x" * 5000,
        base64.b64encode(b"Account:abc").decode(),
        base64.b64encode(b"Nope:1").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
        base64.b64encode(b"Account:99999999999999999999999").decode(),
    ):
        data = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": garbage})
        assert data == {"node": None}
        body = await gql(
            "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { userErrors { field code } } }",
            {"i": {"id": garbage, "name": "x"}},
            errors=True,
        )
        assert "errors" not in body, body
        assert body["data"]["updateAccount"]["userErrors"][0]["code"] in {"INVALID", "NOT_FOUND"}, garbage


async def test_batch_is_refused(client: httpx.AsyncClient, admin: Any) -> None:
    r = await client.post("/graphql", json=[{"query": "{ viewer { id } }"}] * 2, headers=auth(admin.token))
    clean(r)
    assert r.status_code == 400


async def test_mutation_over_get(client: httpx.AsyncClient, admin: Any) -> None:
    r = await client.get(
        "/graphql",
        params={"query": 'mutation { deleteAccount(input: {id: "x"}) { userErrors { code } } }'},
        headers=auth(admin.token),
    )
    clean(r)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"


async def test_graphql_response_json_statuses(client: httpx.AsyncClient, admin: Any) -> None:
    headers = auth(admin.token, Accept=GRAPHQL_RESPONSE)
    r = await client.post("/graphql", json={"query": "{ viewer { id "}, headers=headers)
    assert (r.status_code, r.headers["content-type"]) == (400, GRAPHQL_RESPONSE)
    r = await client.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    assert (r.status_code, r.headers["content-type"]) == (422, GRAPHQL_RESPONSE)
    r = await client.post(
        "/graphql",
        json={"query": "query($n: Int!) { accounts(first: $n) { totalCount } }", "variables": {"n": "x"}},
        headers=headers,
    )
    assert r.status_code == 422
    r = await client.post("/graphql", json={"query": "{ viewer { id } }"}, headers=headers)
    assert (r.status_code, r.headers["content-type"]) == (200, GRAPHQL_RESPONSE)
    # application/json clients keep 200 for validation errors
    r = await client.post("/graphql", json={"query": "{ nope }"}, headers=auth(admin.token, Accept="application/json"))
    assert (r.status_code, r.headers["content-type"]) == (200, "application/json")


async def test_graphiql_page_needs_no_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "graphiql" in r.text.lower()
    r = await client.get("/graphql", params={"query": "{ viewer { id } }"}, headers={"Accept": "text/html"})
    assert r.status_code == 401


async def test_cors_default_allows_no_origin(client: httpx.AsyncClient, admin: Any) -> None:
    r = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=auth(admin.token, Origin="https://evil.example")
    )
    assert "access-control-allow-origin" not in r.headers
    r = await client.options(
        "/graphql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert r.status_code == 400


async def test_cors_configured_origin(settings: Any) -> None:
    from dataclasses import replace

    from crm_graphql.app import create_app

    app = create_app(replace(settings, cors_origins=("https://crm.example",)), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.options(
            "/graphql",
            headers={
                "Origin": "https://crm.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://crm.example"


async def test_unexpected_errors_are_masked(gql: Any, monkeypatch: Any, caplog: Any) -> None:
    from crm_graphql.api import queries, read

    async def boom(*args: Any) -> Any:
        raise RuntimeError("SELECT secret FROM sqlite_master /work/main/x.py")

    monkeypatch.setattr(queries, "load_node", boom)
    # the compiled read path does not call load_node (and hands any error of its own to this path)
    monkeypatch.setattr(read, "_enabled", False)
    body = await gql('{ node(id: "QWNjb3VudDox") { id } }', errors=True)
    error = body["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] in caplog.text
    assert "SELECT" not in str(body)


async def test_timeout(client: httpx.AsyncClient, settings: Any, actors: Any, monkeypatch: Any) -> None:
    import asyncio
    from dataclasses import replace

    from crm_graphql.api import queries, read
    from crm_graphql.app import create_app

    async def slow(*args: Any) -> Any:
        await asyncio.sleep(5)

    monkeypatch.setattr(queries, "load_node", slow)
    monkeypatch.setattr(read, "_enabled", False)  # the compiled read path does not call load_node
    app = create_app(replace(settings, request_timeout_seconds=0.2), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.post(
            "/graphql", json={"query": '{ node(id: "QWNjb3VudDox") { id } }'}, headers=auth(actors[Role.ADMIN].token)
        )
    assert r.status_code == 200
    assert r.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
