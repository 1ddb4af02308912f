"""Time ``crm-graphql import`` of generated rows and the export round trip.

    python -m bench.csv_roundtrip --rows 100000                       # SQLite file in a temp dir
    python -m bench.csv_roundtrip --rows 100000 --database postgres://postgres@127.0.0.1:5432/bench

Steps, each a ``python -m crm_graphql`` process timed from outside (so each includes the
start-up, about 2 s on an idle machine): import N generated accounts into an empty database,
export them (file 1), empty the database, import file 1, export again (file 2); file 1 and
file 2 must be byte-identical. PostgreSQL: the database's public schema is dropped first
(never point it at a database you need).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("ORGANIZATION", "PERSON", "OTHER")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Deterministic accounts with quotes, commas, line breaks and non-ASCII text."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "type", "email", "phone", "street", "city", "postalCode", "country",
                         "vatNumber", "industry", "website", "isPrivate"])  # fmt: skip
        for i in range(rows):
            writer.writerow([
                f'Müller & Söhne "{i}", GmbH' if i % 10 == 0 else f"Account {i:06d}",
                rng.choice(KINDS),
                f"contact{i}@example.test" if i % 3 else "",
                f"+49 30 {rng.randrange(10**6, 10**7)}",
                f"Hauptstraße {i % 200}\nHinterhaus" if i % 7 == 0 else f"Street {i % 500}",
                f"City {i % 97}",
                f"{10000 + i % 89999}",
                rng.choice(["DE", "FR", "US", "日本"]),
                "" if i % 2 else f"DE{100000000 + i}",
                rng.choice(["Retail", "Software", "Energy", ""]),
                "" if i % 4 else f"https://example.test/{i}",
                rng.choice(["true", "false"]),
            ])  # fmt: skip


def cli(*args: str, stdout: Path | None = None) -> float:
    command = [sys.executable, "-m", "crm_graphql", *args]
    started = time.perf_counter()
    if stdout is None:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    else:
        with stdout.open("wb") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SystemExit(f"crm-graphql {' '.join(args)} failed:\n{done.stderr.decode()[-2000:]}")
    return time.perf_counter() - started


def reset(url: str, folder: Path) -> str:
    """An empty database at ``url`` (PostgreSQL: drop the public schema; SQLite: a new file)."""
    if url.startswith("sqlite"):
        name = folder / f"crm-{time.monotonic_ns()}.sqlite3"
        return f"sqlite://{name}"

    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(drop())
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", help="sqlite (a temp file) or a postgres:// URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-csv-") as tmp:
        folder = Path(tmp)
        source, first, second = folder / "generated.csv", folder / "export1.csv", folder / "export2.csv"
        generate(source, args.rows)
        url = reset(args.database, folder)
        cli("migrate", "--database", url)
        timings = {"import generated": cli("import", "accounts", str(source), "--database", url)}
        timings["export"] = cli("export", "accounts", "--database", url, stdout=first)
        url = reset(args.database, folder)
        cli("migrate", "--database", url)
        timings["import export"] = cli("import", "accounts", str(first), "--database", url)
        timings["export again"] = cli("export", "accounts", "--database", url, stdout=second)
        same = first.read_bytes() == second.read_bytes()
        print(f"{args.rows} accounts on {url.split(':')[0]}:")
        for step, seconds in timings.items():
            print(f"  {step:<17} {seconds:8.1f} s")
        print(f"  export -> import -> export identical: {same} ({first.stat().st_size} bytes)")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
