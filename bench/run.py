"""One command: generate SF data, measure statements in-process, load the server and the floor.

    python -m bench.run --scale 1 --db sqlite     # or --db postgres
    python -m bench.run --scale 1 --db postgres --workers-check   # + mixed read/write, 2 workers vs 1

The server (``crm-graphql serve``) and the floor (bench/floor_app.py) run pinned to CPU 0
(``taskset -c 0``), the load driver pins itself to CPU 1. Results land in bench/results/
(report.md, latency.png, <db>.json) and the report is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from bench import generate, queries
from bench.queries import Operation

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench"


# --------------------------------------------------------------------------- HTTP client
class Connection:
    """A keep-alive HTTP/1.1 connection: enough of a client to not be the bottleneck."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in hdrs:
            payload = await self.reader.readexactly(int(hdrs["content-length"]))
        else:  # chunked
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            payload = b"".join(c[:-2] for c in chunks)
        if hdrs.get("connection", "").lower() == "close":
            await self.close()
        return status, hdrs, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@dataclass
class Measurement:
    db: str
    target: str
    op: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    statements: int | None
    peak_rss_mb: float | None
    note: str = ""


class Target:
    """Something to load: the GraphQL server or the floor."""

    def __init__(self, name: str, port: int, path: str, token: str | None) -> None:
        self.name, self.port, self.path = name, port, path
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def body(self, op: Operation, i: int) -> bytes:
        if self.name == "floor":
            assert op.floor is not None
            return orjson.dumps(op.floor(i))
        return orjson.dumps({"query": op.document, "variables": op.variables(i), "operationName": None})

    def check(self, op: Operation, status: int, payload: bytes) -> bool:
        if status != 200:
            return False
        body = orjson.loads(payload)
        if body.get("errors") or body.get("data") is None:
            return False
        try:
            return op.count(body["data"]) == op.expected
        except (KeyError, TypeError):
            return False


async def drive(target: Target, op: Operation, concurrency: int, warmup: float, duration: float,
                start_index: int = 0) -> tuple[int, int, float, list[float], str, int]:  # fmt: skip
    """Fixed concurrency, warm-up then a fixed measured window.

    Returns ok, errors, seconds, latencies (of the window), the first error, and every ok answer
    (warm-up and requests in flight at the end included: what a write count must match).
    """
    counter = [start_index]
    latencies: list[float] = []
    errors = [0]
    completed_ok = [0]  # including warm-up and requests still in flight at the end
    first_error = [""]
    phase = {"measure": False, "stop": False}

    async def worker() -> None:
        conn = Connection("127.0.0.1", target.port)
        try:
            while not phase["stop"]:
                i = counter[0]
                counter[0] += 1
                body = target.body(op, i)
                t0 = time.perf_counter()
                try:
                    status, _, payload = await conn.post(target.path, body, target.headers)
                    ok = target.check(op, status, payload)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await conn.close()
                    ok, payload = False, repr(exc).encode()
                elapsed = time.perf_counter() - t0
                completed_ok[0] += ok
                if phase["measure"] and not phase["stop"]:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1
                        first_error[0] = first_error[0] or payload[:300].decode("utf-8", "replace")
        finally:
            await conn.close()

    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(warmup)
    phase["measure"] = True
    t0 = time.perf_counter()
    await asyncio.sleep(duration)
    phase["stop"] = True
    seconds = time.perf_counter() - t0
    await asyncio.gather(*tasks)
    return len(latencies), errors[0], seconds, latencies, first_error[0], completed_ok[0]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- processes
