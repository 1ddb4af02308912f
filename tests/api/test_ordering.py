"""orderBy: ties broken by id, nulls last in both directions, several keys; paging agrees."""

from __future__ import annotations

from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id

Q = """query($order: [AccountOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  accounts(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    nodes { id name city } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""

ROWS = [
    ("Acme", "Berlin"),
    ("Bolt", None),
    ("Acme", None),
    ("Cask", "Aachen"),
    ("Bolt", "Berlin"),
    ("Dune", None),
    ("Acme", "Berlin"),
]


async def setup() -> list[m.Account]:
    out = []
    for name, city in ROWS:
        out.append(await m.Account.create(name=name, city=city))
    return out


def expected(rows: list[m.Account], keys: list[tuple[str, bool]]) -> list[str]:
    ordered = sorted(rows, key=lambda r: r.id)
    for column, desc in reversed(keys):
        present = sorted(
            [r for r in ordered if getattr(r, column) is not None], key=lambda r: getattr(r, column), reverse=desc
        )
        ordered = present + [r for r in ordered if getattr(r, column) is None]
    return [to_global_id("Account", r.id) for r in ordered]


async def walk(gql: Any, order: list[dict[str, str]], size: int) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        conn = (await gql(Q, {"order": order, "first": size, "after": after}))["accounts"]
        ids += [n["id"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return ids
        after = conn["pageInfo"]["endCursor"]


async def walk_back(gql: Any, order: list[dict[str, str]], size: int) -> list[str]:
    ids: list[str] = []
    before = None
    while True:
        conn = (await gql(Q, {"order": order, "last": size, "before": before}))["accounts"]
        ids = [n["id"] for n in conn["nodes"]] + ids
        if not conn["pageInfo"]["hasPreviousPage"]:
            return ids
        before = conn["pageInfo"]["startCursor"]


CASES = [
    ([{"field": "NAME", "direction": "ASC"}], [("name", False)]),
    ([{"field": "NAME", "direction": "DESC"}], [("name", True)]),
    ([{"field": "CITY", "direction": "ASC"}], [("city", False)]),
    ([{"field": "CITY", "direction": "DESC"}], [("city", True)]),
    (
        [{"field": "NAME", "direction": "ASC"}, {"field": "CITY", "direction": "DESC"}],
        [("name", False), ("city", True)],
    ),
    (
        [{"field": "CITY", "direction": "ASC"}, {"field": "NAME", "direction": "DESC"}],
        [("city", False), ("name", True)],
    ),
]


async def test_orderings_with_ties_and_nulls(gql: Any) -> None:
    rows = await setup()
    for order, keys in CASES:
        want = expected(rows, keys)
        whole = (await gql(Q, {"order": order, "first": 100}))["accounts"]["nodes"]
        assert [n["id"] for n in whole] == want, order
        for size in (1, 2, 3):
            assert await walk(gql, order, size) == want, (order, size)
            assert await walk_back(gql, order, size) == want, (order, size)


async def test_nulls_last_both_directions(gql: Any) -> None:
    await setup()
    for direction in ("ASC", "DESC"):
        nodes = (await gql(Q, {"order": [{"field": "CITY", "direction": direction}]}))["accounts"]["nodes"]
        cities = [n["city"] for n in nodes]
        assert cities[-3:] == [None, None, None]
        assert None not in cities[:-3]


async def test_cursor_of_other_ordering_refused(gql: Any) -> None:
    await setup()
    conn = (await gql(Q, {"order": [{"field": "NAME"}, {"field": "CITY"}], "first": 1}))["accounts"]
    body = await gql(Q, {"order": [{"field": "NAME"}], "first": 1, "after": conn["pageInfo"]["endCursor"]}, errors=True)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_PAGINATION"]
