"""HTTP basics: POST and GET with a token, 401 without one, health probes, GraphiQL page."""

from __future__ import annotations

from typing import Any

import httpx

QUERY = "{ viewer { email role } }"


async def test_post_and_get_with_token(client: httpx.AsyncClient, admin: Any) -> None:
    auth = {"Authorization": f"Bearer {admin.token}"}
    post = await client.post("/graphql", json={"query": QUERY}, headers=auth)
    assert post.status_code == 200
    assert post.json()["data"] == {"viewer": {"email": "admin@example.com", "role": "ADMIN"}}
    assert "errors" not in post.json()
    get = await client.get("/graphql", params={"query": QUERY}, headers={**auth, "Accept": "application/json"})
    assert get.status_code == 200
    assert get.json()["data"] == post.json()["data"]


async def test_no_token_is_401(client: httpx.AsyncClient, admin: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {admin.token}"}):
        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
        assert response.status_code == 401, headers
        body = response.json()
        assert "data" not in body or body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    # introspection needs a token too
    response = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 401


async def test_revoked_or_inactive_token_is_401(client: httpx.AsyncClient, actors: Any) -> None:
    from crm_graphql.enums import Role
    from crm_graphql.models import User
    from crm_graphql.services import users

    rep = actors[Role.SALES_REP]
    await User.filter(id=rep.user.id).update(is_active=False)
    response = await client.post("/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {rep.token}"})
    assert response.status_code == 401
    ro = actors[Role.READ_ONLY]
    assert await users.revoke_token(ro.token)
    response = await client.post("/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {ro.token}"})
    assert response.status_code == 401


async def test_health_probes(client: httpx.AsyncClient) -> None:
    healthz = await client.get("/healthz")
    assert healthz.status_code == 200 and healthz.json() == {"status": "ok"}
    readyz = await client.get("/readyz")
    assert readyz.status_code == 200 and readyz.json() == {"status": "ok"}


async def test_graphiql_page_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert "unpkg.com" not in response.text
