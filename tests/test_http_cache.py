"""Queries over GET carry validators and per-user cache headers; nothing else is cacheable."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from crm_graphql.app import create_app
from crm_graphql.enums import Role

ACCOUNTS = "query Names { accounts(first: 5) { nodes { name } } }"
CREATE = 'mutation { createAccount(input: { name: "Acme" }) { account { id version } userErrors { code } } }'


def auth(actor: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"}


async def test_get_query_has_etag_and_private_cache_headers(client: httpx.AsyncClient, gql: Any, admin: Any) -> None:
    # given one account
    created = await gql(CREATE)
    # when the list is read over GET
    first = await client.get("/graphql", params={"query": ACCOUNTS}, headers=auth(admin))
    # then the answer is private, revalidated each time, and varies by token and media type
    assert first.status_code == 200 and first.json()["data"]["accounts"]["nodes"] == [{"name": "Acme"}]
    assert first.headers["cache-control"] == "private, no-cache"
    vary = {v.strip().lower() for v in first.headers["vary"].split(",")}
    assert {"authorization", "accept"} <= vary
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    # when asked again with that validator: 304 without a body
    again = await client.get("/graphql", params={"query": ACCOUNTS}, headers={**auth(admin), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "private, no-cache"
    # when the data changes, the same validator gets the new answer and a new tag
    account_id = created["createAccount"]["account"]["id"]
    await gql(
        'mutation($id: ID!) { updateAccount(input: { id: $id, name: "Acme 2" }) { userErrors { code } } }',
        {"id": account_id},
    )
    changed = await client.get("/graphql", params={"query": ACCOUNTS}, headers={**auth(admin), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["data"]["accounts"]["nodes"] == [{"name": "Acme 2"}]
    assert changed.headers["etag"] != etag


async def test_another_user_sees_another_answer(client: httpx.AsyncClient, gql: Any, actors: Any) -> None:
    # given a private account of the admin's
    await gql('mutation { createAccount(input: { name: "Secret", isPrivate: true }) { userErrors { code } } }')
    admin, rep = actors[Role.ADMIN], actors[Role.SALES_REP]
    mine = await client.get("/graphql", params={"query": ACCOUNTS}, headers=auth(admin))
    # when another user revalidates with the admin's tag
    theirs = await client.get(
        "/graphql", params={"query": ACCOUNTS}, headers={**auth(rep), "If-None-Match": mine.headers["etag"]}
    )
    # then they get their own answer, not a 304 of the admin's
    assert theirs.status_code == 200
    assert theirs.json()["data"]["accounts"]["nodes"] == []
    assert theirs.headers["etag"] != mine.headers["etag"]


async def test_errors_posts_and_refusals_are_not_stored(client: httpx.AsyncClient, admin: Any) -> None:
    error = await client.get("/graphql", params={"query": "{ viewer { nope } }"}, headers=auth(admin))
    assert error.headers["cache-control"] == "no-store" and "etag" not in error.headers
    post = await client.post("/graphql", json={"query": ACCOUNTS}, headers=auth(admin))
    assert post.status_code == 200 and post.headers["cache-control"] == "no-store" and "etag" not in post.headers
    anonymous = await client.get("/graphql", params={"query": ACCOUNTS})
    assert anonymous.status_code == 401 and anonymous.headers["cache-control"] == "no-store"
    # a mutation over GET stays 405 and is not stored either
    mutation = await client.get("/graphql", params={"query": CREATE}, headers=auth(admin))
    assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"
    assert mutation.headers["cache-control"] == "no-store"


async def test_graphiql_page_is_left_alone(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "etag" not in page.headers and "cache-control" not in page.headers


async def test_max_age_setting(settings: Any, admin: Any) -> None:
    app = create_app(replace(settings, get_max_age=30), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        answer = await c.get("/graphql", params={"query": ACCOUNTS}, headers=auth(admin))
    assert answer.headers["cache-control"] == "private, max-age=30"
