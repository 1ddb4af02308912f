"""Winning, losing, reopening, moving; contracts; won deals are locked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from converting import WIN, counts, deal, product
from factories import ERR, call, create, pk, user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import ProductKind

LOSE = f"""mutation($input: LoseOpportunityInput!) {{ loseOpportunity(input: $input) {{
  opportunity {{ id status probability lostReason stage {{ name }} }} {ERR} }} }}"""
REOPEN = f"""mutation($input: ReopenOpportunityInput!) {{ reopenOpportunity(input: $input) {{
  opportunity {{ id status probability closedAt isLocked stage {{ name }} contracts(first: 10) {{ nodes {{ status }} }} }}
  {ERR} }} }}"""
MOVE = f"""mutation($input: MoveOpportunityToStageInput!) {{ moveOpportunityToStage(input: $input) {{
  opportunity {{ id status probability stage {{ name }} contracts(first: 10) {{ totalCount }} }} {ERR} }} }}"""
UPDATE_OPP = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
  opportunity {{ id title }} {ERR} }} }}"""
UPDATE_QUOTE = f"mutation($input: UpdateQuoteInput!) {{ updateQuote(input: $input) {{ quote {{ id }} {ERR} }} }}"
DELETE_QUOTE = f"mutation($input: DeleteQuoteInput!) {{ deleteQuote(input: $input) {{ {ERR} }} }}"


async def stage(name: str) -> str:
    return to_global_id("Stage", (await m.Stage.get(name=name)).id)


async def test_win_makes_time_based_and_one_time_contracts(gql: Any) -> None:
    support = await product("support", ProductKind.TIME_BASED, 12)
    laptop = await product("laptop")
    ids = await deal(gql, [(support, "1", "1200"), (laptop, "2", "999.99"), (None, "1", "50")], discount="10")
    payload = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2026-03-15"})
    opp = payload["opportunity"]
    assert (opp["status"], opp["probability"], opp["closeDate"], opp["isLocked"]) == ("WON", 100, "2026-03-15", True)
    assert opp["closedAt"] is not None and opp["stage"]["name"] == "Closed Won"
    by_kind = {c["kind"]: c for c in payload["contracts"]}
    assert len(payload["contracts"]) == 2  # the manual line makes none
    assert by_kind["TIME_BASED"]["startDate"] == "2026-03-15" and by_kind["TIME_BASED"]["endDate"] == "2027-03-15"
    assert by_kind["ONE_TIME"]["endDate"] is None and by_kind["ONE_TIME"]["quantity"] == "2"
    quote = await m.Quote.get(id=pk(ids["quote"]))
    # net 3249.98 - 10 % = 2924.98, allocated over the line totals 1200 / 1999.98 / 50
    assert quote.net_total == Decimal("2924.98")
    values = [by_kind["TIME_BASED"]["value"], by_kind["ONE_TIME"]["value"]]
    assert values == ["1080.00", "1799.98"]
    assert [c["number"] for c in payload["contracts"]] == ["C-00001", "C-00002"]
    links = await m.LineageLink.filter(kind="OPPORTUNITY_TO_CONTRACT").count()
    assert links == 2
    # winning twice
    before = await counts()
    await call(
        gql,
        WIN,
        {"opportunityId": ids["opportunity"]},
        [user_error("input.opportunityId", "INVALID_TRANSITION", "This opportunity is already WON.")],
    )
    assert await counts() == before


async def test_contract_values_sum_to_net_total(gql: Any) -> None:
    a, b, c = await product("a"), await product("b"), await product("c")
    ids = await deal(gql, [(a, "1", "10"), (b, "1", "10"), (c, "1", "10")], discount="33.33")
    payload = await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    quote = await m.Quote.get(id=pk(ids["quote"]))
    from decimal import Decimal

    assert sum(Decimal(c["value"]) for c in payload["contracts"]) == quote.net_total == Decimal("20.00")


async def test_month_end_clamp(gql: Any) -> None:
    monthly = await product("monthly", ProductKind.TIME_BASED, 1)
    ids = await deal(gql, [(monthly, "1", "10")])
    payload = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2027-01-31"})
    assert payload["contracts"][0]["endDate"] == "2027-02-28"
    import datetime as dt

    from crm_graphql.services.contracts import add_months

    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


