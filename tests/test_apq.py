"""Automatic persisted queries (Apollo's protocol) over POST and GET."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from crm_graphql import models as m
from crm_graphql.api.transport.apq import PersistedQueryStore
from crm_graphql.app import create_app

QUERY = "query Me { viewer { email role } }"
MUTATION = 'mutation Make { createAccount(input: { name: "APQ" }) { account { id } userErrors { code } } }'


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(text)}}


def auth(actor: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"}


async def test_unknown_hash_then_register_then_hash_alone(client: httpx.AsyncClient, admin: Any) -> None:
    # given a hash the server has never seen
    miss = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth(admin))
    # then it answers PERSISTED_QUERY_NOT_FOUND (200, no data, not cacheable) and stores nothing
    assert miss.status_code == 200
    assert miss.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert miss.headers["cache-control"] == "no-store"
    assert await m.PersistedQuery.all().count() == 0
    # when the client sends the hash with the query
    registered = await client.post(
        "/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth(admin)
    )
    assert registered.json()["data"] == {"viewer": {"email": "admin@example.com", "role": "ADMIN"}}
    assert await m.PersistedQuery.filter(hash=sha(QUERY)).values_list("query", flat=True) == [QUERY]
    # then the hash alone runs it, over POST and over GET
    post = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth(admin))
    get = await client.get("/graphql", params={"extensions": json.dumps(persisted(QUERY))}, headers=auth(admin))
    assert post.json()["data"] == get.json()["data"] == registered.json()["data"]
    assert get.status_code == 200 and get.headers["etag"]


async def test_a_query_registered_through_one_worker_runs_on_another(
    client: httpx.AsyncClient, settings: Any, admin: Any
) -> None:
    # given a query registered through this app
    await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth(admin))
    # when another app (another worker: its own in-memory store) gets the hash alone
    other = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://testserver") as c:
        answer = await c.post("/graphql", json={"extensions": persisted(QUERY)}, headers=auth(admin))
    # then it finds it in the shared table
    assert answer.json()["data"]["viewer"]["email"] == "admin@example.com"


async def test_hash_that_does_not_match_the_query_is_refused(client: httpx.AsyncClient, admin: Any) -> None:
    # when the hash is of another document
    other = "{ viewer { id } }"
    answer = await client.post("/graphql", json={"query": QUERY, "extensions": persisted(other)}, headers=auth(admin))
    # then 400, nothing ran, nothing was registered under either hash
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [{"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}]
    }
    assert await m.PersistedQuery.all().count() == 0


async def test_bad_version_or_hash_is_refused(client: httpx.AsyncClient, admin: Any) -> None:
    bad = [
        persisted(QUERY, version=2),
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "yes"},
    ]
    for extensions in bad:
        answer = await client.post("/graphql", json={"query": QUERY, "extensions": extensions}, headers=auth(admin))
        assert answer.status_code == 400, extensions
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert "data" not in answer.json()
    assert await m.PersistedQuery.all().count() == 0


async def test_an_invalid_document_is_not_registered(client: httpx.AsyncClient, admin: Any) -> None:
    # given a document that parses but does not validate, with its correct hash
    invalid = "{ viewer { noSuchField } }"
    answer = await client.post(
        "/graphql", json={"query": invalid, "extensions": persisted(invalid)}, headers=auth(admin)
    )
    assert answer.json()["errors"][0]["message"].startswith("Cannot query field")
    # then its hash alone is still unknown
    again = await client.post("/graphql", json={"extensions": persisted(invalid)}, headers=auth(admin))
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert await m.PersistedQuery.all().count() == 0


async def test_persisted_mutation_over_get_is_405(client: httpx.AsyncClient, admin: Any) -> None:
    # given a mutation registered over POST
    first = await client.post(
        "/graphql", json={"query": MUTATION, "extensions": persisted(MUTATION)}, headers=auth(admin)
    )
    assert first.json()["data"]["createAccount"]["userErrors"] == []
    # when its hash comes over GET
    answer = await client.get("/graphql", params={"extensions": json.dumps(persisted(MUTATION))}, headers=auth(admin))
    # then 405, and the mutation did not run again
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert await m.Account.filter(name="APQ").count() == 1


async def test_hash_alone_needs_a_token_and_never_serves_graphiql(client: httpx.AsyncClient, admin: Any) -> None:
    await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)}, headers=auth(admin))
    params = {"extensions": json.dumps(persisted(QUERY))}
    # without a token: 401, even from a browser
    for accept in ("text/html", "*/*", "application/json"):
        answer = await client.get("/graphql", params=params, headers={"Accept": accept})
        assert answer.status_code == 401, accept
    # with a token and a browser's Accept: the answer, not the GraphiQL page
    answer = await client.get("/graphql", params=params, headers={**auth(admin), "Accept": "text/html,*/*"})
    assert answer.status_code == 200
    assert answer.json()["data"]["viewer"]["role"] == "ADMIN"


async def test_store_is_bounded(database: str) -> None:
    # given a store for two documents of at most 40 characters in memory
    store = PersistedQueryStore(memory_entries=2, memory_bytes=40)
    queries = ["{ a }", "{ b }", "{ c }", "{ " + "d" * 40 + " }"]
    for text in queries:
        await store.put(sha(text), text)
    # then memory keeps the two most recent that fit, the table all of them
    assert [sha(q) in store for q in queries] == [False, True, True, False]
    assert await m.PersistedQuery.all().count() == 4
    # and pruning keeps the newest rows only
    await store.prune(keep=2)
    kept = set(await m.PersistedQuery.all().values_list("query", flat=True))
    assert kept == {"{ c }", queries[3]}
    # a document evicted from memory is read back from the table
    assert await PersistedQueryStore().get(sha("{ c }")) == "{ c }"
    assert await PersistedQueryStore().get(sha("{ a }")) is None
