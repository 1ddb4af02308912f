"""The floor: the bench reads answered by hand-written minimal SQL + orjson behind starlette.

No ORM, no GraphQL, no auth: what the same answers cost at the least. ``POST /`` with
``{"op": ..., ...}``; the response carries ``x-statements`` (SQL statements it ran).
Run: ``BENCH_DATABASE_URL=... uvicorn bench.floor_app:app``.
"""

from __future__ import annotations

import base64
import os
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def money(value: int | None) -> str | None:
    """Integer ten-thousandths -> "123.45" (EUR has two places; the bench data is all EUR)."""
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    value = abs(value)
    cents = (value + 50) // 100
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def qty(value: int) -> str:
    return f"{value // 10000}.{value % 10000:04d}"


class Database:
    """Just enough of a driver: ``fetch(sql with ?, args)`` on asyncpg or aiosqlite."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql://", "postgres://")
        self.pg = self.url.startswith("postgres://")
        self.pool: Any = None
        self.conn: Any = None

    async def open(self) -> None:
        if self.pg:
            import asyncpg

            self.pool = await asyncpg.create_pool(self.url.replace("postgres://", "postgresql://", 1), max_size=10)
        else:
            import aiosqlite

            self.conn = await aiosqlite.connect(self.url.removeprefix("sqlite://"))

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self.conn is not None:
            await self.conn.close()

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Sequence[Any]]:
        if self.pg:
            parts = sql.split("?")
            sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
            async with self.pool.acquire() as conn:
                return list(await conn.fetch(sql, *args))
        async with self.conn.execute(sql, tuple(args)) as cursor:
            return list(await cursor.fetchall())


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class Ops:
    def __init__(self, database: Database) -> None:
        self.db = database
        self.statements = 0

    async def q(self, sql: str, args: Sequence[Any] = ()) -> list[Sequence[Any]]:
        self.statements += 1
        return await self.db.fetch(sql, args)

    async def accounts_page(self, first: int) -> dict[str, Any]:
        rows = await self.q(
            "SELECT id, name, city, country, industry, email, phone FROM accounts WHERE deleted_at IS NULL "
            "ORDER BY name, id LIMIT ?",
            [first + 1],
        )
        total = (await self.q("SELECT COUNT(*) FROM accounts WHERE deleted_at IS NULL"))[0][0]
        edges = [
            {
                "cursor": base64.b64encode(orjson.dumps([r[1], r[0]])).decode(),
                "node": {
                    "id": gid("Account", r[0]),
                    "name": r[1],
                    "city": r[2],
                    "country": r[3],
                    "industry": r[4],
                    "email": r[5],
                    "phone": r[6],
                },
            }
            for r in rows[:first]
        ]
        page_info = {"hasNextPage": len(rows) > first, "endCursor": edges[-1]["cursor"] if edges else None}
        return {"accounts": {"totalCount": total, "pageInfo": page_info, "edges": edges}}

    async def _opportunity_tree(self, account_ids: list[int], opp_limit: int, item_limit: int,
                                detail: bool) -> dict[int, list[dict[str, Any]]]:  # fmt: skip
        opps = await self.q(
            "SELECT o.id, o.account_id, o.title, o.amount, o.close_date, s.name FROM opportunities o "
            f"JOIN stages s ON s.id = o.stage_id WHERE o.deleted_at IS NULL AND o.account_id IN ({marks(account_ids)}) "
            "ORDER BY o.account_id, o.id",
            account_ids,
        )
        by_account: dict[int, list[dict[str, Any]]] = defaultdict(list)
        opp_nodes: dict[int, dict[str, Any]] = {}
        for o in opps:
            if len(by_account[o[1]]) >= opp_limit:
                continue
            node: dict[str, Any] = {"id": gid("Opportunity", o[0]), "title": o[2], "amount": money(o[3])}
            if detail:
                node["closeDate"] = str(o[4]) if o[4] is not None else None
                node["stage"] = {"name": o[5]}
            node["quotes"] = {"nodes": []}
            by_account[o[1]].append(node)
            opp_nodes[o[0]] = node
        if not opp_nodes:
            return by_account
        opp_ids = list(opp_nodes)
        quotes = await self.q(
            "SELECT id, opportunity_id, number, status, total FROM quotes WHERE deleted_at IS NULL "
            f"AND opportunity_id IN ({marks(opp_ids)}) ORDER BY opportunity_id, id",
            opp_ids,
        )
        quote_nodes: dict[int, dict[str, Any]] = {}
        for q in quotes:
            siblings = opp_nodes[q[1]]["quotes"]["nodes"]
            if len(siblings) >= 10:
                continue
            qn: dict[str, Any] = {"id": gid("Quote", q[0]), "number": q[2], "total": money(q[4])}
            if detail:
                qn["status"] = q[3]
            qn["items"] = {"nodes": []}
            siblings.append(qn)
            quote_nodes[q[0]] = qn
        if not quote_nodes:
            return by_account
        quote_ids = list(quote_nodes)
        items = await self.q(
            "SELECT i.id, i.quote_id, i.quantity, i.unit_price, i.line_total, p.id, p.name, p.code "
            "FROM quote_items i LEFT JOIN products p ON p.id = i.product_id AND p.deleted_at IS NULL "
            f"WHERE i.quote_id IN ({marks(quote_ids)}) ORDER BY i.quote_id, i.position, i.id",
            quote_ids,
        )
        for i in items:
            siblings = quote_nodes[i[1]]["items"]["nodes"]
            if len(siblings) >= item_limit:
                continue
            product = {"id": gid("Product", i[5]), "name": i[6], "code": i[7]} if i[5] is not None else None
            siblings.append({"id": gid("QuoteItem", i[0]), "quantity": qty(i[2]), "unitPrice": qty(i[3]),
                             "lineTotal": money(i[4]), "product": product})  # fmt: skip
        return by_account

    async def account_360(self, id: int) -> dict[str, Any]:
        rows = await self.q("SELECT id, name, city, industry FROM accounts WHERE id = ? AND deleted_at IS NULL", [id])
        if not rows:
            return {"node": None}
        a = rows[0]
        contacts = await self.q(
            "SELECT id, first_name, last_name, email FROM contacts WHERE account_id = ? AND deleted_at IS NULL "
            "ORDER BY id LIMIT 20",
            [id],
        )
        tree = await self._opportunity_tree([id], 20, 20, detail=True)
        node = {
            "id": gid("Account", a[0]), "name": a[1], "city": a[2], "industry": a[3],
            "contacts": {"nodes": [{"id": gid("Contact", c[0]), "firstName": c[1], "lastName": c[2], "email": c[3]}
                                   for c in contacts]},
            "opportunities": {"nodes": tree.get(id, [])},
        }  # fmt: skip
        return {"node": node}

    async def deep_graph(self, first: int) -> dict[str, Any]:
        accounts = await self.q(
            "SELECT id, name FROM accounts WHERE deleted_at IS NULL ORDER BY name, id LIMIT ?", [first]
        )
        tree = await self._opportunity_tree([a[0] for a in accounts], 10, 10, detail=False)
        nodes = [{"id": gid("Account", a[0]), "name": a[1], "opportunities": {"nodes": tree.get(a[0], [])}}
                 for a in accounts]  # fmt: skip
        return {"accounts": {"nodes": nodes}}

    _OPEN = "FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE o.deleted_at IS NULL AND s.kind = 'OPEN'"

    async def pipeline_page(self, first: int) -> dict[str, Any]:
        rows = await self.q(
            f"SELECT o.id, o.amount, o.expected_revenue, s.id, s.name {self._OPEN} "
            "ORDER BY o.amount IS NULL, o.amount DESC, o.id LIMIT ?",
            [first],
        )
        total = (await self.q(f"SELECT COUNT(*) {self._OPEN}"))[0][0]
        nodes = [{"id": gid("Opportunity", r[0]), "amount": money(r[1]), "expectedRevenue": money(r[2]),
                  "stage": {"id": gid("Stage", r[3]), "name": r[4]}} for r in rows]  # fmt: skip
        return {"opportunities": {"totalCount": total, "nodes": nodes}}

    async def pipeline_summary(self) -> dict[str, Any]:
        rows = await self.q(
            f"SELECT s.id, s.name, COUNT(*), SUM(o.amount), SUM(o.expected_revenue) {self._OPEN} "
            "GROUP BY s.id, s.name, s.position ORDER BY s.position"
        )
        groups = [{"key": gid("Stage", r[0]), "label": r[1], "count": r[2], "amount": money(int(r[3] or 0)),
                   "weightedAmount": money(int(r[4] or 0))} for r in rows]  # fmt: skip
        return {"pipelineSummary": groups}


def create_app(url: str | None = None) -> Starlette:
    database = Database(url or os.environ["BENCH_DATABASE_URL"])

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.open()
        try:
            yield
        finally:
            await database.close()

    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        name = body.pop("op")
        if name.startswith("_") or name not in FLOOR_OPS:
            return Response(b'{"error":"unknown op"}', status_code=400, media_type="application/json")
        ops = Ops(database)
        data = await getattr(ops, name)(**body)
        return Response(
            orjson.dumps({"data": data}),
            media_type="application/json",
            headers={"x-statements": str(ops.statements)},
        )

    async def health(request: Request) -> Response:
        return Response(b"ok")

    return Starlette(routes=[Route("/", endpoint, methods=["POST"]), Route("/health", health)], lifespan=lifespan)


FLOOR_OPS = {"accounts_page", "account_360", "deep_graph", "pipeline_page", "pipeline_summary"}


def app_factory() -> Starlette:
    return create_app()
