"""Nested pages are limited per parent in SQL: ``first: 1`` under a parent with 1,000
children reads 2 rows of them (the page and one to answer hasNextPage), not 1,000.

Rows are counted as the database hands them to Python (``db.count_rows``), so a loader
that fetches every child and slices in Python fails here even when its statement count is fine.
"""

from __future__ import annotations

from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.db import count_rows, count_statements

CHILDREN = 1000

NESTED = """{ accounts(first: 1, orderBy: [{field: NAME}]) { nodes { name
  opportunities(first: 1, orderBy: [{field: TITLE}]) { nodes { title } pageInfo { hasNextPage endCursor } } } } }"""
NESTED_AFTER = """query($after: String) { accounts(first: 1, orderBy: [{field: NAME}]) { nodes {
  opportunities(first: 2, after: $after, orderBy: [{field: TITLE}]) { nodes { title } pageInfo { hasNextPage } } } } }"""
NESTED_COUNT = """{ accounts(first: 1, orderBy: [{field: NAME}]) { nodes {
  opportunities(first: 1) { totalCount } } } }"""
NESTED_LAST = """{ accounts(first: 1, orderBy: [{field: NAME}]) { nodes {
  opportunities(last: 1, orderBy: [{field: TITLE}]) { nodes { title } pageInfo { hasPreviousPage } } } } }"""
TIMELINE = """query($id: ID!) { account(id: $id) { timeline(first: 1) { nodes { kind subjectType }
  pageInfo { hasNextPage } } } }"""
TIMELINE_COUNT = """query($id: ID!) { account(id: $id) { timeline(first: 1) { totalCount } } }"""


async def _big_account() -> Any:
    stage = await m.Stage.filter(is_default=True).first()
    big = await m.Account.create(name="A big account")
    await m.Account.create(name="B other account")
    await m.Opportunity.bulk_create(
        [
            m.Opportunity(
                title=f"Deal {i:04d}",
                account_id=big.id,
                stage_id=stage.id,
                pipeline_id=stage.pipeline_id,
                currency="EUR",
            )
            for i in range(CHILDREN)
        ]
    )
    opp = await m.Opportunity.filter(account_id=big.id).first()
    await m.TimelineEvent.bulk_create(
        [m.TimelineEvent(subject_type="Account", subject_id=big.id, kind="UPDATED", data={}) for _ in range(CHILDREN)]
        + [
            m.TimelineEvent(subject_type="Opportunity", subject_id=opp.id, account_id=big.id, kind="UPDATED", data={})
            for _ in range(CHILDREN)
        ]
    )
    return big


async def _rows(gql: Any, query: str, variables: dict[str, Any] | None = None) -> tuple[Any, int, int]:
    await gql("{ viewer { id } }")  # the token lookup is cached, and not what this measures
    with count_rows() as rows, count_statements() as statements:
        data = await gql(query, variables)
    return data, rows.rows, statements.count


async def test_first_one_under_a_thousand_children_reads_two_rows(gql: Any) -> None:
    # given an account with 1,000 opportunities (and another account after it)
    await _big_account()
    # when the first account's first opportunity is read
    data, rows, statements = await _rows(gql, NESTED)
    # then 2 account rows (page + 1) and 2 opportunity rows (page + 1) were fetched, in 2 statements
    (account,) = data["accounts"]["nodes"]
    assert account["opportunities"]["nodes"] == [{"title": "Deal 0000"}]
    assert account["opportunities"]["pageInfo"]["hasNextPage"] is True
    assert (rows, statements) == (4, 2)


async def test_a_cursor_page_is_limited_inside_the_window(gql: Any) -> None:
    # given the cursor of the first opportunity
    await _big_account()
    first, _, _ = await _rows(gql, NESTED)
    after = first["accounts"]["nodes"][0]["opportunities"]["pageInfo"]["endCursor"]
    # when the next two are read after it
    data, rows, _ = await _rows(gql, NESTED_AFTER, {"after": after})
    # then they are the next two by title, and 3 opportunity rows were fetched
    page = data["accounts"]["nodes"][0]["opportunities"]
    assert page == {"nodes": [{"title": "Deal 0001"}, {"title": "Deal 0002"}], "pageInfo": {"hasNextPage": True}}
    assert rows == 2 + 3


async def test_last_one_reads_from_the_end(gql: Any) -> None:
    await _big_account()
    data, rows, _ = await _rows(gql, NESTED_LAST)
    page = data["accounts"]["nodes"][0]["opportunities"]
    assert page == {"nodes": [{"title": f"Deal {CHILDREN - 1:04d}"}], "pageInfo": {"hasPreviousPage": True}}
    assert rows == 2 + 2


async def test_nested_total_count_is_one_grouped_count(gql: Any) -> None:
    await _big_account()
    data, rows, statements = await _rows(gql, NESTED_COUNT)
    assert data["accounts"]["nodes"] == [{"opportunities": {"totalCount": CHILDREN}}]
    # accounts page (2 rows), the opportunity page (2 rows), one grouped count (1 row)
    assert (rows, statements) == (5, 3)


async def test_timeline_first_one_reads_two_events(gql: Any) -> None:
    # given an account with 1,000 events of its own and 1,000 of one of its opportunities
    big = await _big_account()
    # when its newest event is read
    data, rows, _ = await _rows(gql, TIMELINE, {"id": to_global_id("Account", big.id)})
    # then one account row and two event rows were fetched
    timeline = data["account"]["timeline"]
    assert len(timeline["nodes"]) == 1 and timeline["pageInfo"]["hasNextPage"] is True
    assert rows == 1 + 2
    # and the count of both kinds of events is one grouped count
    data, rows, _ = await _rows(gql, TIMELINE_COUNT, {"id": to_global_id("Account", big.id)})
    assert data["account"]["timeline"]["totalCount"] == 2 * CHILDREN
    assert rows == 1 + 2 + 1
