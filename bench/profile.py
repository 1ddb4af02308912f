"""Profile one bench operation in-process with pyinstrument (after a ``bench.run`` left data).

python -m bench.profile --database sqlite://bench/results/bench-sf1.sqlite3 --op Q3 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from pathlib import Path

from bench import generate, queries


async def main_async(url: str, op_prefix: str, repeat: int, html: str | None) -> None:
    import httpx
    from pyinstrument import Profiler

    from crm_graphql import db
    from crm_graphql.app import create_app, startup
    from crm_graphql.cli import export_schema_text
    from crm_graphql.settings import Settings

    token = "prof-" + secrets.token_hex(8)
    await db.init(url)
    try:
        settings = Settings(database_url=url, admin_token=token)
        app = create_app(settings, manage_db=False)
        await startup(settings, connect=False)
        from crm_graphql import models

        accounts = await models.Account.all().count()
        sizes = generate.Sizes.of(accounts / 1000)
        ops, _ = queries.operations(sizes, export_schema_text())
        op = next(o for o in ops if o.name.startswith(op_prefix))
        body = {"query": op.document, "variables": op.variables(0)}
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p") as client:
            await client.post("/graphql", json=body, headers=headers)  # warm-up
            profiler = Profiler(async_mode="enabled")
            with profiler:
                for _ in range(repeat):
                    response = await client.post("/graphql", json=body, headers=headers)
                    assert "errors" not in response.json(), response.text[:500]
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        if html:
            _write(html, profiler.output_html())
    finally:
        await db.close()


def _write(path: str, text: str) -> None:
    Path(path).write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--op", default="Q3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--html", help="Also write pyinstrument's HTML report here")
    args = parser.parse_args()
    asyncio.run(main_async(args.database, args.op, args.repeat, args.html))


if __name__ == "__main__":
    main()
