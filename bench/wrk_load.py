"""Drive the bench reads with ``wrk`` (Debian package), which does not cap the floor the way
the repo's asyncio driver does. The floor and ``crm-graphql serve`` run one after the other
pinned to CPU 0, wrk to CPU 1; every answer is checked once before its load run.

python -m bench.wrk_load --database sqlite:///tmp/sf1.sqlite3 --port 18410 --duration 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import generate, queries

LUA = 'wrk.method = "POST"\nwrk.body = io.open("{body}"):read("a")\nwrk.headers["Content-Type"] = "application/json"\n{auth}'


def _wait(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"no answer from {url}")


def _post(url: str, body: bytes, token: str | None) -> dict:  # type: ignore[type-arg]
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def _peak_rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


def _wrk(url: str, body: bytes, token: str | None, duration: int, connections: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "body.json").write_bytes(body)
        auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
        script = Path(tmp) / "post.lua"
        script.write_text(LUA.format(body=Path(tmp) / "body.json", auth=auth))
        out = subprocess.run(
            ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script), url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{non2xx.group(0)} from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, default=18410)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", default="Q1,Q2,Q3,Q4")
    args = parser.parse_args()
    token = "wrk-" + secrets.token_hex(8)
    sdl = subprocess.run(["crm-graphql", "export-schema"], capture_output=True, text=True, check=True).stdout
    n_accounts = int(os.environ.get("BENCH_ACCOUNTS", "1000"))
    ops, _ = queries.operations(generate.Sizes.of(n_accounts / 1000), sdl)
    ops = [o for o in ops if not o.mutation and any(o.name.startswith(p) for p in args.only.split(","))]
    results: dict[str, dict[str, float]] = {}
    for name, cmd, env, health, path in (
        ("floor", [sys.executable, "-m", "uvicorn", "bench.floor_app:app_factory", "--factory", "--port",
                   str(args.port), "--no-server-header", "--log-level", "warning"],
         {"BENCH_DATABASE_URL": args.database}, "/health", "/"),
        ("graphql", ["crm-graphql", "serve", "--database", args.database, "--port", str(args.port)],
         {"CRM_ADMIN_TOKEN": token}, "/healthz", "/graphql"),
    ):  # fmt: skip
        proc = subprocess.Popen(["taskset", "-c", "0", *cmd], env={**os.environ, **env},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait(f"http://127.0.0.1:{args.port}{health}")
            for op in ops:
                if name == "floor":
                    if op.floor is None:
                        continue
                    body = json.dumps(op.floor(0)).encode()
                    answer = _post(f"http://127.0.0.1:{args.port}/", body, None)
                    bearer = None
                else:
                    body = json.dumps({"query": op.document, "variables": op.variables(0)}).encode()
                    answer = _post(f"http://127.0.0.1:{args.port}{path}", body, token)["data"]
                    bearer = token
                    got = op.count(answer)
                    if got != op.expected:
                        raise SystemExit(f"{op.name}: {got} != {op.expected}")
                rps = _wrk(f"http://127.0.0.1:{args.port}{path}", body, bearer, args.duration, args.connections)
                results.setdefault(op.name, {})[name] = rps
                results[op.name][f"{name}_rss"] = _peak_rss_mb(proc.pid)
                print(f"  {name:8} {op.name:24} {rps:9.1f} req/s  rss {_peak_rss_mb(proc.pid):.0f} MB", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for op_name, r in results.items():
        if "floor" in r and "graphql" in r:
            print(f"{op_name:24} ratio to floor {r['graphql'] / r['floor']:.2f}")


if __name__ == "__main__":
    main()
