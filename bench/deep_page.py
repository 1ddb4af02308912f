"""Deep keyset paging: page 1,000 of ``opportunities(first: 50)`` against page 1.

    python -m bench.generate --scale 10 --database sqlite:///tmp/sf10.sqlite3 --reset   # once
    python -m bench.deep_page --scale 10 --db sqlite
    python -m bench.deep_page --scale 10 --db postgres     # postgres://.../bench10

Target (issue): page 1,000 within 20% of page 1. Runs in-process (httpx ASGI transport on
``create_app``, like bench/profile.py) on data that ``bench.generate`` left; it does not
generate. The cursor of page 1,000 is built in-process from the row just before it (offset
``(page - 1) * 50 - 1`` in the server's default order, created_at DESC then id) with
``connection.cursor_of``. Each answer is checked against the same rows loaded with Tortoise.
Prints median/p90 over warm repetitions, the ratio, SQL statements, the page-1,000 SQL
(a keyset WHERE, no OFFSET) and its plan (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL
``EXPLAIN ANALYZE``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from typing import Any

from bench import generate
from bench.queries import gid

PAGE = 50
TOKEN = "deep-page-bench-token"
URLS = {
    "sqlite": "sqlite:///tmp/sf{scale}.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/bench{scale}",
}
DOCUMENT = """
query DeepPage($first: Int!, $after: String) {
  opportunities(first: $first, after: $after) {
    nodes { id title amount }
    pageInfo { hasNextPage }
  }
}"""


class _Capture(logging.Handler):
    """Keeps (sql, values) of the SELECTs tortoise logs, for EXPLAIN."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.selects: list[tuple[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 2 and isinstance(args[0], str) and args[0].lstrip().upper().startswith("SELECT"):
            self.selects.append((args[0], args[1]))


def _stats(samples: list[float]) -> tuple[float, float]:
    ms = [s * 1000 for s in samples]
    return statistics.median(ms), statistics.quantiles(ms, n=10, method="inclusive")[8]


