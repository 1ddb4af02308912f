"""Instructions per request of the bench reads (callgrind), load-independent.

python -m bench.read_instr --database sqlite://bench/results/bench-sf1.sqlite3

Re-runs itself under ``valgrind --tool=callgrind --instr-atstart=no`` and drives the ASGI
app in-process with hand-built HTTP scopes (no HTTP client in the counts; SQLite runs in the
process and counts, PostgreSQL's backends do not, asyncpg's client side does). For each
operation (``Q0`` is ``{ __typename }``: the fixed cost of a request) it warms up, zeroes
callgrind's counters, sends ``--repeat`` requests, checks every answer, and dumps; the dump's
total divided by the requests is the figure. Switching instrumentation on and off and zeroing
and dumping go through callgrind's client requests (``callgrind.h``, a ten-line shared
library compiled with the system's C compiler into a temporary directory), so nothing
outside the requests is counted. ``--floor`` measures ``bench/floor_app.py`` the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import glob
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from typing import Any

import orjson

from bench import floor_app, generate, queries

TRIVIAL = queries.Operation("Q0 trivial", "query Trivial { __typename }", lambda i: {}, 1, lambda d: 1)

_C = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def _client_requests(workdir: str) -> Any:
    source = os.path.join(workdir, "cg.c")
    library = os.path.join(workdir, "cg.so")
    with open(source, "w") as f:
        f.write(_C)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", library, source], check=True)
    lib = ctypes.CDLL(library)
    lib.cg_dump.argtypes = [ctypes.c_char_p]
    return lib


class Driver:
    """Sends one HTTP request straight into an ASGI app and returns (status, body)."""

    def __init__(self, app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.path = path
        self.headers = headers

    async def post(self, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = orjson.dumps(payload)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [*self.headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def measure(url: str, repeat: int, only: list[str] | None, floor: bool, lib: Any) -> None:
    from crm_graphql import db
    from crm_graphql.app import create_app, startup
    from crm_graphql.cli import export_schema_text
    from crm_graphql.settings import Settings

    token = "instr-" + secrets.token_hex(8)
    await db.init(url)
    try:
        settings = Settings(database_url=url, admin_token=token)
        app = create_app(settings, manage_db=False)
        await startup(settings, connect=False)
        from crm_graphql import models

        sizes = generate.Sizes.of(await models.Account.all().count() / 1000)
        ops, _ = queries.operations(sizes, export_schema_text())
        headers = [
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
        ]
        graphql = Driver(app, "/graphql", headers)
        floor_server = floor_app.create_app(url)
        floor_driver = Driver(floor_server, "/", [(b"host", b"localhost"), (b"content-type", b"application/json")])
        async with floor_server.router.lifespan_context(floor_server):
            await _run(ops, graphql, floor_driver if floor else None, repeat, only, lib)
    finally:
        await db.close()


async def _run(
    ops: list[queries.Operation],
    graphql: Driver,
    floor_driver: Driver | None,
    repeat: int,
    only: list[str] | None,
    lib: Any,
) -> None:
    lib.cg_start()
    for op in [TRIVIAL, *ops]:
        if op.mutation or (only and op is not TRIVIAL and not any(op.name.startswith(o) for o in only)):
            continue
        n = repeat if not op.name.startswith("Q3") else max(2, repeat // 10)
        runs = [("server", graphql, lambda i, op=op: {"query": op.document, "variables": op.variables(i)})]
        if floor_driver is not None and op.floor is not None:
            runs.append(("floor", floor_driver, op.floor))
        for label, driver, payload in runs:

            async def send(i: int, driver: Driver = driver, payload: Any = payload, op: Any = op) -> None:
                status, body = await driver.post(payload(i))
                data = orjson.loads(body).get("data")
                assert status == 200 and data is not None, body[:300]
                assert op.count(data) == op.expected, body[:300]

            for i in range(3):
                await send(i)
            lib.cg_zero()
            for i in range(n):
                await send(i)
            lib.cg_dump(f"{op.name.split()[0]} {label} {n}".encode())
    lib.cg_stop()


def report(outdir: str) -> None:
    rows = []
    for path in sorted(glob.glob(os.path.join(outdir, "callgrind.out.*"))):
        trigger, total = None, None
        with open(path) as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    trigger = line.split("Client Request: ", 1)[1].strip()
                elif line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
        if trigger and total is not None:
            name, label, n = trigger.rsplit(" ", 2)
            rows.append((name, label, total / int(n)))
    servers = {(name, label): per for name, label, per in rows}
    for name in dict.fromkeys(name for name, _, _ in rows):
        line = f"{name:4} server {servers[(name, 'server')] / 1e6:8.3f} M instr/request"
        if (name, "floor") in servers:
            line += f"  floor {servers[(name, 'floor')] / 1e6:7.3f} M  share {servers[(name, 'floor')] / servers[(name, 'server')]:.2f}"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=20, help="Measured requests per operation (Q3: a tenth)")
    parser.add_argument("--only", help="Comma-separated operation prefixes (Q0 always runs)")
    parser.add_argument("--floor", action="store_true", help="Measure the floor app too")
    parser.add_argument("--keep", help="Directory for the callgrind dumps (default: a temporary one)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    if args.inner:
        lib = _client_requests(os.environ["READ_INSTR_DIR"])
        asyncio.run(measure(args.database, args.repeat, only, args.floor, lib))
        return
    if shutil.which("valgrind") is None or shutil.which("cc") is None:
        sys.exit("needs valgrind (with valgrind/callgrind.h) and a C compiler")
    outdir = args.keep or tempfile.mkdtemp(prefix="read_instr_")
    os.makedirs(outdir, exist_ok=True)
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={outdir}/callgrind.out.%p",
        sys.executable,
        "-m",
        "bench.read_instr",
        *sys.argv[1:],
        "--inner",
    ]
    env = {**os.environ, "READ_INSTR_DIR": outdir}
    subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)
    report(outdir)


if __name__ == "__main__":
    main()
