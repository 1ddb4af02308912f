"""Subscription latency from COMMIT to client, and what open sockets cost the database at rest.

    python -m bench.subscriptions --database postgres://postgres@127.0.0.1:5432/bench
    python -m bench.subscriptions --sockets 100 --users 100 --events 200   # every socket its own user

What one run does (PostgreSQL only; the database's public schema is dropped first, never point
it at a database you need):

1. starts ``crm-graphql serve --workers 2`` on ``--port`` and creates ``--users`` users (ADMIN,
   then SALES_REP) with ``crm-graphql user create``;
2. opens ``--sockets`` WebSockets (graphql-transport-ws), socket i as user i mod users, each
   subscribed to ``timelineEvent { id kind subjectType createdAt subject { id } }``, and waits
   until ``/metrics`` counts them all as listening;
3. commits ``--events`` timeline events about a public account, one every ``--interval`` s, each
   in its own transaction on a separate asyncpg connection: latency is from just before
   ``COMMIT`` is sent to the moment a socket has the event's message (one sample per event and
   socket; p50, p99, max over all samples);
4. at rest (sockets open, nothing happening): waits ``--settle`` s (PostgreSQL flushes an idle
   backend's statistics up to ~10 s late), then counts transactions in ``pg_stat_database``
   (commits + rollbacks) over ``--rest`` s, minus the bench's own statistics reads; the
   ``pg_stat_statements`` calls over the same window when that extension is installed; and,
   exactly and without lag, how many of the server's connections (pool and LISTEN) started
   a statement during the window (``pg_stat_activity.query_start``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
import websockets

QUERY = "subscription Bench { timelineEvent { id kind subjectType createdAt subject { id } } }"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _user(database: str, i: int) -> str:
    role = "ADMIN" if i == 0 else "SALES_REP"
    command = [sys.executable, "-m", "crm_graphql", "user", "create", "--database", database,
               "--email", f"bench{i}-{secrets.token_hex(4)}@example.com", "--name", f"Bench {i}", "--role", role]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]


async def _open_count(base: str, token: str) -> int:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"})).text
    match = re.search(r"^crm_graphql_open_subscriptions(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


async def _socket(url: str, token: str, arrivals: dict[str, list[float]], ready: asyncio.Event) -> Any:
    socket = await websockets.connect(url, subprotocols=["graphql-transport-ws"], max_queue=None)
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))

    async def read() -> None:
        async for message in socket:
            now = time.perf_counter()
            data = json.loads(message)
            if data.get("type") == "next":
                arrivals.setdefault(data["payload"]["data"]["timelineEvent"]["id"], []).append(now)

    return socket, asyncio.create_task(read())


async def _xacts(conn: Any, name: str) -> int:
    """Transactions of the database so far (this read is one transaction itself)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        row = await conn.fetchrow(
            "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1", name
        )
    return int(row["n"])


async def _statement_calls(conn: Any) -> int | None:
    if not await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"):
        return None
    return int(await conn.fetchval("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                                   "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"))  # fmt: skip


def _start_server(args: argparse.Namespace, admin_token: str) -> tuple[subprocess.Popen[bytes], Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "PROMETHEUS_MULTIPROC"))}
    env["CRM_ADMIN_TOKEN"] = admin_token
    command = [sys.executable, "-m", "crm_graphql", "serve", "--port", str(args.port), "--database", args.database,
               "--workers", str(args.workers)]  # fmt: skip
    log = open(args.log, "wb")  # noqa: SIM115 - closed by main()
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    time.sleep(2)  # every worker up
    return server, log


