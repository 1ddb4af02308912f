"""CPU per request of the bench reads in-process, compiled read path against the reference
executor (the same app, ``crm_graphql.api.read.set_enabled``), after a ``bench.run`` left data.

python -m bench.read_cpu --database sqlite://bench/results/bench-sf1.sqlite3 --repeat 100

Process CPU time (not wall time) per request, so a noisy shared machine disturbs it less;
prints the ratio reference / compiled per operation.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time

from bench import generate, queries


async def main_async(url: str, repeat: int, only: list[str] | None) -> None:
    import httpx

    from crm_graphql import db
    from crm_graphql.api import read
    from crm_graphql.app import create_app, startup
    from crm_graphql.cli import export_schema_text
    from crm_graphql.settings import Settings

    token = "cpu-" + secrets.token_hex(8)
    await db.init(url)
    try:
        settings = Settings(database_url=url, admin_token=token)
        app = create_app(settings, manage_db=False)
        await startup(settings, connect=False)
        from crm_graphql import models

        sizes = generate.Sizes.of(await models.Account.all().count() / 1000)
        ops, _ = queries.operations(sizes, export_schema_text())
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as client:
            for op in ops:
                if op.mutation or (only and not any(op.name.startswith(o) for o in only)):
                    continue
                cpu: dict[bool, float] = {}
                for compiled in (True, False):
                    read.set_enabled(compiled)
                    n = repeat if not op.name.startswith("Q3") else max(3, repeat // 20)
                    for i in range(2):  # warm-up
                        await client.post(
                            "/graphql", json={"query": op.document, "variables": op.variables(i)}, headers=headers
                        )
                    start = time.process_time()
                    for i in range(n):
                        body = {"query": op.document, "variables": op.variables(i)}
                        response = await client.post("/graphql", json=body, headers=headers)
                        assert op.count(response.json()["data"]) == op.expected, response.text[:300]
                    cpu[compiled] = (time.process_time() - start) / n * 1000
                read.set_enabled(True)
                print(f"{op.name:24} compiled {cpu[True]:8.2f} ms CPU  reference {cpu[False]:8.2f} ms CPU  "
                      f"x{cpu[False] / cpu[True]:.1f}", flush=True)  # fmt: skip
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--only", help="Comma-separated operation prefixes")
    args = parser.parse_args()
    asyncio.run(main_async(args.database, args.repeat, args.only.split(",") if args.only else None))


if __name__ == "__main__":
    main()
