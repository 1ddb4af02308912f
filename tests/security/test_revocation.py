"""A revoked token stops working on the next request, on every worker (no token cache)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from factories import TEST_DATABASE_URL

QUERY = {"query": "query Revocation { viewer { email } }"}


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "crm_graphql", *args, "--database", TEST_DATABASE_URL],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def worker_of(server: Any, answer: httpx.Response) -> int:
    return int(json.loads(server.log_lines(answer.headers["x-request-id"])[0])["pid"])


@pytest.mark.postgres(reason="two workers share one database")
@pytest.mark.slow
def test_revoked_token_is_refused_at_once_by_every_worker(live_server: Any) -> None:
    # given `serve --workers 2` on PostgreSQL and a rep's token that both workers have accepted
    with live_server(workers=2, database=TEST_DATABASE_URL) as server:
        token = cli("user", "create", "--email", "revoked-rep@example.com", "--name", "Rep", "--role", "SALES_REP")
        headers = {"Authorization": f"Bearer {token}"}
        workers: set[int] = set()
        for _ in range(400):
            answer = httpx.post(f"{server.url}/graphql", json=QUERY, headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["viewer"]["email"] == "revoked-rep@example.com"
            workers.add(worker_of(server, answer))
            if len(workers) == 2:
                break
        assert len(workers) == 2
        # when the token is revoked from the command line
        assert cli("user", "revoke-token", token) == "Token revoked."
        # then every following request, whichever worker answers it, is UNAUTHENTICATED
        refused_by: set[int] = set()
        for sent in range(400):
            answer = httpx.post(f"{server.url}/graphql", json=QUERY, headers=headers, timeout=30)
            assert answer.status_code == 401, answer.text
            assert [e["extensions"]["code"] for e in answer.json()["errors"]] == ["UNAUTHENTICATED"]
            refused_by.add(worker_of(server, answer))
            if len(refused_by) == 2 and sent >= 20:
                break
        assert refused_by == workers
        # and the admin token of the same server still works
        answer = httpx.post(
            f"{server.url}/graphql", json=QUERY, headers={"Authorization": f"Bearer {server.token}"}, timeout=30
        )
        assert answer.status_code == 200
