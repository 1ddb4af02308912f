"""The demo data set loads, is consistent, and answers a connected query."""

from __future__ import annotations

from typing import Any

from crm_graphql import models as m
from crm_graphql.enums import Role
from crm_graphql.services import amounts, demo, users

QUERY = """
{ accounts(first: 20) { totalCount nodes { name
    opportunities(filter: {status: {eq: OPEN}}) { nodes { title amount
      activeQuote { number total items { nodes { name lineTotal } } } } } } } }
"""


async def test_demo_counts_and_quote_totals(gql: Any) -> None:
    counts = await demo.load()
    assert counts["accounts"] == await m.Account.all().count() == 25
    assert counts["contacts"] == 60
    assert counts["leads"] == 20
    assert counts["opportunities"] == 80
    assert counts["products"] == 40
    assert counts["pricebooks"] == 3
    assert counts["bundles"] == 5
    default = await m.Pipeline.get(is_default=True)
    assert await m.Stage.filter(opportunities__id__isnull=False, pipeline_id=default.id).distinct().count() == 6
    currencies: set[Any] = set(await m.Opportunity.all().distinct().values_list("currency", flat=True))
    assert currencies == {"EUR", "USD"}
    assert await m.SalesOrder.all().count() > 0
    assert await m.Invoice.all().count() > 0
    assert await m.Contract.all().count() > 0
    assert await m.Account.filter(is_private=True).count() == 1
    assert await m.Account.filter(parent_id__isnull=False).count() >= 3

    quotes = await m.Quote.all()
    assert len(quotes) == counts["quotes"]
    for quote in quotes:
        items = await m.QuoteItem.filter(quote_id=quote.id).order_by("position", "id")
        assert items, quote.number
        totals = amounts.totals_of(items, quote.discount_percent, quote.currency)
        assert (quote.subtotal, quote.net_total, quote.tax_total, quote.total) == (
            totals.subtotal,
            totals.net_total,
            totals.tax_total,
            totals.total,
        ), quote.number
    # exactly one active quote per opportunity that has quotes
    for opp_id in set(await m.Quote.all().values_list("opportunity_id", flat=True)):
        assert await m.Quote.filter(opportunity_id=opp_id, is_active=True).count() == 1

    data = await gql(QUERY)
    assert data["accounts"]["totalCount"] == 24  # the private account belongs to another user
    quoted = [o for a in data["accounts"]["nodes"] for o in a["opportunities"]["nodes"] if o["activeQuote"] is not None]
    assert quoted and all(o["activeQuote"]["items"]["nodes"] for o in quoted)


async def test_demo_is_deterministic_and_scales(database: str) -> None:
    first = await demo.load(scale=2)
    assert first["accounts"] == 50 and first["opportunities"] == 160
    titles = await m.Opportunity.all().order_by("id").limit(5).values_list("title", flat=True)
    assert all(" - " in t for t in titles)


async def test_load_if_empty_loads_once(database: str) -> None:
    await demo.load_if_empty()
    await demo.load_if_empty()
    assert await m.Account.all().count() == 25


async def test_demo_shows_two_pipelines_and_a_partner(gql: Any) -> None:
    await demo.load()
    # two pipelines, each with deals
    data = await gql("{ pipelineSummary(groupBy: PIPELINE) { label count } }")
    assert [g["label"] for g in data["pipelineSummary"]] == ["Sales", demo.PARTNER_PIPELINE]
    assert all(g["count"] > 0 for g in data["pipelineSummary"])
    # a partner account with a PARTNER user who sees exactly its two deals and its lead
    partner = await m.Account.get(is_partner=True)
    user = await m.User.get(email=demo.PARTNER_EMAIL)
    assert user.role == Role.PARTNER and user.partner_account_id == partner.id
    token = await users.issue_token(user)
    seen = await gql("{ opportunities { totalCount nodes { partner { name } } } leads { totalCount } }", token=token)
    assert seen["opportunities"]["totalCount"] == 2 and seen["leads"]["totalCount"] == 1
    assert {n["partner"]["name"] for n in seen["opportunities"]["nodes"]} == {demo.PARTNER_ACCOUNT}


