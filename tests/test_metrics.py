"""/metrics: Prometheus text, who may read it, and what the GraphQL requests add to it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from factories import TEST_DATABASE_URL
from prometheus_client.parser import text_string_to_metric_families

from crm_graphql import db
from crm_graphql.api.transport import metrics
from crm_graphql.app import create_app
from crm_graphql.enums import Role


def auth(actor: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"}


async def scrape(client: httpx.AsyncClient, actor: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics", headers=auth(actor))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_need_a_token_or_an_allowed_address(settings: Any, actors: Any) -> None:
    outside = create_app(replace(settings, metrics_allow=("10.0.0.0/8",)), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=outside), base_url="http://testserver") as c:
        # no token, or a bad one, from an address not listed: 401
        assert (await c.get("/metrics")).status_code == 401
        assert (await c.get("/metrics", headers={"Authorization": "Bearer nope"})).status_code == 401
        # any internal user's token: the metrics
        for role in (Role.READ_ONLY, Role.ADMIN):
            answer = await c.get("/metrics", headers=auth(actors[role]))
            assert answer.status_code == 200 and "crm_graphql_requests_total" in answer.text
    # the test client's address (127.0.0.1) configured for scraping: no token needed
    inside = create_app(replace(settings, metrics_allow=("127.0.0.0/8", "::1")), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=inside), base_url="http://testserver") as c:
        answer = await c.get("/metrics")
        assert answer.status_code == 200 and "crm_graphql_open_subscriptions" in answer.text


def test_a_bad_scrape_address_stops_the_start(settings: Any) -> None:
    with pytest.raises(ValueError, match="CRM_METRICS_ALLOW"):
        create_app(replace(settings, metrics_allow=("intranet",)), manage_db=False)


async def test_requests_count_by_operation_and_outcome(client: httpx.AsyncClient, admin: Any) -> None:
    before = await scrape(client, admin)
    # given one request of each outcome
    ok = "query MetricsOk { viewer { email } }"
    await client.post("/graphql", json={"query": ok}, headers=auth(admin))
    await client.post("/graphql", json={"query": "query MetricsBad { viewer { nope } }"}, headers=auth(admin))
    await client.post(
        "/graphql",
        json={"query": 'mutation MetricsRefused { createAccount(input: { name: "" }) { userErrors { code } } }'},
        headers=auth(admin),
    )
    await client.post("/graphql", json={"query": ok})
    await client.post("/graphql", content=b"{", headers={**auth(admin), "Content-Type": "application/json"})
    after = await scrape(client, admin)
    # then each lands under its operation and outcome
    total = "crm_graphql_requests_total"
    outcomes = [
        ("MetricsOk", "ok"),
        ("MetricsBad", "invalid"),
        ("MetricsRefused", "user_error"),
        ("none", "unauthenticated"),
        ("none", "rejected"),
    ]
    grown = {(op, out): value(after, total, operation=op, outcome=out) for op, out in outcomes}
    grown = {key: n - value(before, total, operation=key[0], outcome=key[1]) for key, n in grown.items()}
    assert grown == dict.fromkeys(outcomes, 1)
    # and the latency histogram counted the operation once
    count = "crm_graphql_request_duration_seconds_count"
    assert value(after, count, operation="MetricsOk") - value(before, count, operation="MetricsOk") == 1


async def test_sql_statements_per_request(client: httpx.AsyncClient, gql: Any, admin: Any) -> None:
    # given three accounts and a query that reads them and their contacts
    for name in ("A", "B", "C"):
        await gql(f'mutation {{ createAccount(input: {{ name: "{name}" }}) {{ userErrors {{ code }} }} }}')
    query = "query MetricsSql { accounts(first: 10) { totalCount nodes { name contacts { totalCount } } } }"
    await client.post("/graphql", json={"query": query}, headers=auth(admin))  # warm
    before = await scrape(client, admin)
    # when it runs, counted independently by the test's own statement counter
    with db.count_statements() as counter:
        answer = await client.post("/graphql", json={"query": query}, headers=auth(admin))
    after = await scrape(client, admin)
    assert answer.json()["data"]["accounts"]["totalCount"] == 3
    # then the histogram saw exactly that many statements for this operation, the token
    # lookup of authentication included (one a request: no token cache)
    total = "crm_graphql_sql_statements_sum"
    assert counter.count > 0 and counter.auth == 1
    seen = value(after, total, operation="MetricsSql") - value(before, total, operation="MetricsSql")
    assert seen == counter.count + counter.auth


async def test_open_subscriptions_gauge(client: httpx.AsyncClient, admin: Any) -> None:
    before = value(await scrape(client, admin), "crm_graphql_open_subscriptions")
    with metrics.open_subscription(), metrics.open_subscription():
        during = value(await scrape(client, admin), "crm_graphql_open_subscriptions")
    after = value(await scrape(client, admin), "crm_graphql_open_subscriptions")
    assert (during - before, after - before) == (2, 0)


async def test_persisted_query_counters(client: httpx.AsyncClient, admin: Any) -> None:
    import hashlib

    query = "query MetricsApq { viewer { id } }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    before = await scrape(client, admin)
    await client.post("/graphql", json={"extensions": extensions}, headers=auth(admin))
    await client.post("/graphql", json={"query": query, "extensions": extensions}, headers=auth(admin))
    await client.post("/graphql", json={"extensions": extensions}, headers=auth(admin))
    after = await scrape(client, admin)
    name = "crm_graphql_persisted_queries_total"
    assert [value(after, name, result=r) - value(before, name, result=r) for r in ("miss", "registered", "hit")] == [
        1,
        1,
        1,
    ]
    outcome = "crm_graphql_requests_total"
    assert (
        value(after, outcome, operation="none", outcome="persisted_query_miss")
        - value(before, outcome, operation="none", outcome="persisted_query_miss")
        == 1
    )


def test_operation_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_operation_labels", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 2)
    names = ["One", "Two", "Three", "One", None, "x" * 200]
    assert [metrics.operation_label(n) for n in names] == ["One", "Two", "other", "One", "anonymous", "other"]


@pytest.mark.postgres(reason="two workers share one database")
@pytest.mark.slow
def test_metrics_add_up_across_two_workers(live_server: Any) -> None:
    import json

    # given `serve --workers 2` on PostgreSQL
    with live_server(workers=2, database=TEST_DATABASE_URL) as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        # when requests (a new connection each) go on until both workers have answered some
        sent, workers = 0, set()
        while len(workers) < 2 and sent < 400:
            answer = httpx.post(
                f"{server.url}/graphql",
                json={"query": "query TwoWorkers { viewer { id } }"},
                headers=headers,
                timeout=30,
            )
            assert answer.status_code == 200
            sent += 1
            request_id = answer.headers["x-request-id"]
            workers.add(json.loads(server.log_lines(request_id)[0])["pid"])
        assert len(workers) == 2
        # then every scrape, whichever worker answers it, counts all of them
        for _ in range(6):
            text = httpx.get(f"{server.url}/metrics", headers=headers, timeout=30).text
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
            }
            assert value(samples, "crm_graphql_requests_total", operation="TwoWorkers", outcome="ok") == sent
