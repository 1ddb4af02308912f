"""CPU per request of the bench reads in-process, compiled read path against the reference
executor (the same app, ``crm_graphql.api.read.set_enabled``) and against the floor
(``bench/floor_app.py`` behind the same in-process client), after a ``bench.run`` (or
``bench.generate``) left data.

python -m bench.read_cpu --database sqlite://bench/results/bench-sf1.sqlite3 --repeat 100

Process CPU time (not wall time) per request, so a noisy shared machine disturbs it less:
the three servers run in turns, ``--rounds`` times, and each figure is the least CPU per
request of its rounds (contention only ever adds). With SQLite the database engine runs in the
process (its thread counts); with PostgreSQL it does not. ``share`` is floor CPU / compiled
CPU: the throughput share of the floor a CPU-bound single worker would reach. ``Q0`` is
``{ __typename }``: what every request costs before the read path (HTTP, auth, parse,
validate, limits, response); ``--no-floor``/``--no-reference`` skip a column. On a local PostgreSQL,
``+db`` is the CPU of the database's backends per request (from ``/proc``; 10 ms ticks, so
use enough requests), and ``with db`` the share counting it (in the bench PostgreSQL shares
the server's core). Figures are ms per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench import floor_app, generate, queries

TRIVIAL = queries.Operation("Q0 trivial", "query Trivial { __typename }", lambda i: {}, 1, lambda d: 1)


def _backends_cpu(database: str | None) -> dict[int, float]:
    """CPU seconds so far of each local PostgreSQL backend serving ``database`` (its process
    title reads ``postgres: ... <user> <database> <client> ...``); empty when not readable."""
    if database is None:
        return {}
    out: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read().decode(errors="replace")
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            out[int(entry)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        except OSError:
            continue
    return out


async def _cpu_ms(send: Callable[[int], Awaitable[None]], n: int, database: str | None) -> tuple[float, float]:
    """(process CPU ms, PostgreSQL backends' CPU ms) per request."""
    for i in range(2):  # warm-up
        await send(i)
    before = _backends_cpu(database)
    start = time.process_time()
    for i in range(n):
        await send(i)
    cpu = (time.process_time() - start) / n * 1000
    after = _backends_cpu(database)
    db_cpu = sum(v - before.get(pid, 0.0) for pid, v in after.items()) / n * 1000
    return cpu, db_cpu


async def main_async(url: str, repeat: int, rounds: int, only: list[str] | None, floor: bool, reference: bool) -> None:
    import httpx

    from crm_graphql import db
    from crm_graphql.api import read
    from crm_graphql.app import create_app, startup
    from crm_graphql.cli import export_schema_text
    from crm_graphql.settings import Settings

    token = "cpu-" + secrets.token_hex(8)
    pg_database = url.rsplit("/", 1)[-1].split("?")[0] if url.startswith(("postgres://", "postgresql://")) else None
    await db.init(url)
    floor_server = floor_app.create_app(url)
    try:
        settings = Settings(database_url=url, admin_token=token)
        app = create_app(settings, manage_db=False)
        await startup(settings, connect=False)
        from crm_graphql import models

        sizes = generate.Sizes.of(await models.Account.all().count() / 1000)
        ops, _ = queries.operations(sizes, export_schema_text())
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            floor_server.router.lifespan_context(floor_server),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as client,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=floor_server), base_url="http://f") as floor_client,
        ):
            for op in [TRIVIAL, *ops]:
                if op.mutation or (only and op is not TRIVIAL and not any(op.name.startswith(o) for o in only)):
                    continue
                n = repeat if not op.name.startswith("Q3") else max(3, repeat // 20)

                def graphql(compiled: bool, op: Any = op) -> Callable[[int], Awaitable[None]]:
                    async def post(i: int) -> None:
                        read.set_enabled(compiled)
                        body = {"query": op.document, "variables": op.variables(i)}
                        response = await client.post("/graphql", json=body, headers=headers)
                        assert op.count(response.json()["data"]) == op.expected, response.text[:300]

                    return post

                async def send_floor(i: int, op: Any = op) -> None:
                    response = await floor_client.post("/", json=op.floor(i))
                    assert op.count(response.json()["data"]) == op.expected, response.text[:300]

                runs: dict[str, Callable[[int], Awaitable[None]]] = {"compiled": graphql(True)}
                if reference:
                    runs["reference"] = graphql(False)
                if floor and op.floor is not None:
                    runs["floor"] = send_floor
                best: dict[str, tuple[float, float]] = {}
                for _ in range(rounds):
                    for name, send in runs.items():
                        ms = await _cpu_ms(send, n, pg_database)
                        best[name] = min(best.get(name, ms), ms)
                read.set_enabled(True)
                line = f"{op.name:22}"
                for name, (ms, db_ms) in best.items():
                    line += f"  {name} {ms:7.3f}" + (f" +db {db_ms:6.3f}" if pg_database else "")
                if "floor" in best:
                    share = best["floor"][0] / best["compiled"][0]
                    line += f"  share {share:.2f}"
                    if pg_database:
                        line += f" (with db {sum(best['floor']) / sum(best['compiled']):.2f})"
                print(line, flush=True)
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=100, help="Requests per round (Q3: a twentieth)")
    parser.add_argument("--rounds", type=int, default=3, help="Turns of each server; the least CPU is kept")
    parser.add_argument("--only", help="Comma-separated operation prefixes")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    asyncio.run(main_async(args.database, args.repeat, args.rounds, only, not args.no_floor, not args.no_reference))


if __name__ == "__main__":
    main()
