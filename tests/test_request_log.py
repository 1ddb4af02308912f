"""One structured log line per request, under the request id the client sees."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "crm_graphql.requests"]


async def test_one_line_per_request(client: httpx.AsyncClient, admin: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="crm_graphql.requests")
    auth = {"Authorization": f"Bearer {admin.token}"}
    # when three requests arrive: a query, one without a token, a health probe
    query = await client.post("/graphql", json={"query": "query Mine { viewer { email } }"}, headers=auth)
    refused = await client.post("/graphql", json={"query": "{ viewer { email } }"})
    probe = await client.get("/healthz")
    # then there is one line each, under the id each response carries
    lines = request_lines(caplog)
    assert [line["request_id"] for line in lines] == [r.headers["x-request-id"] for r in (query, refused, probe)]
    first, second, third = lines
    assert first["operation"] == "Mine" and first["outcome"] == "ok" and first["user_id"] == admin.user.id
    assert first["path"] == "/graphql" and first["method"] == "POST" and first["status"] == 200
    assert second["status"] == 401 and second["outcome"] == "unauthenticated" and "user_id" not in second
    assert third["path"] == "/healthz" and "outcome" not in third
    assert all(isinstance(line["sql_statements"], int) and line["duration_ms"] >= 0 for line in lines)


async def test_an_incoming_request_id_is_kept_when_sane(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crm_graphql.requests")
    kept = await client.get("/healthz", headers={"X-Request-Id": "lb-4f2a-9c1d-0001"})
    replaced = await client.get("/healthz", headers={"X-Request-Id": 'evil id with spaces; "quote"'})
    assert kept.headers["x-request-id"] == "lb-4f2a-9c1d-0001"
    assert (
        replaced.headers["x-request-id"] != 'evil id with spaces; "quote"'
        and len(replaced.headers["x-request-id"]) == 32
    )
    assert [line["request_id"] for line in request_lines(caplog)] == [
        "lb-4f2a-9c1d-0001",
        replaced.headers["x-request-id"],
    ]


async def test_masked_error_uses_the_request_id(
    client: httpx.AsyncClient, admin: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from crm_graphql.api import queries, read

    async def boom(*args: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "load_node", boom)
    monkeypatch.setattr(read, "_enabled", False)  # the compiled read path does not call load_node
    caplog.set_level(logging.INFO)
    # when a resolver fails unexpectedly
    answer = await client.post(
        "/graphql",
        json={"query": '{ node(id: "QWNjb3VudDox") { id } }'},
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    # then the client's requestId, the response header, the error log and the request line agree
    request_id = answer.headers["x-request-id"]
    assert answer.json()["errors"][0]["extensions"]["requestId"] == request_id
    assert "data" in answer.json()  # execution started: data stays (null)
    errors = [r for r in caplog.records if r.name == "crm_graphql.errors"]
    assert len(errors) == 1 and request_id in errors[0].getMessage() and "disk on fire" in errors[0].getMessage()
    line = next(line for line in request_lines(caplog) if line["request_id"] == request_id)
    assert line["outcome"] == "error"


async def test_the_log_never_holds_the_query_text(
    client: httpx.AsyncClient, admin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = {"Authorization": f"Bearer {admin.token}"}
    # when a client sends mistakes with a secret in the document: a validation error, a refused
    # filter value, a domain refusal (an unknown currency)
    secret = "R2HIDDENXYZ"
    documents = [
        f'query A {{ accounts(filter: {{name: {{eq: "{secret}"}}}}) {{ nodes {{ nonsense }} }} }}',
        f'query B {{ accounts(filter: {{name: {{eq: "{secret}{"x" * 300}"}}}}) {{ totalCount }} }}',
        f'query C {{ pipelineSummary(groupBy: STAGE, currency: "{secret[:3]}") {{ label }} }} # {secret}',
    ]
    for document in documents:
        response = await client.post("/graphql", json={"query": document}, headers=auth)
        assert response.status_code in (200, 400) and response.json()["errors"], response.text
    # then no log record, message or traceback, shows the document or its literals
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert secret not in logged
    assert "GraphQL request" not in logged