async def run(args: argparse.Namespace, tokens: list[str]) -> dict[str, Any]:
    import asyncpg

    base = f"http://127.0.0.1:{args.port}"
    admin_token = tokens[0]
    sockets: list[Any] = []
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{base}/graphql",
                json={"query": 'mutation { createAccount(input: {name: "Bench"}) { account { id } } }'},
                headers={"Authorization": f"Bearer {admin_token}"},
            )
        account_pk = int(base64.b64decode(answer.json()["data"]["createAccount"]["account"]["id"]).split(b":")[1])
        arrivals: dict[str, list[float]] = {}
        ready = asyncio.Event()
        url = f"ws://127.0.0.1:{args.port}/graphql"
        for i in range(args.sockets):
            sockets.append(await _socket(url, tokens[i % len(tokens)], arrivals, ready))
        for _ in range(600):
            if await _open_count(base, admin_token) >= args.sockets:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the server never counted every socket as listening")

        writer = await asyncpg.connect(args.database)
        committed: dict[str, float] = {}
        for n in range(args.events):
            async with writer.transaction() as _:
                pk = await writer.fetchval(
                    "INSERT INTO timeline_events (subject_type, subject_id, kind, data, created_at, updated_at, version)"
                    " VALUES ('Account', $1, 'UPDATED', '{}', now(), now(), 1) RETURNING id",
                    account_pk,
                )
                gid = base64.b64encode(f"TimelineEvent:{pk}".encode()).decode()
                committed[gid] = time.perf_counter()  # COMMIT is sent when the block ends
            await asyncio.sleep(args.interval)
            if n % 50 == 49:
                print(f"  {n + 1} events committed", file=sys.stderr)
        await asyncio.sleep(2)
        await writer.close()
        samples = [(t - committed[gid]) * 1000 for gid, times in arrivals.items() if gid in committed for t in times]
        missing = args.events * args.sockets - len(samples)

        stats = await asyncpg.connect(args.database)
        name = await stats.fetchval("SELECT current_database()")
        await asyncio.sleep(args.settle)
        x0, s0 = await _xacts(stats, name), await _statement_calls(stats)
        window_start = await stats.fetchval("SELECT clock_timestamp()")
        await asyncio.sleep(args.rest)
        x1, s1 = await _xacts(stats, name), await _statement_calls(stats)
        # exact, no statistics lag: server connections (pool and LISTEN) that ran any statement in the window
        busy = await stats.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND query_start > $2",
            name, window_start,
        )  # fmt: skip
        connections = await stats.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name
        )
        await stats.close()
        own_reads = 2 if s0 is not None else 1  # the bench's own first read(s), flushed inside the window
        result = {
            "sockets": args.sockets,
            "users": args.users,
            "workers": args.workers,
            "events": args.events,
            "interval_s": args.interval,
            "samples": len(samples),
            "missing": missing,
            "latency_ms": {
                "p50": round(_percentile(samples, 0.5), 1),
                "p99": round(_percentile(samples, 0.99), 1),
                "max": round(max(samples), 1),
                "mean": round(statistics.fmean(samples), 1),
            },
            "at_rest": {
                "seconds": args.rest,
                "server_connections": connections,
                "server_connections_with_a_statement_in_window": busy,
                "transactions_raw": x1 - x0,
                "transactions": max(0, x1 - x0 - own_reads),
                "transactions_per_s": round(max(0, x1 - x0 - own_reads) / args.rest, 3),
                "pg_stat_statements_calls": None if s0 is None or s1 is None else max(0, s1 - s0 - own_reads),
            },
        }
        return result
    finally:
        for socket, task in sockets:
            task.cancel()
            await socket.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--port", type=int, default=18250)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument(
        "--users",
        type=int,
        default=10,
        help="distinct users the sockets belong to (at most 10 sockets per user and worker)",
    )
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between commits")
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--rest", type=float, default=20.0)
    parser.add_argument("--log", default="/tmp/crm-bench-subscriptions.log")
    args = parser.parse_args()
    if not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("PostgreSQL only: several workers need it")
    asyncio.run(_reset(args.database))
    admin_token = "bench_" + secrets.token_urlsafe(24)
    server, log = _start_server(args, admin_token)
    try:
        tokens = [admin_token] + [_user(args.database, i) for i in range(1, args.users)]
        result = asyncio.run(run(args, tokens))
        result["load_average"] = os.getloadavg()
        print(json.dumps(result, indent=2))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


if __name__ == "__main__":
    main()