def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of the process plus its children (uvicorn workers)."""
    total = 0
    pids = [pid, *children(pid)]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024 if total else None


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def reset_peak(pid: int) -> None:
    for p in [pid, *children(pid)]:
        with contextlib.suppress(OSError):
            Path(f"/proc/{p}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def start(cmd: list[str], env: dict[str, str], port: int, health: str, log: Path) -> subprocess.Popen[bytes]:
    pinned = ["taskset", "-c", "0", *cmd] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else cmd
    handle = log.open("wb")
    proc = subprocess.Popen(pinned, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT,
                            cwd=ROOT)  # fmt: skip
    deadline = time.time() + 60
    import http.client

    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd} exited with {proc.returncode}; see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", health)
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{cmd} did not become healthy; see {log}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- in-process
async def prepare(url: str, scale: float, token: str, ops_only: bool = False) -> dict[str, Any]:
    """Regenerate the data, read the schema, count each operation's statements in-process."""
    import httpx

    from crm_graphql import db
    from crm_graphql.app import create_app, startup
    from crm_graphql.cli import export_schema_text
    from crm_graphql.settings import Settings

    sdl = export_schema_text()
    t0 = time.perf_counter()
    await generate.drop_all(url)  # connects
    try:
        sizes = await generate.load(scale)
        load_seconds = time.perf_counter() - t0
        settings = Settings(database_url=url, admin_token=token)
        app = create_app(settings, manage_db=False)
        await startup(settings, connect=False)
        ops, notes = queries.operations(sizes, sdl)
        statements: dict[str, int] = {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {token}"}
            for op in ops:
                body = {"query": op.document, "variables": op.variables(-1)}
                if not op.mutation:  # warm the token cache and the parser, not counted
                    await client.post("/graphql", json=body, headers=headers)
                with db.count_statements() as counter:
                    response = await client.post("/graphql", json=body, headers=headers)
                payload = response.json()
                got = -1 if payload.get("errors") else op.count(payload["data"])
                if got != op.expected:
                    raise SystemExit(f"{op.name}: expected {op.expected}, got {got}: {str(payload)[:500]}")
                statements[op.name] = counter.count
        if any(op.mutation for op in ops):
            # The mutations changed rows the reads count: start the load from fresh data.
            await generate.drop_all(url)
            await generate.load(scale)
            await startup(settings, connect=False)
    finally:
        await db.close()
    return {"sizes": sizes, "ops": ops, "notes": notes, "statements": statements, "load_seconds": load_seconds}


# --------------------------------------------------------------------------- the run
def database_url(kind: str, scale: float, given: str | None) -> str:
    if given:
        return given
    if kind == "postgres":
        return PG_URL
    return f"sqlite://{RESULTS / f'bench-sf{scale:g}.sqlite3'}"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load_target(target: Target, proc: subprocess.Popen[bytes], ops: list[Operation], levels: list[int],
                      args: argparse.Namespace, db_kind: str, statements: dict[str, int | None]
                      ) -> list[Measurement]:  # fmt: skip
    out = []
    for op in ops:
        if target.name == "floor" and op.floor is None:
            continue
        for level in levels:
            reset_peak(proc.pid)
            ok, errors, seconds, lat, first_error, _ = await drive(target, op, level, args.warmup, args.duration)
            m = Measurement(db_kind, target.name, op.name, level, ok, errors, seconds, ok / seconds,
                            percentile(lat, 50) * 1000, percentile(lat, 99) * 1000, statements.get(op.name),
                            peak_rss_mb(proc.pid), first_error)  # fmt: skip
            print(f"  {target.name:8} {op.name:24} c={level:<3} {m.rps:8.1f} req/s  p50 {m.p50_ms:7.1f} ms  "
                  f"p99 {m.p99_ms:7.1f} ms  errors {errors}  rss {m.peak_rss_mb or 0:.0f} MB", flush=True)  # fmt: skip
            if errors:
                print(f"    first error: {first_error}", flush=True)
            out.append(m)
    return out


async def floor_statements(port: int, ops: list[Operation]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for op in ops:
        if op.floor is None:
            continue
        conn = Connection("127.0.0.1", port)
        status, headers, payload = await conn.post("/", orjson.dumps(op.floor(-1)), {})
        await conn.close()
        got = op.count(orjson.loads(payload)["data"]) if status == 200 else -1
        if got != op.expected:
            raise SystemExit(f"floor {op.name}: expected {op.expected}, got {got}: {payload[:300]!r}")
        out[op.name] = int(headers["x-statements"])
    return out


async def workers_check(url: str, token: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Mixed read/write against serve --workers 2 and 1: no errors, every create counted once."""
    rows = []
    for workers in (1, 2):
        port = free_port()
        proc = start(["crm-graphql", "serve", "--database", url, "--port", str(port), "--workers", str(workers)],
                     {"CRM_ADMIN_TOKEN": token}, port, "/healthz", RESULTS / f"serve-workers{workers}.log")  # fmt: skip
        try:
            await asyncio.sleep(1.0)
            prefix = f"W{workers}-{secrets.token_hex(3)}-"
            create = Operation(
                "createAccount",
                "mutation C($name: String!) { createAccount(input: {name: $name}) "
                "{ account { id } userErrors { code } } }",
                lambda i, prefix=prefix: {"name": f"{prefix}{i:07d}"},  # type: ignore[misc]
                1,
                lambda d: 0 if d["createAccount"]["userErrors"] or not d["createAccount"]["account"] else 1,
            )
            read = Operation("Q1", queries.ACCOUNTS_PAGE, lambda i: {"first": 50}, 50,
                             lambda d: len(d["accounts"]["edges"]))  # fmt: skip
            target = Target("graphql", port, "/graphql", token)
            half = max(1, args.workers_concurrency // 2)
            results = await asyncio.gather(
                drive(target, create, half, 0.0, args.duration),
                drive(target, read, half, 0.0, args.duration),
            )
            await asyncio.sleep(0.5)
            conn = Connection("127.0.0.1", port)
            q = "query($p: String!) { accounts(filter: {name: {startsWith: $p}}) { totalCount } }"
            _, _, payload = await conn.post("/graphql", orjson.dumps({"query": q, "variables": {"p": prefix}}),
                                            target.headers)  # fmt: skip
            await conn.close()
            stored = orjson.loads(payload)["data"]["accounts"]["totalCount"]
            (c_ok, c_err, c_s, c_lat, c_e, c_all), (r_ok, r_err, r_s, r_lat, r_e, _) = results
            log = (RESULTS / f"serve-workers{workers}.log").read_text()
            n_servers = log.count("Started server process")
            rows.append({"workers": workers, "worker_processes": n_servers, "writes_ok": c_all,
                         "write_errors": c_err, "rows_stored": stored, "reads_ok": r_ok, "read_errors": r_err,
                         "write_rps": c_ok / c_s, "read_rps": r_ok / r_s,
                         "write_p99_ms": percentile(c_lat, 99) * 1000, "read_p99_ms": percentile(r_lat, 99) * 1000,
                         "first_error": c_e or r_e, "peak_rss_mb": peak_rss_mb(proc.pid)})  # fmt: skip
            print(f"  workers={workers}: {rows[-1]}", flush=True)
        finally:
            stop(proc)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="Scale factor (SF1 = 1,000 accounts ...)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database", help=f"Override the URL (default: bench/results/*.sqlite3 or {PG_URL})")
    parser.add_argument("--duration", type=float, default=10.0, help="Measured seconds per operation and level")
    parser.add_argument("--warmup", type=float, default=2.0, help="Warm-up seconds before each measurement")
    parser.add_argument("--concurrency", default="1,8", help="Comma-separated concurrency levels")
    parser.add_argument("--only", help="Comma-separated operation prefixes (Q1,Q3,M1...)")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--workers-check", action="store_true", help="PostgreSQL: mixed run, 2 workers vs 1")
    parser.add_argument("--workers-concurrency", type=int, default=8)
    parser.add_argument("--workers-only", action="store_true", help="Only the mixed run (implies --workers-check)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = database_url(args.db, args.scale, args.database)
    levels = [int(x) for x in args.concurrency.split(",")]
    token = "bench-" + secrets.token_hex(16)

    print(f"Generating SF{args.scale:g} into {url} and counting statements in-process ...", flush=True)
    prep = asyncio.run(prepare(url, args.scale, token))
    ops: list[Operation] = prep["ops"]
    if args.only:
        wanted = tuple(args.only.split(","))
        ops = [op for op in ops if op.name.startswith(wanted)]
    # Reads first: mutations change the data the reads count.
    ops.sort(key=lambda op: op.mutation)
    print(f"  loaded in {prep['load_seconds']:.1f}s: {prep['sizes']}")
    for note in prep["notes"]:
        print(f"  note: {note}")

    try:
        os.sched_setaffinity(0, {1})  # the load driver on CPU 1, the servers on CPU 0
    except (AttributeError, OSError):
        print("  (could not pin the load driver to CPU 1)")

    measurements: list[Measurement] = []
    if args.workers_only:
        args.workers_check, args.no_floor, ops = True, True, []
    port = free_port()
    floor_stmts: dict[str, int | None] = {}
    if not args.no_floor:
        print("Floor (bench/floor_app.py) ...", flush=True)
        proc = start([sys.executable, "-m", "uvicorn", "bench.floor_app:app_factory", "--factory", "--port",
                      str(port), "--no-server-header"], {"BENCH_DATABASE_URL": url}, port, "/health",
                     RESULTS / "floor.log")  # fmt: skip
        try:
            floor_stmts = asyncio.run(floor_statements(port, ops))
            floor = Target("floor", port, "/", None)
            measurements += asyncio.run(load_target(floor, proc, ops, levels, args, args.db, floor_stmts))
        finally:
            stop(proc)

    if ops:
        print("GraphQL (crm-graphql serve) ...", flush=True)
        port = free_port()
        proc = start(["crm-graphql", "serve", "--database", url, "--port", str(port)], {"CRM_ADMIN_TOKEN": token},
                     port, "/healthz", RESULTS / "serve.log")  # fmt: skip
        try:
            target = Target("graphql", port, "/graphql", token)
            measurements += asyncio.run(load_target(target, proc, ops, levels, args, args.db, prep["statements"]))
        finally:
            stop(proc)

    workers: list[dict[str, Any]] = []
    if args.workers_check:
        if args.db != "postgres":
            print("  --workers-check needs --db postgres; skipped")
        else:
            print("Workers: mixed read/write, serve --workers 1 vs 2 ...", flush=True)
            workers = asyncio.run(workers_check(url, token, args))

    result = {
        "db": args.db, "scale": args.scale, "sizes": asdict(prep["sizes"]), "duration": args.duration,
        "warmup": args.warmup, "levels": levels, "notes": prep["notes"],
        "measurements": [asdict(m) for m in measurements], "workers": workers,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }  # fmt: skip
    path = RESULTS / f"{args.db}.json"
    if args.workers_only and path.exists():  # keep the last full run's measurements
        result = {**json.loads(path.read_text()), "workers": workers}
    path.write_text(json.dumps(result, indent=2))
    report = render_report()
    (RESULTS / "report.md").write_text(report)
    plot()
    print()
    print(report)


# --------------------------------------------------------------------------- report
def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b or a != a or b != b:
        return "n/a"
    return f"{a / b:.2f}x"


def render_report() -> str:
    lines = ["# crm-graphql benchmark", ""]
    lines.append(
        "Server and floor pinned to CPU 0 (`taskset -c 0`), load driver on CPU 1 (the database server is not "
        "pinned and shares the two cores). Ratios are GraphQL / floor: req/s below 1 is slower, latency, "
        "statements and RSS above 1 cost more. Statements: one request run in-process "
        "(`count_statements`, token lookup excluded after a warm-up request). Peak RSS: VmHWM of the server "
        "process, reset before each operation."
    )
    for path in sorted(RESULTS.glob("*.json")):
        r = json.loads(path.read_text())
        lines += ["", f"## {r['db']} — SF{r['scale']:g} ({r['when']})", ""]
        s = r["sizes"]
        lines.append(", ".join(f"{v:,} {k}" for k, v in s.items()) + f". Warm-up {r['warmup']:g} s, "
                     f"measured {r['duration']:g} s per operation and concurrency.")  # fmt: skip
        lines += ["", "| operation | target | conc | req/s | p50 ms | p99 ms | SQL/req | peak RSS MB | errors "
                  "| req/s ratio | p50 ratio | p99 ratio | SQL ratio | RSS ratio |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        ms = r["measurements"]
        floor = {(m["op"], m["concurrency"]): m for m in ms if m["target"] == "floor"}
        for m in sorted(ms, key=lambda m: (m["op"], m["concurrency"], m["target"] != "graphql")):
            f = floor.get((m["op"], m["concurrency"])) if m["target"] == "graphql" else None
            ratios = (
                [_ratio(m["rps"], f["rps"]), _ratio(m["p50_ms"], f["p50_ms"]), _ratio(m["p99_ms"], f["p99_ms"]),
                 _ratio(m["statements"], f["statements"]), _ratio(m["peak_rss_mb"], f["peak_rss_mb"])]
                if f else ["", "", "", "", ""]
            )  # fmt: skip
            rss = f"{m['peak_rss_mb']:.0f}" if m["peak_rss_mb"] else "n/a"
            stm = str(m["statements"]) if m["statements"] is not None else "n/a"
            lines.append(f"| {m['op']} | {m['target']} | {m['concurrency']} | {m['rps']:.1f} | {m['p50_ms']:.1f} | "
                         f"{m['p99_ms']:.1f} | {stm} | {rss} | {m['errors']} | " + " | ".join(ratios) + " |")  # fmt: skip
        for note in r["notes"]:
            lines.append(f"\n- {note}")
        if r["workers"]:
            lines += ["", "### Mixed read/write (half createAccount, half Q1), `serve --workers N`", "",
                      "| workers | processes | writes ok | write errors | rows stored | reads ok | read errors "
                      "| write req/s | read req/s | write p99 ms | read p99 ms |",
                      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
            for w in r["workers"]:
                lines.append(f"| {w['workers']} | {w['worker_processes']} | {w['writes_ok']} | {w['write_errors']} | "
                             f"{w['rows_stored']} | {w['reads_ok']} | {w['read_errors']} | {w['write_rps']:.1f} | "
                             f"{w['read_rps']:.1f} | {w['write_p99_ms']:.1f} | {w['read_p99_ms']:.1f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def plot() -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib missing: pip install -e '.[bench]'; no plot)")
        return
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    ops = sorted({m["op"] for r in runs for m in r["measurements"]})
    if not ops:
        return
    fig, axes = plt.subplots(len(runs), len(ops), figsize=(4 * len(ops), 3.2 * len(runs)), squeeze=False)
    for row, r in enumerate(runs):
        for col, op in enumerate(ops):
            ax = axes[row][col]
            for target, style in (("graphql", "-o"), ("floor", "--s")):
                pts = sorted((m["concurrency"], m["p50_ms"], m["p99_ms"]) for m in r["measurements"]
                             if m["op"] == op and m["target"] == target)  # fmt: skip
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=f"{target} p50")
                    ax.plot([p[0] for p in pts], [p[2] for p in pts], style, alpha=0.4, label=f"{target} p99")
            ax.set_title(f"{r['db']}: {op}", fontsize=9)
            ax.set_xlabel("concurrency")
            ax.set_ylabel("latency ms")
            ax.set_yscale("log")
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / "latency.png", dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    main()
