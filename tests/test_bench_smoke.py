"""The bench cannot rot: a tiny scale, every bench operation once, exact answer sizes."""

from __future__ import annotations

from typing import Any

from bench import generate, queries
from bench.floor_app import Ops
from crm_graphql import db
from crm_graphql.cli import export_schema_text


class _TortoiseFetch:
    """The floor's SQL run through the test's own connection (``?`` placeholders)."""

    def __init__(self) -> None:
        from tortoise import connections

        self.conn = connections.get("default")
        self.pg = self.conn.capabilities.dialect == "postgres"

    async def fetch(self, sql: str, args: Any = ()) -> list[Any]:
        if self.pg:
            parts = sql.split("?")
            sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        _, rows = await self.conn.execute_query(sql, list(args))
        return [tuple(r.values()) if hasattr(r, "values") else tuple(r) for r in rows]


async def test_bench_operations_answer_the_expected_counts(gql: Any) -> None:
    sizes = await generate.load(0.01)
    assert sizes.accounts == 10
    assert sizes.items == 500
    ops, _notes = queries.operations(sizes, export_schema_text())
    names = [op.name.split()[0] for op in ops]
    assert names[:4] == ["Q1", "Q2", "Q3", "Q4"]
    for op in ops:
        if op.mutation:
            continue
        for i in (0, 3):
            with db.count_statements() as counter:
                data = await gql(op.document, op.variables(i))
            assert op.count(data) == op.expected, op.name
            assert counter.count < 20, (op.name, counter.statements)


async def test_floor_answers_the_same_counts(gql: Any) -> None:
    sizes = await generate.load(0.01)
    ops, _notes = queries.operations(sizes, export_schema_text())
    floor = Ops(_TortoiseFetch())  # type: ignore[arg-type]
    for op in ops:
        if op.floor is None:
            continue
        args = op.floor(1)
        name = args.pop("op")
        data = await getattr(floor, name)(**args)
        assert op.count(data) == op.expected, op.name
        graphql = await gql(op.document, op.variables(1))
        assert op.count(graphql) == op.count(data)


async def test_bench_mutations_succeed_when_present(gql: Any) -> None:
    sizes = await generate.load(0.01)
    ops, notes = queries.operations(sizes, export_schema_text())
    mutations = [op for op in ops if op.mutation]
    for op in mutations:
        data = await gql(op.document, op.variables(0))
        assert op.count(data) == op.expected, (op.name, data)
    assert len(mutations) + sum(note.startswith("M") for note in notes) == 2
