"""Graceful shutdown: SIGTERM lets the requests in flight finish, refuses new ones with a
JSON 503, closes WebSockets with 1001 (going away) and exits 0 within the bound."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from crm_graphql import db
from crm_graphql.lifecycle import Drain, GracefulShutdown

TEST_DATABASE_URL = os.environ.get("CRM_TEST_DATABASE_URL", "sqlite://:memory:")
BOUND = 15  # seconds: CRM_SHUTDOWN_TIMEOUT below, plus start-up of nothing


def _slow_request(url: str, token: str, name: str) -> tuple[socket.socket, bytes]:
    """A createAccount whose headers and first half of the body are sent: in flight."""
    body = json.dumps(
        {
            "query": "mutation($n: String!) { createAccount(input: {name: $n}) { account { name } userErrors { code } } }",
            "variables": {"n": name},
        }
    ).encode()
    host, port = urlsplit(url).hostname, urlsplit(url).port
    sock = socket.create_connection((host, port), timeout=30)
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body[: len(body) // 2])
    return sock, body[len(body) // 2 :]


def _read_response(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = [
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        ]
        if length and len(rest) >= length[0]:
            break
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(rest)


def _stored(database: str, name: str) -> int:
    if db.is_sqlite(database):
        with sqlite3.connect(database.removeprefix("sqlite://")) as conn:
            return int(conn.execute("SELECT count(*) FROM accounts WHERE name = ?", (name,)).fetchone()[0])

    async def count() -> int:
        import asyncpg

        conn = await asyncpg.connect(database.replace("postgres://", "postgresql://", 1))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM accounts WHERE name = $1", name))
        finally:
            await conn.close()

    return asyncio.run(count())


WORKERS = [1] if db.is_sqlite(TEST_DATABASE_URL) else [1, 2]


@pytest.mark.slow
@pytest.mark.parametrize("workers", WORKERS)
def test_sigterm_finishes_in_flight_refuses_new_and_exits_0(live_server: Any, tmp_path: Any, workers: int) -> None:
    database = f"sqlite://{tmp_path / 'crm.sqlite3'}" if db.is_sqlite(TEST_DATABASE_URL) else TEST_DATABASE_URL
    name = f"in-flight-{os.getpid()}-{workers}"
    with live_server(workers=workers, database=database, env={"CRM_SHUTDOWN_TIMEOUT": "10"}) as server:
        # given a request in flight (its body half sent)
        sock, rest = _slow_request(server.url, server.token, name)
        time.sleep(1)  # let the server read what was sent
        # when the server gets SIGTERM
        server.process.send_signal(signal.SIGTERM)
        server.log_lines("SIGTERM: refusing new requests", timeout=10)
        # then a new request is refused with a JSON 503
        refused = httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ viewer { id } }"},
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=30,
        )
        assert refused.status_code == 503
        assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert refused.headers["retry-after"] and refused.headers["connection"] == "close"
        # and the request in flight completes
        sock.sendall(rest)
        status, answer = _read_response(sock)
        sock.close()
        assert status == 200, answer
        assert answer["data"]["createAccount"] == {"account": {"name": name}, "userErrors": []}
        # and the process exits 0 within the bound
        assert server.process.wait(timeout=BOUND) == 0
        log = server.log_text()
    assert "Traceback" not in log
    assert _stored(database, name) == 1


async def test_drain_closes_websockets_going_away_and_refuses_new_ones() -> None:
    """The middleware knows no GraphQL: any WebSocket app is closed with 1001."""
    drain = Drain()
    seen: list[Any] = []

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            seen.append(message)
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": message.get("text")})

    app = GracefulShutdown(echo, drain)
    sent: list[Any] = []
    incoming: asyncio.Queue[Any] = asyncio.Queue()

    echoed = asyncio.Event()

    async def send(message: Any) -> None:
        sent.append(message)
        if message["type"] == "websocket.send":
            echoed.set()

    task = asyncio.create_task(app({"type": "websocket"}, incoming.get, send))
    await incoming.put({"type": "websocket.receive", "text": "hi"})
    await asyncio.wait_for(echoed.wait(), 5)
    assert len(drain.sockets) == 1
    handed_over = asyncio.Event()
    drain.draining = True
    await drain.run(handed_over.set, 5)
    await asyncio.wait_for(task, 5)
    assert sent[-1] == {"type": "websocket.close", "code": 1001, "reason": "server shutting down"}
    assert seen[-1] == {"type": "websocket.disconnect", "code": 1001}
    assert handed_over.is_set() and not drain.sockets
    # a socket opened while draining is closed at once
    late: list[Any] = []

    async def late_send(message: Any) -> None:
        late.append(message)

    await app({"type": "websocket"}, incoming.get, late_send)
    assert late == [{"type": "websocket.close", "code": 1001}]