async def test_won_opportunity_is_locked_until_reopened(gql: Any) -> None:
    ids = await deal(gql, [(await product("laptop"), "1", "100")])
    other_quote = await create(gql, "Quote", {"opportunityId": ids["opportunity"]})
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    before = await counts()
    opp_version = (await m.Opportunity.get(id=pk(ids["opportunity"]))).version
    locked = "LOCKED"
    for query, values in (
        (UPDATE_OPP, {"id": ids["opportunity"], "title": "changed"}),
        (UPDATE_QUOTE, {"id": ids["quote"], "name": "changed"}),
        (DELETE_QUOTE, {"id": other_quote}),
    ):
        payload = await gql(query, {"input": values})
        errors = next(iter(payload.values()))["userErrors"]
        assert [e["code"] for e in errors] == [locked], errors
    add_opp_item = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{
      {ERR} }} }}"""
    add_quote_item = f"""mutation($input: AddManualQuoteItemInput!) {{ addManualQuoteItem(input: $input) {{
      {ERR} }} }}"""
    for query, values in (
        (add_opp_item, {"opportunityId": ids["opportunity"], "items": [{"name": "x", "unitPrice": "1"}]}),
        (add_quote_item, {"quoteId": ids["quote"], "name": "x", "unitPrice": "1"}),
    ):
        errors = next(iter((await gql(query, {"input": values})).values()))["userErrors"]
        assert [e["code"] for e in errors] == [locked], errors
    created = await gql(
        f"""mutation($input: CreateQuoteInput!) {{ createQuote(input: $input) {{ quote {{ id }} {ERR} }} }}""",
        {"input": {"opportunityId": ids["opportunity"]}},
    )
    assert [e["code"] for e in created["createQuote"]["userErrors"]] == [locked]
    assert await counts() == before
    assert (await m.Opportunity.get(id=pk(ids["opportunity"]))).version == opp_version
    # reopen: contracts cancelled (kept), writes allowed again
    payload = await call(gql, REOPEN, {"opportunityId": ids["opportunity"]})
    opp = payload["opportunity"]
    assert (opp["status"], opp["probability"], opp["closedAt"], opp["isLocked"]) == ("OPEN", 10, None, False)
    assert opp["stage"]["name"] == "Prospecting"
    assert opp["contracts"]["nodes"] == [{"status": "CANCELLED"}]
    assert (await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "title": "changed"}))["opportunity"][
        "title"
    ] == "changed"
    await call(gql, UPDATE_QUOTE, {"id": ids["quote"], "name": "changed"})
    await call(gql, DELETE_QUOTE, {"id": other_quote})


async def test_lose_and_move(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    opp = await create(gql, "Opportunity", {"title": "Deal", "accountId": account})
    moved = await call(gql, MOVE, {"opportunityId": opp, "stageId": await stage("Negotiation")})
    assert (moved["opportunity"]["probability"], moved["opportunity"]["stage"]["name"]) == (75, "Negotiation")
    lost = await call(gql, LOSE, {"opportunityId": opp, "reason": "Too expensive"})
    assert lost["opportunity"] == {
        "id": opp,
        "status": "LOST",
        "probability": 0,
        "lostReason": "Too expensive",
        "stage": {"name": "Closed Lost"},
    }
    await call(
        gql,
        MOVE,
        {"opportunityId": opp, "stageId": await stage("Proposal")},
        [user_error("input.opportunityId", "LOCKED", "This opportunity is closed: reopen it to move it.")],
    )
    await call(gql, REOPEN, {"opportunityId": opp, "stageId": await stage("Proposal")})
    won = await call(gql, MOVE, {"opportunityId": opp, "stageId": await stage("Closed Won")})
    assert (won["opportunity"]["status"], won["opportunity"]["probability"]) == ("WON", 100)
    await call(
        gql,
        REOPEN,
        {"opportunityId": opp, "stageId": await stage("Closed Lost")},
        [user_error("input.stageId", "INVALID_TRANSITION", "Reopen into an open stage.")],
    )


LOG = f"""mutation($input: LogActivityInput!) {{ logActivity(input: $input) {{
  activity {{ id subject isDone doneAt }} {ERR} }} }}"""
COMPLETE = f"""mutation($input: CompleteActivityInput!) {{ completeActivity(input: $input) {{
  activity {{ id isDone doneAt }} {ERR} }} }}"""


async def test_log_and_complete_activity(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    opp = await create(gql, "Opportunity", {"title": "Deal", "accountId": account})
    activity = (await call(gql, LOG, {"type": "CALL", "subject": "Intro", "opportunityId": opp}))["activity"]
    assert activity["isDone"] is False
    done = (await call(gql, COMPLETE, {"activityId": activity["id"]}))["activity"]
    assert done["isDone"] is True and done["doneAt"] is not None
    await call(
        gql,
        COMPLETE,
        {"activityId": activity["id"]},
        [user_error("input.activityId", "INVALID_TRANSITION", "This activity is done already.")],
    )
    kinds = [e.kind for e in await m.TimelineEvent.filter(subject_type="Opportunity", subject_id=pk(opp))]
    assert "ACTIVITY" in kinds