async def main_async(url: str, page_no: int, repeat: int) -> bool:
    import httpx
    from tortoise import connections

    from crm_graphql import db
    from crm_graphql.app import create_app, startup
    from crm_graphql.models import Opportunity
    from crm_graphql.settings import Settings

    await db.init(url)
    try:
        settings = Settings(database_url=url, admin_token=TOKEN)
        app = create_app(settings, manage_db=False)
        # Only after the schema is built: importing specs first breaks build_schema
        # (DuplicatedTypeName AccountType).
        import crm_graphql.api.specs  # noqa: F401  (fills SPECS)
        from crm_graphql.api.connection import cursor_of, ordered, sort_keys
        from crm_graphql.api.filters import SPECS

        await startup(settings, connect=False)
        sqlite = db.is_sqlite(url)

        total = await Opportunity.filter(deleted_at=None).count()
        offset = (page_no - 1) * PAGE  # first row of the page
        if offset + PAGE > total:
            raise SystemExit(f"{total} opportunities: page {page_no} of {PAGE} needs {offset + PAGE} (generate more)")
        keys = sort_keys(SPECS["Opportunity"], None)
        base = ordered(Opportunity.filter(deleted_at=None), keys, True)
        page1_rows = await base.limit(PAGE)
        deep_rows = await base.offset(offset - 1).limit(PAGE + 1)  # cursor row + the page
        cursor_row, expected_deep = deep_rows[0], deep_rows[1:]
        cursor = cursor_of(cursor_row, keys)
        order = ", ".join(f"{k.column} {'DESC' if k.descending else 'ASC'}" for k in keys)
        print(f"{url}: {total} opportunities; order {order}; page {page_no} = rows {offset + 1}..{offset + PAGE}")
        print(f"cursor row (offset {offset - 1}): id={cursor_row.id} created_at={cursor_row.created_at} -> {cursor}")

        headers = {"Authorization": f"Bearer {TOKEN}"}
        bodies = {
            1: {"query": DOCUMENT, "variables": {"first": PAGE, "after": None}},
            page_no: {"query": DOCUMENT, "variables": {"first": PAGE, "after": cursor}},
        }
        expected = {
            1: [gid("Opportunity", r.id) for r in page1_rows],
            page_no: [gid("Opportunity", r.id) for r in expected_deep],
        }
        ok = True
        samples: dict[int, list[float]] = {1: [], page_no: []}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://deep") as client:

            async def call(p: int) -> tuple[float, dict[str, Any]]:
                started = time.perf_counter()
                response = await client.post("/graphql", json=bodies[p], headers=headers)
                elapsed = time.perf_counter() - started
                return elapsed, response.json()

            await call(1)  # warm-up: the first request also loads the admin user
            # Answers, statement counts, SQL.
            statements: dict[int, list[str]] = {}
            captures: dict[int, _Capture] = {}
            for p in (1, page_no):
                capture = captures[p] = _Capture()
                logging.getLogger("tortoise.db_client").addHandler(capture)
                try:
                    with db.count_statements() as counter:
                        _, body = await call(p)
                finally:
                    logging.getLogger("tortoise.db_client").removeHandler(capture)
                statements[p] = counter.statements
                if "errors" in body:
                    raise SystemExit(f"page {p}: {body['errors']}")
                conn = body["data"]["opportunities"]
                got = [n["id"] for n in conn["nodes"]]
                good = got == expected[p] and len(got) == PAGE
                ok &= good
                print(
                    f"page {p}: {len(got)} nodes, first {got[0] if got else None}, "
                    f"hasNextPage={conn['pageInfo']['hasNextPage']}, matches Tortoise: {good}"
                )
            for _ in range(2):  # more warm-up
                await call(1)
                await call(page_no)
            for _ in range(repeat):  # interleaved so drift hits both pages alike
                for p in (1, page_no):
                    elapsed, _ = await call(p)
                    samples[p].append(elapsed)

        med1, p90_1 = _stats(samples[1])
        medn, p90_n = _stats(samples[page_no])
        ratio = medn / med1
        print(f"\n{'':10}{'median ms':>10}{'p90 ms':>9}{'stmts':>7}   ({repeat} warm repetitions)")
        print(f"{'page 1':10}{med1:10.2f}{p90_1:9.2f}{len(statements[1]):7}")
        print(f"{f'page {page_no}':10}{medn:10.2f}{p90_n:9.2f}{len(statements[page_no]):7}")
        verdict = "PASS" if ratio <= 1.2 else "FAIL"
        print(
            f"ratio page {page_no}/page 1 (median): {ratio:.2f}  target <= 1.20: {verdict}; "
            f"p90 ratio {p90_n / p90_1:.2f}"
        )

        print(f"\nSQL of page {page_no}:")
        for s in statements[page_no]:
            print("  " + s)
        print("  OFFSET in page query:", any("OFFSET" in s.upper() for s in statements[page_no]))
        connection = connections.get("default")
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, COSTS OFF) "
        for p in (1, page_no):
            page_sql = [s for s in captures[p].selects if '"opportunities"' in s[0]]
            if not page_sql:
                continue
            sql, values = page_sql[-1]
            _, rows = await connection.execute_query(explain + sql, list(values or []))
            print(f"plan of page {p}:")
            for row in rows:
                row = dict(row)
                print("  " + str(row.get("detail") or row.get("QUERY PLAN") or row))
        return ok and ratio <= 1.2
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--db", choices=sorted(URLS), default="sqlite")
    parser.add_argument("--database", help="URL (default: sqlite:///tmp/sf<scale>.sqlite3 or .../bench<scale>)")
    parser.add_argument("--page", type=int, default=1000, help="Deep page number (default 1000)")
    parser.add_argument("--repeat", type=int, default=20, help="Warm repetitions per page (default 20)")
    args = parser.parse_args()
    url = args.database or URLS[args.db].format(scale=f"{args.scale:g}")
    expected = generate.Sizes.of(args.scale).opportunities
    print(f"SF{args.scale:g}: generator makes {expected} opportunities")
    ok = asyncio.run(main_async(url, args.page, args.repeat))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
