"""Keyset pagination: forwards, backwards, stable under inserts, limits and pageInfo."""

from __future__ import annotations

from typing import Any

from crm_graphql import models as m

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  accounts(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { name } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def make_accounts(names: list[str]) -> None:
    await m.Account.bulk_create([m.Account(name=n) for n in names])


def names(conn: dict[str, Any]) -> list[str]:
    assert [e["node"] for e in conn["edges"]] == conn["nodes"]
    return [n["name"] for n in conn["nodes"]]


async def test_default_page_is_20(gql: Any) -> None:
    await make_accounts([f"A{i:03d}" for i in range(25)])
    conn = (await gql(PAGE))["accounts"]
    assert names(conn) == [f"A{i:03d}" for i in range(20)]
    assert conn["totalCount"] == 25
    assert conn["pageInfo"]["hasNextPage"] is True
    assert conn["pageInfo"]["hasPreviousPage"] is False
    assert conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"]
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]


async def test_forward_pages_stable_under_inserts(gql: Any) -> None:
    await make_accounts([f"B{i:03d}" for i in range(0, 40, 2)])  # even numbers
    seen: list[str] = []
    after = None
    inserted = 0
    while True:
        conn = (await gql(PAGE, {"first": 3, "after": after}))["accounts"]
        seen.extend(names(conn))
        if after is not None:
            assert conn["pageInfo"]["hasPreviousPage"] is True
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        # rows inserted before the cursor never shift the next page
        await make_accounts([f"A{inserted:03d}", f"B{int(seen[-1][1:]) - 1:03d}"])
        inserted += 1
    assert seen == [f"B{i:03d}" for i in range(0, 40, 2)]
    assert len(set(seen)) == len(seen)


async def test_backward_pages(gql: Any) -> None:
    await make_accounts([f"C{i:03d}" for i in range(10)])
    conn = (await gql(PAGE, {"last": 4}))["accounts"]
    assert names(conn) == ["C006", "C007", "C008", "C009"]
    assert conn["pageInfo"]["hasPreviousPage"] is True
    assert conn["pageInfo"]["hasNextPage"] is False
    seen = names(conn)
    before = conn["pageInfo"]["startCursor"]
    while True:
        await make_accounts([f"D{len(seen):03d}"])  # after every cursor: never shows up
        conn = (await gql(PAGE, {"last": 4, "before": before}))["accounts"]
        assert conn["pageInfo"]["hasNextPage"] is True
        seen = names(conn) + seen
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert seen == [f"C{i:03d}" for i in range(10)]


async def test_forward_then_backward_meet(gql: Any) -> None:
    await make_accounts([f"E{i:03d}" for i in range(7)])
    first = (await gql(PAGE, {"first": 4}))["accounts"]
    back = (await gql(PAGE, {"last": 10, "before": first["edges"][3]["cursor"]}))["accounts"]
    assert names(back) == ["E000", "E001", "E002"]
    assert back["pageInfo"]["hasPreviousPage"] is False
    rest = (await gql(PAGE, {"first": 100, "after": first["pageInfo"]["endCursor"]}))["accounts"]
    assert names(rest) == ["E004", "E005", "E006"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_empty_and_zero(gql: Any) -> None:
    conn = (await gql(PAGE))["accounts"]
    assert conn == {
        "totalCount": 0,
        "edges": [],
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }
    await make_accounts(["F"])
    assert names((await gql(PAGE, {"first": 0}))["accounts"]) == []


async def refused(gql: Any, variables: dict[str, Any]) -> list[Any]:
    body = await gql(PAGE, variables, errors=True)
    assert body.get("data") is None or body["data"].get("accounts") is None, body
    return [e.get("extensions", {}).get("code") for e in body["errors"]]


async def test_limits_refused_never_clamped(gql: Any) -> None:
    await make_accounts([f"G{i:03d}" for i in range(3)])
    assert await refused(gql, {"first": 101}) == ["INVALID_PAGINATION"]
    assert await refused(gql, {"last": 101}) == ["INVALID_PAGINATION"]
    assert await refused(gql, {"first": -1}) == ["INVALID_PAGINATION"]
    assert await refused(gql, {"first": 2, "last": 2}) == ["INVALID_PAGINATION"]
    assert await refused(gql, {"first": 2, "after": "not a cursor"}) == ["INVALID_PAGINATION"]
    assert names((await gql(PAGE, {"first": 100}))["accounts"]) == ["G000", "G001", "G002"]


async def test_nested_connection_limits(gql: Any) -> None:
    await make_accounts(["H"])
    body = await gql("{ accounts { nodes { opportunities(first: 101) { totalCount } } } }", errors=True)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_PAGINATION"]


async def test_nested_pages_per_parent(gql: Any) -> None:
    stage = await m.Stage.filter(is_default=True).first()
    assert stage is not None
    await make_accounts(["I1", "I2"])
    accounts = await m.Account.all().order_by("name")
    for a in accounts:
        for j in range(3):
            await m.Opportunity.create(title=f"{a.name}-{j}", account=a, stage=stage, currency="EUR")
    q = """{ accounts { nodes { name opportunities(first: 2, orderBy: [{field: TITLE}]) {
        totalCount nodes { title } pageInfo { hasNextPage endCursor } } } } }"""
    data = (await gql(q))["accounts"]["nodes"]
    assert [[o["title"] for o in a["opportunities"]["nodes"]] for a in data] == [["I1-0", "I1-1"], ["I2-0", "I2-1"]]
    assert all(a["opportunities"]["totalCount"] == 3 and a["opportunities"]["pageInfo"]["hasNextPage"] for a in data)
    cursor = data[0]["opportunities"]["pageInfo"]["endCursor"]
    q2 = """query($c: String) { accounts(first: 1) { nodes { opportunities(first: 2, after: $c,
        orderBy: [{field: TITLE}]) { nodes { title } pageInfo { hasNextPage } } } } }"""
    page2 = (await gql(q2, {"c": cursor}))["accounts"]["nodes"][0]["opportunities"]
    assert page2 == {"nodes": [{"title": "I1-2"}], "pageInfo": {"hasNextPage": False}}
