"""A database outage under load, measured from outside (issue 15's table).

Starts ``crm-graphql serve --workers N`` on PostgreSQL through a TCP proxy
(``bench.tcp_proxy``), runs clients that create accounts in a loop (and, optionally, clients
that read), cuts the proxy for a few seconds, heals it, and reports:

- acknowledged creates lost (and written twice, and committed without an acknowledgement),
- the first success after the database is back, and whether each client's first request
  started after the heal succeeded,
- ``/readyz`` answers during the outage,
- every response by kind (ok, JSON 503 SERVICE_UNAVAILABLE, anything else, connections
  closed without a response),
- tracebacks in the server log.

    python -m bench.outage --database postgres://postgres@127.0.0.1:5432/test_x --port 18150

(``?schema=NAME`` in the URL keeps the run in a schema of its own.)

The machine's PostgreSQL is never stopped: only the proxy's connections are cut.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx

from bench.tcp_proxy import TcpProxy

CREATE = """mutation($name: String!) { createAccount(input: {name: $name}) {
  account { id name } userErrors { code message } } }"""
READ = "{ accounts(first: 5) { totalCount nodes { id name } } }"


@dataclass
class Outcome:
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)
    acknowledged: list[str] = field(default_factory=list)
    #: (started, finished, kind, client) of every request
    timeline: list[tuple[float, float, str, str]] = field(default_factory=list)
    readyz: collections.Counter[str] = field(default_factory=collections.Counter)
    cut_at: float = 0.0
    healed_at: float = 0.0
    bad_examples: list[str] = field(default_factory=list)
    #: X-Request-Id of every 503 answer (each must have its one log line)
    unavailable_ids: list[str] = field(default_factory=list)

    def first_success_after_heal(self) -> float | None:
        done = [end for start, end, kind, _ in self.timeline if kind == "ok" and start >= self.healed_at]
        return min(done) - self.healed_at if done else None

    def first_after_heal_by_client(self) -> dict[str, str]:
        first: dict[str, tuple[float, str]] = {}
        for start, _end, kind, client in self.timeline:
            if start >= self.healed_at and (client not in first or start < first[client][0]):
                first[client] = (start, kind)
        return {c: k for c, (_s, k) in first.items()}


def classify(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"http_{response.status_code}_not_json"
    errors = body.get("errors") if isinstance(body, dict) else None
    if response.status_code == 503:
        codes = {(e.get("extensions") or {}).get("code") for e in errors or []}
        if codes == {"SERVICE_UNAVAILABLE"} and response.headers.get("retry-after"):
            return "unavailable_503"
        return "http_503_other"
    if response.status_code != 200:
        return f"http_{response.status_code}"
    if errors:
        codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
        return "graphql_error_" + "_".join(codes)
    return "ok"


async def _client(name: str, url: str, token: str, prefix: str, stop: asyncio.Event, out: Outcome, write: bool) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        i = 0
        while not stop.is_set():
            i += 1
            account = f"{prefix}-{name}-{i}"
            payload = {"query": CREATE, "variables": {"name": account}} if write else {"query": READ}
            started = time.monotonic()
            try:
                response = await http.post("/graphql", json=payload)
                kind = classify(response)
                if kind == "ok" and write:
                    data = response.json()["data"]["createAccount"]
                    if data["userErrors"] or data["account"]["name"] != account:
                        kind = "user_error"
                    else:
                        out.acknowledged.append(account)
                if kind == "unavailable_503":
                    out.unavailable_ids.append(response.headers.get("x-request-id", ""))
                if kind not in {"ok", "unavailable_503"} and len(out.bad_examples) < 5:
                    out.bad_examples.append(f"{response.status_code} {response.text[:300]}")
            except (httpx.RemoteProtocolError, httpx.ReadError):
                kind = "closed_without_response"
            except httpx.TransportError as e:
                kind = f"transport_{type(e).__name__}"
            out.timeline.append((started, time.monotonic(), kind, name))
            out.kinds[kind] += 1
            if kind != "ok":
                await asyncio.sleep(0.05)  # a client that backs off a little (a real one honours Retry-After)


async def _readyz(url: str, stop: asyncio.Event, out: Outcome) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while not stop.is_set():
            now = time.monotonic()
            try:
                status = str((await http.get("/readyz")).status_code)
            except httpx.TransportError as e:
                status = type(e).__name__
            if out.cut_at and not out.healed_at and now >= out.cut_at + 0.5:
                out.readyz[status] += 1
            await asyncio.sleep(0.2)


async def run_load(
    url: str,
    token: str,
    proxy: TcpProxy,
    *,
    writers: int = 4,
    readers: int = 0,
    before: float = 3.0,
    cut_for: float = 6.0,
    after: float = 4.0,
    prefix: str | None = None,
) -> Outcome:
    out = Outcome()
    prefix = prefix or "outage-" + secrets.token_hex(4)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_client(f"w{i}", url, token, prefix, stop, out, True)) for i in range(writers)]
    tasks += [asyncio.create_task(_client(f"r{i}", url, token, prefix, stop, out, False)) for i in range(readers)]
    tasks.append(asyncio.create_task(_readyz(url, stop, out)))
    await asyncio.sleep(before)
    out.cut_at = time.monotonic()
    await asyncio.to_thread(proxy.cut)
    await asyncio.sleep(cut_for)
    await asyncio.to_thread(proxy.heal)
    out.healed_at = time.monotonic()
    await asyncio.sleep(after)
    stop.set()
    await asyncio.gather(*tasks)
    return out


async def stored_names(database: str, prefix: str) -> collections.Counter[str]:
    import asyncpg

    parts = urlsplit(database)
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    plain = urlunsplit(parts._replace(scheme="postgresql", query=""))
    conn = await asyncpg.connect(plain, server_settings={"search_path": schema})
    try:
        rows = await conn.fetch("SELECT name FROM accounts WHERE name LIKE $1", prefix + "-%")
    finally:
        await conn.close()
    return collections.Counter(r["name"] for r in rows)


def through(database: str, port: int) -> str:
    """``database`` with its host and port replaced by the proxy's."""
    parts = urlsplit(database)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


