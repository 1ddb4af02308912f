"""Pages of children for many parents in one statement, limited per parent in SQL.

``windowed`` wraps a filtered queryset (visibility, filter and keyset cursor already in its
WHERE) as::

    SELECT * FROM (
      SELECT ..., ROW_NUMBER() OVER (PARTITION BY <parent> ORDER BY <sort keys>, id) AS _rn
      FROM ... WHERE ...
    ) _page WHERE _page._rn <= :limit

so a parent with 50,000 children hands ``first + 1`` rows to Python, not 50,000 (window
functions exist on SQLite since 3.25 and on PostgreSQL). ``grouped_counts`` is the matching
``totalCount``: one ``GROUP BY <parent>`` statement, run only when a client selects it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql.api.connection import SortKey


def column(model: type[Model], name: str) -> str:
    """``"table"."column"`` for a model field (a foreign key by its ``_id`` name too)."""
    field = model._meta.fields_map.get(name)
    source = getattr(field, "source_field", None) or name
    return f'"{model._meta.db_table}"."{source}"'


def _order_sql(model: type[Model], keys: Sequence[SortKey], forward: bool) -> str:
    """The ORDER BY of ``connection.ordered`` as SQL: nulls last forward, first backward."""
    terms: list[str] = []
    for key in keys:
        col = column(model, key.column)
        if key.nullable:
            terms.append(f"CASE WHEN {col} IS NULL THEN 1 ELSE 0 END {'ASC' if forward else 'DESC'}")
        descending = key.descending != (not forward)
        terms.append(f"{col} {'DESC' if descending else 'ASC'}")
    return ", ".join(terms)


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    qs._choose_db_if_not_chosen()
    qs._make_query()
    sql, params = qs.query.get_parameterized_sql()
    return sql, list(params)


async def windowed(
    qs: QuerySet[Any], partition: str, keys: Sequence[SortKey], forward: bool, limit: int
) -> dict[Any, list[Any]]:
    """At most ``limit`` rows of ``qs`` per value of the SQL expression ``partition``, in
    traversal order, keyed by that value."""
    model = qs.model
    window = f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {_order_sql(model, keys, forward)})"
    inner = qs.annotate(_parent=RawSQL(partition), _rn=RawSQL(window))
    sql, params = _sql(inner)
    wrapped = f'SELECT * FROM ({sql}) "_page" WHERE "_page"."_rn" <= {int(limit)}'
    db = inner._db
    rows = await db.executor_class(model=model, db=db).execute_select(wrapped, params, custom_fields=["_parent", "_rn"])
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r._rn):
        grouped[row._parent].append(row)
    return grouped


async def grouped_counts(qs: QuerySet[Any], partition: str) -> dict[Any, int]:
    """``COUNT(*)`` of ``qs`` per value of ``partition``, in one statement."""
    inner = qs.annotate(_parent=RawSQL(partition))
    sql, params = _sql(inner)
    wrapped = f'SELECT "_c"."_parent" AS "parent", COUNT(*) AS "n" FROM ({sql}) "_c" GROUP BY "_c"."_parent"'
    rows = await inner._db.execute_query_dict(wrapped, params)
    return {row["parent"]: int(row["n"]) for row in rows}
