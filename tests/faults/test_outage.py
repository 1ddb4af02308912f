"""A PostgreSQL outage under load, through a TCP proxy between `serve --workers 2` and the
database (bench.tcp_proxy): every answer is a success or a JSON 503 SERVICE_UNAVAILABLE, no
connection closes without one, the first request after the heal succeeds, and every
acknowledged write is stored exactly once."""

from __future__ import annotations

import asyncio
import collections
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from factories import TEST_DATABASE_URL

from bench.outage import run_load, stored_names, through
from bench.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres(reason="a database outage through a TCP proxy"), pytest.mark.slow]


def _target() -> tuple[str, int]:
    parts = urlsplit(TEST_DATABASE_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def _log_records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"time"')]


def test_outage_under_load_answers_503_and_heals(live_server: Any) -> None:
    with (
        TcpProxy(_target()) as proxy,
        live_server(workers=2, database=through(TEST_DATABASE_URL, proxy.port)) as server,
    ):
        prefix = "outage-" + secrets.token_hex(4)
        # when 3 clients create accounts and 2 read in a loop while the database is cut off for 3 s
        out = asyncio.run(
            run_load(server.url, server.token, proxy, writers=3, readers=2, before=2, cut_for=3, after=3, prefix=prefix)
        )
        stored = asyncio.run(stored_names(TEST_DATABASE_URL, prefix))
        log = server.log_text()

    # then every answer was a success or a JSON 503 SERVICE_UNAVAILABLE with Retry-After
    # (no plain-text 500, no masked INTERNAL_SERVER_ERROR, no connection closed without an answer)
    assert set(out.kinds) <= {"ok", "unavailable_503"}, (out.kinds, out.bad_examples)
    assert out.kinds["unavailable_503"] > 0 and out.kinds["ok"] > 0, out.kinds
    # and /readyz said 503 during the outage
    assert set(out.readyz) == {"503"}, out.readyz
    # and each client's first request after the heal succeeded
    assert set(out.first_after_heal_by_client().values()) == {"ok"}, out.first_after_heal_by_client()
    # and every acknowledged create is stored, none twice
    acknowledged = collections.Counter(out.acknowledged)
    assert acknowledged and max(acknowledged.values()) == 1
    assert {name: stored[name] for name in acknowledged} == dict.fromkeys(acknowledged, 1)
    assert max(stored.values()) == 1
    # and the log holds no traceback, and one line per 503 with its request id and the fault
    assert "Traceback" not in log
    records = collections.defaultdict(list)
    for record in _log_records(log):
        records[record["request_id"]].append(record)
    for request_id in out.unavailable_ids:
        (record,) = records[request_id]
        assert record["status"] == 503 and record["outcome"] == "unavailable" and record["error"]


def test_connections_dead_without_notice_are_replaced(live_server: Any) -> None:
    """A connection whose database side vanished without the client hearing of it (a lost FIN,
    a failover behind a load balancer) fails on its next use: reads are retried once on a
    fresh connection, so the next requests still succeed."""
    query = {"query": "{ accounts(first: 3) { totalCount nodes { id } } }"}
    with (
        TcpProxy(_target()) as proxy,
        live_server(workers=1, database=through(TEST_DATABASE_URL, proxy.port)) as server,
    ):
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            assert http.post("/graphql", json=query).status_code == 200
            before = proxy.connections
            # when every pooled connection loses its database side silently
            proxy.stale()
            # then the next reads succeed, on new connections
            for _ in range(3):
                answer = http.post("/graphql", json=query)
                assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
            assert proxy.connections > before
            assert "Traceback" not in server.log_text()