def report(out: Outcome, stored: collections.Counter[str], tracebacks: int) -> str:
    acked = collections.Counter(out.acknowledged)
    lost = sum(1 for name in acked if stored[name] == 0)
    twice = sum(1 for name in acked if stored[name] > 1)
    unacked = sum(n for name, n in stored.items() if name not in acked)
    first = out.first_success_after_heal()
    firsts = collections.Counter(out.first_after_heal_by_client().values())
    kinds = ", ".join(f"{n:,} {k}" for k, n in out.kinds.most_common())
    during = collections.Counter(k for start, _e, k, _c in out.timeline if out.cut_at <= start < out.healed_at)
    during_text = ", ".join(f"{n:,} {k}" for k, n in during.most_common())
    readyz = ", ".join(f"{n} x {k}" for k, n in out.readyz.most_common())
    rows = [
        ("acknowledged creates lost", f"{lost} of {len(acked):,} ({twice} written twice, {unacked} committed "
                                      "without an acknowledgement)"),
        ("first success after the database is back", f"{first:.2f} s" if first is not None else "none"),
        ("each client's first request after the heal", ", ".join(f"{n} {k}" for k, n in firsts.items())),
        ("`/readyz` during the outage", readyz or "not polled"),
        ("responses during the outage", during_text),
        ("responses (whole run)", kinds),
        ("server log", f"{tracebacks} tracebacks"),
    ]  # fmt: skip
    lines = ["| what | measured |", "| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows]
    if out.bad_examples:
        lines += ["", "examples of other answers:"] + [f"- {e}" for e in out.bad_examples]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("CRM_TEST_DATABASE_URL"), required=False)
    parser.add_argument("--port", type=int, default=18150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=0)
    parser.add_argument("--cut", type=float, default=6.0, help="seconds the database is cut off")
    parser.add_argument("--keep-log", help="copy the server's log to this file")
    args = parser.parse_args(argv)
    if not args.database or args.database.startswith("sqlite"):
        parser.error("--database postgres://... (or CRM_TEST_DATABASE_URL) is required")
    target = urlsplit(args.database)
    token = "crm_bench_" + secrets.token_urlsafe(24)
    with TcpProxy((target.hostname or "127.0.0.1", target.port or 5432)) as proxy, tempfile.TemporaryDirectory() as d:
        log = Path(d) / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")} | {"CRM_ADMIN_TOKEN": token}
        command = [sys.executable, "-m", "crm_graphql", "serve", "--port", str(args.port), "--workers",
                   str(args.workers), "--database", through(args.database, proxy.port)]  # fmt: skip
        with log.open("wb") as sink:
            server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{args.port}"
        try:
            wait_ready(url, server, log, args.workers)
            prefix = "outage-" + secrets.token_hex(4)
            out = asyncio.run(run_load(url, token, proxy, writers=args.writers, readers=args.readers,
                                       cut_for=args.cut, prefix=prefix))  # fmt: skip
            stored = asyncio.run(stored_names(args.database, prefix))
        finally:
            server.terminate()
            server.wait(60)
        text = log.read_text(errors="replace")
        print(report(out, stored, text.count("Traceback")))
        if args.keep_log:
            Path(args.keep_log).write_text(text)
    return 0


def wait_ready(url: str, server: Any, log: Path, workers: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"serve exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            ready = httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            ready = False
        if ready and log.read_text(errors="replace").count("Application startup complete") >= workers:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("serve did not become ready")
        time.sleep(0.3)


if __name__ == "__main__":
    sys.exit(main())
