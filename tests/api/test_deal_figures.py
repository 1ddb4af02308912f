"""What a Kanban board and an account 360 page read without client-side arithmetic (issue 12):
``stageEnteredAt``, ``nextActivity``, ``amountIn(currency:)``, ``openPipelineAmount`` and
``wonAmount`` (exact, over what the viewer may see, converted as pipelineSummary converts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from factories import ERR, create, mutate

from crm_graphql import models as m
from crm_graphql.api.relay import from_global_id
from crm_graphql.enums import Role

DEAL = """query($id: ID!) { opportunity(id: $id) { stageEnteredAt createdAt stage { name }
  timeline(first: 50) { nodes { kind changes { field } } } } }"""
ENTERED = "query($id: ID!) { opportunity(id: $id) { stageEnteredAt } }"


async def entered(gql: Any, deal: str) -> str:
    return str((await gql(ENTERED, {"id": deal}))["opportunity"]["stageEnteredAt"])


async def stage_named(name: str) -> str:
    from crm_graphql.api.relay import to_global_id

    default = await m.Pipeline.get(is_default=True)
    return to_global_id("Stage", (await m.Stage.get(name=name, pipeline_id=default.id)).id)


async def test_stage_entered_at_follows_every_stage_change(gql: Any) -> None:
    # given a new deal: it entered its stage when it was created
    account = await create(gql, "Account", {"name": "Acme"})
    deal = await create(gql, "Opportunity", {"title": "Deal", "accountId": account})
    data = (await gql(DEAL, {"id": deal}))["opportunity"]
    assert data["stageEnteredAt"] == data["createdAt"]
    seen = [data["stageEnteredAt"]]

    async def changed() -> None:
        now = await entered(gql, deal)
        assert now > seen[-1], (now, seen)
        seen.append(now)

    # an edit that keeps the stage keeps it
    await mutate(gql, "updateOpportunity", {"id": deal, "title": "Renamed"})
    assert await entered(gql, deal) == seen[-1]
    # updateOpportunity to another stage, without stageEnteredAt among the UPDATED changes
    await mutate(gql, "updateOpportunity", {"id": deal, "stageId": await stage_named("Qualification")})
    await changed()
    events = (await gql(DEAL, {"id": deal}))["opportunity"]["timeline"]["nodes"]
    assert all(c["field"] != "stageEnteredAt" for e in events for c in e["changes"])
    # moving to the same stage is no move
    same = await stage_named("Qualification")
    await mutate(gql, "moveOpportunityToStage", {"opportunityId": deal, "stageId": same})
    assert await entered(gql, deal) == seen[-1]
    # moveOpportunityToStage, win, reopen, lose, reopen, a move to another pipeline
    await mutate(gql, "moveOpportunityToStage", {"opportunityId": deal, "stageId": await stage_named("Proposal")})
    await changed()
    await mutate(gql, "winOpportunity", {"opportunityId": deal})
    await changed()
    await mutate(gql, "reopenOpportunity", {"opportunityId": deal})
    await changed()
    await mutate(gql, "loseOpportunity", {"opportunityId": deal})
    await changed()
    await mutate(gql, "reopenOpportunity", {"opportunityId": deal})
    await changed()
    made = await mutate(gql, "createPipeline", {"name": "Renewals"}, "pipeline { stages { id kind } }")
    target = next(s["id"] for s in made["pipeline"]["stages"] if s["kind"] == "OPEN")
    await mutate(gql, "moveOpportunityToPipeline", {"opportunityId": deal, "stageId": target})
    await changed()


NEXT = """query($id: ID!) { opportunity(id: $id) { nextActivity { subject dueAt isDone } } }"""


async def test_next_activity_is_the_first_due_open_one_the_viewer_may_see(gql: Any, actors: Any) -> None:
    # given a deal with activities: done, without due date, due later, due first but hidden
    # from the admin (also attached to rep A's private account), due second
    rep_a = gql.as_(actors[Role.SALES_REP])
    account = await create(gql, "Account", {"name": "Acme"})
    deal = await create(gql, "Opportunity", {"title": "Deal", "accountId": account})
    opp_id = from_global_id(deal)[1]
    secret = await create(rep_a, "Account", {"name": "Secret", "isPrivate": True})
    day = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert (await gql(NEXT, {"id": deal}))["opportunity"]["nextActivity"] is None
    await m.Activity.create(type="CALL", subject="Done", opportunity_id=opp_id, due_at=day, is_done=True)
    await m.Activity.create(type="NOTE", subject="No date", opportunity_id=opp_id)
    await m.Activity.create(type="TASK", subject="Later", opportunity_id=opp_id, due_at=day + dt.timedelta(days=9))
    await m.Activity.create(
        type="CALL",
        subject="Hidden",
        opportunity_id=opp_id,
        due_at=day + dt.timedelta(days=1),
        account_id=from_global_id(secret)[1],
    )
    second = await m.Activity.create(
        type="MEETING", subject="Second", opportunity_id=opp_id, due_at=day + dt.timedelta(days=2)
    )
    # then the admin sees the second; rep A, who sees the hidden one, sees that one
    answer = (await gql(NEXT, {"id": deal}))["opportunity"]["nextActivity"]
    assert answer == {"subject": "Second", "dueAt": "2027-03-03T09:00:00+00:00", "isDone": False}
    assert (await rep_a(NEXT, {"id": deal}))["opportunity"]["nextActivity"]["subject"] == "Hidden"
    # and once the second is done, the one due later is next
    from crm_graphql.api.relay import to_global_id

    await mutate(gql, "completeActivity", {"activityId": to_global_id("Activity", second.id)})
    assert (await gql(NEXT, {"id": deal}))["opportunity"]["nextActivity"]["subject"] == "Later"


AMOUNT_IN = """query($id: ID!, $c: String!) { opportunity(id: $id) { amount currency amountIn(currency: $c) } }"""
SUMMARY = """query($c: String) { pipelineSummary(groupBy: STAGE, currency: $c) { amount } }"""


async def _rate(gql: Any, currency: str, rate: str) -> None:
    await mutate(gql, "setExchangeRate", {"currency": currency, "rate": rate})


async def test_amount_in_converts_as_pipeline_summary_does(gql: Any) -> None:
    # given one deal of 1234.57 USD, USD at 0.92 EUR and GBP at 1.17 EUR
    await _rate(gql, "USD", "0.92")
    await _rate(gql, "GBP", "1.17")
    account = await create(gql, "Account", {"name": "Acme"})
    deal = await create(
        gql, "Opportunity", {"title": "Deal", "accountId": account, "currency": "USD", "manualAmount": "1234.57"}
    )
    for currency, expected in (("USD", "1234.57"), ("EUR", "1135.80"), ("GBP", "970.77"), ("JPY", "1136")):
        if currency == "JPY":
            await _rate(gql, "JPY", "0.0062")
            expected = str(
                (Decimal("1234.57") * Decimal("0.92") / Decimal("0.0062")).quantize(
                    Decimal(1), rounding="ROUND_HALF_UP"
                )
            )
        data = (await gql(AMOUNT_IN, {"id": deal, "c": currency}))["opportunity"]
        # then the amount in each currency is pipelineSummary's figure for the same deal
        summary = (await gql(SUMMARY, {"c": currency}))["pipelineSummary"]
        assert data["amountIn"] == expected == summary[0]["amount"], currency
    # a deal without an amount has none in any currency
    empty = await create(gql, "Opportunity", {"title": "Empty", "accountId": account})
    assert (await gql(AMOUNT_IN, {"id": empty, "c": "USD"}))["opportunity"]["amountIn"] is None


async def test_amount_in_refusals(gql: Any) -> None:
    # given a USD deal and no USD rate
    account = await create(gql, "Account", {"name": "Acme"})
    deal = await create(
        gql, "Opportunity", {"title": "Deal", "accountId": account, "currency": "USD", "manualAmount": "10"}
    )
    # then its own currency needs no rate, another one is MISSING_EXCHANGE_RATE, a bad code INVALID
    assert (await gql(AMOUNT_IN, {"id": deal, "c": "USD"}))["opportunity"]["amountIn"] == "10.00"
    body = await gql(AMOUNT_IN, {"id": deal, "c": "EUR"}, errors=True)
    assert body["data"]["opportunity"] == {"amount": "10.00", "currency": "USD", "amountIn": None}
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (["opportunity", "amountIn"], {"code": "MISSING_EXCHANGE_RATE", "currency": "USD"})
    ]
    assert body["errors"][0]["message"] == "No exchange rate for USD: set one with setExchangeRate first."
    body = await gql(AMOUNT_IN, {"id": deal, "c": "usd"}, errors=True)
    assert [(e["path"], e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        (["opportunity", "amountIn"], "INVALID", "'usd' is not an ISO 4217 currency code.")
    ]


TOTALS = """query($id: ID!, $c: String!) { account(id: $id) { openPipelineAmount(currency: $c)
  wonAmount(currency: $c) } }"""


async def test_account_totals_are_exact_and_cover_what_the_viewer_sees(gql: Any, actors: Any) -> None:
    # given an account with open deals in two currencies (cents that floats would lose), a won,
    # a lost and a deleted deal, and rep A's restricted open deal
    await _rate(gql, "USD", "0.92")
    rep_a = gql.as_(actors[Role.SALES_REP])
    account = await create(gql, "Account", {"name": "Acme"})
    other = await create(gql, "Account", {"name": "Other"})
    for title, currency, amount in (
        ("A", "EUR", "0.10"),
        ("B", "EUR", "0.20"),
        ("C", "USD", "100.01"),
        ("D", "EUR", "99999999999.99"),
    ):
        await create(
            gql, "Opportunity", {"title": title, "accountId": account, "currency": currency, "manualAmount": amount}
        )
    won = await create(gql, "Opportunity", {"title": "Won", "accountId": account, "manualAmount": "50.05"})
    await mutate(gql, "winOpportunity", {"opportunityId": won})
    lost = await create(gql, "Opportunity", {"title": "Lost", "accountId": account, "manualAmount": "70"})
    await mutate(gql, "loseOpportunity", {"opportunityId": lost})
    gone = await create(gql, "Opportunity", {"title": "Gone", "accountId": account, "manualAmount": "30"})
    await gql(f'mutation {{ deleteOpportunity(input: {{id: "{gone}"}}) {{ {ERR} }} }}')
    await create(gql, "Opportunity", {"title": "Elsewhere", "accountId": other, "manualAmount": "1"})
    await create(
        rep_a, "Opportunity", {"title": "Restricted", "accountId": account, "manualAmount": "5", "isRestricted": True}
    )
    # then the admin's open pipeline is exact: 0.10 + 0.20 + 99999999999.99 + 100.01 USD (92.01 EUR)
    data = (await gql(TOTALS, {"id": account, "c": "EUR"}))["account"]
    assert data == {"openPipelineAmount": "100000000092.30", "wonAmount": "50.05"}
    # rep A also sees the restricted deal
    mine = (await rep_a(TOTALS, {"id": account, "c": "EUR"}))["account"]
    assert mine == {"openPipelineAmount": "100000000097.30", "wonAmount": "50.05"}
    # in USD: each currency's sum converted once (EUR 99999999999.99 + 0.30 -> USD), plus USD 100.01
    usd = (await gql(TOTALS, {"id": account, "c": "USD"}))["account"]
    eur_part = (Decimal("100000000000.29") / Decimal("0.92")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert usd["openPipelineAmount"] == str(eur_part + Decimal("100.01"))
    # an account without deals sums to zero
    empty = await create(gql, "Account", {"name": "Empty"})
    assert (await gql(TOTALS, {"id": empty, "c": "EUR"}))["account"] == {
        "openPipelineAmount": "0.00",
        "wonAmount": "0.00",
    }


async def test_account_totals_refusals(gql: Any) -> None:
    # given an account with a USD deal and no USD rate
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "USD", "accountId": account, "currency": "USD", "manualAmount": "1"})
    body = await gql(TOTALS, {"id": account, "c": "EUR"}, errors=True)
    # then the open sum is refused (MISSING_EXCHANGE_RATE), the won sum (no USD deal) answers
    assert body["data"]["account"] == {"openPipelineAmount": None, "wonAmount": "0.00"}
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (["account", "openPipelineAmount"], {"code": "MISSING_EXCHANGE_RATE", "currency": "USD"})
    ]
    body = await gql(TOTALS, {"id": account, "c": "EURO"}, errors=True)
    assert sorted(e["extensions"]["code"] for e in body["errors"]) == ["INVALID", "INVALID"]