async def test_demo_shows_related_accounts_and_kanban_figures(gql: Any) -> None:
    counts = await demo.load()
    assert counts["accountRelations"] == len(demo.RELATIONS)
    # related accounts, from both sides (the private account's relation hidden from the admin)
    data = await gql("{ accounts(first: 100) { nodes { name relatedAccounts { kind relatedAccount { name } } } } }")
    related = {a["name"]: a["relatedAccounts"] for a in data["accounts"]["nodes"]}
    assert related["Nordwind Logistics"] == [{"kind": "PARTNER", "relatedAccount": {"name": "Fjordline Shipping"}}]
    assert related["Kestrel Aerospace"] == [{"kind": "SUPPLIER", "relatedAccount": {"name": "Elbe Precision Tools"}}]
    assert related["Quayside Media"] == []
    # open deals entered their stage before today, closed ones when they closed; some have a next activity
    board = await gql(
        "{ opportunities(first: 100) { nodes { status stageEnteredAt closedAt nextActivity { isDone dueAt } } } }"
    )
    deals = board["opportunities"]["nodes"]
    assert all(d["stageEnteredAt"] == d["closedAt"] for d in deals if d["status"] != "OPEN")
    assert all(d["stageEnteredAt"] < "2026-11-02T09:00:00" for d in deals if d["status"] == "OPEN")
    upcoming = [d["nextActivity"] for d in deals if d["nextActivity"]]
    assert upcoming and all(not a["isDone"] and a["dueAt"] for a in upcoming)


async def test_demo_shows_campaigns_with_results(gql: Any) -> None:
    await demo.load()
    data = await gql("""{ campaigns(orderBy: [{field: NAME}]) { nodes { name currency budget
      stats { leadCount wonCount wonAmount costPerLead returnOnInvestment } } }
      pipelineSummary(groupBy: CAMPAIGN) { label count } }""")
    campaigns = {c["name"]: c for c in data["campaigns"]["nodes"]}
    assert len(campaigns) == 3
    show = campaigns["Trade Show Chicago"]
    # a USD campaign whose won deals are in EUR: their amounts converted with the demo rates
    assert show["currency"] == "USD" and show["stats"]["wonCount"] == 3 and show["stats"]["wonAmount"] != "0.00"
    webinar = campaigns["Spring Webinar 2026"]["stats"]
    assert webinar["leadCount"] == 5 and webinar["costPerLead"] == "1000.00" and webinar["returnOnInvestment"]
    assert campaigns["Autumn Newsletter"]["stats"]["returnOnInvestment"] is None
    assert data["pipelineSummary"][-1]["label"] == "No campaign"


async def test_demo_shows_split_leads_and_a_split_deal(gql: Any) -> None:
    counts = await demo.load()
    # a rule splitting leads 33/33/34 among three users, a few leads shared by it
    data = await gql("""{ leadSplitRules { nodes { name filter shares { percent user { name } } } }
      leads(first: 100) { nodes { shares { percent } } } }""")
    (rule,) = data["leadSplitRules"]["nodes"]
    assert rule["name"] == demo.SPLIT_RULE and [s["percent"] for s in rule["shares"]] == [33, 33, 34]
    shared = [n for n in data["leads"]["nodes"] if n["shares"]]
    assert len(shared) == counts["sharedLeads"] >= 2
    assert all([s["percent"] for s in n["shares"]] == [33, 33, 34] for n in shared)
    # a deal whose splits add up to its amount, and a summary by split owner
    deals = await gql("{ opportunities(first: 100) { nodes { amount revenueSplits { percent amount } } } }")
    split = [n for n in deals["opportunities"]["nodes"] if n["revenueSplits"]]
    assert len(split) == 1 and [s["percent"] for s in split[0]["revenueSplits"]] == [60, 40]
    from decimal import Decimal

    assert sum(Decimal(s["amount"]) for s in split[0]["revenueSplits"]) == Decimal(split[0]["amount"])
    summary = await gql('{ pipelineSummary(groupBy: SPLIT_OWNER, currency: "EUR") { label count amount } }')
    assert len(summary["pipelineSummary"]) >= 3
