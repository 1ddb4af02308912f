"""Campaigns (DOMAIN.md 11): CRUD and its refusals, campaignId on leads and opportunities,
qualification carrying the campaign, statistics over what the viewer may see (computed in SQL,
statements independent of the number of campaigns), and pipelineSummary grouped by CAMPAIGN."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from factories import ERR, call, make_user, partner_actor

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.db import count_statements
from crm_graphql.enums import Role

CAMPAIGN = "id name type status startDate endDate budget currency isDeleted version"
STATS = "stats { leadCount qualifiedLeadCount opportunityCount wonCount wonAmount costPerLead returnOnInvestment }"
CREATE_CAMPAIGN = f"""mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{
  campaign {{ {CAMPAIGN} }} {ERR} }} }}"""
UPDATE_CAMPAIGN = f"""mutation($input: UpdateCampaignInput!) {{ updateCampaign(input: $input) {{
  campaign {{ {CAMPAIGN} }} {ERR} }} }}"""
DELETE_CAMPAIGN = f"""mutation($input: DeleteCampaignInput!) {{ deleteCampaign(input: $input) {{
  campaign {{ isDeleted }} {ERR} }} }}"""
RESTORE_CAMPAIGN = f"""mutation($input: RestoreCampaignInput!) {{ restoreCampaign(input: $input) {{
  campaign {{ isDeleted }} {ERR} }} }}"""
CREATE_LEAD = f"""mutation($input: CreateLeadInput!) {{ createLead(input: $input) {{
  lead {{ id campaign {{ id }} }} {ERR} }} }}"""
UPDATE_LEAD = f"""mutation($input: UpdateLeadInput!) {{ updateLead(input: $input) {{
  lead {{ id campaign {{ id }} }} {ERR} }} }}"""
CREATE_OPPORTUNITY = f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{
  opportunity {{ id campaign {{ id }} }} {ERR} }} }}"""
UPDATE_OPPORTUNITY = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
  opportunity {{ id campaign {{ id }} }} {ERR} }} }}"""
CREATE_ACCOUNT = f"""mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{
  account {{ id }} {ERR} }} }}"""
QUALIFY = f"""mutation($input: QualifyLeadInput!) {{ qualifyLead(input: $input) {{
  opportunity {{ id currency campaign {{ id }} }} {ERR} }} }}"""
WIN = f"""mutation($input: WinOpportunityInput!) {{ winOpportunity(input: $input) {{
  opportunity {{ status amount }} {ERR} }} }}"""
SET_RATE = f"""mutation($input: SetExchangeRateInput!) {{ setExchangeRate(input: $input) {{
  exchangeRate {{ currency rate }} {ERR} }} }}"""
CAMPAIGN_STATS = f"""query($id: ID!) {{ campaign(id: $id) {{ name currency budget {STATS} }} }}"""
SUMMARY = """query($groupBy: PipelineGroupBy!, $currency: String) {
  pipelineSummary(groupBy: $groupBy, currency: $currency) { key label count amount } }"""


def half_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


async def campaign_state() -> list[tuple[Any, ...]]:
    rows = await m.Campaign.all().order_by("id")
    return [
        (c.id, c.name, c.status, c.budget, c.currency, c.start_date, c.end_date, c.version, c.deleted_at) for c in rows
    ]


async def test_create_update_delete_and_restore_a_campaign(gql: Any) -> None:
    # given a campaign made by an admin
    made = await call(
        gql,
        CREATE_CAMPAIGN,
        {
            "name": "Spring webinar",
            "type": "Webinar",
            "budget": "1500.5",
            "startDate": "2027-03-01",
            "endDate": "2027-03-31",
        },
    )
    campaign = made["campaign"]
    assert {k: v for k, v in campaign.items() if k != "id"} == {
        "name": "Spring webinar",
        "type": "Webinar",
        "status": "PLANNED",
        "startDate": "2027-03-01",
        "endDate": "2027-03-31",
        "budget": "1500.50",
        "currency": "EUR",
        "isDeleted": False,
        "version": 1,
    }
    # when it is updated, then the change lands on its timeline
    updated = await call(gql, UPDATE_CAMPAIGN, {"id": campaign["id"], "status": "ACTIVE", "version": 1})
    assert updated["campaign"]["status"] == "ACTIVE" and updated["campaign"]["version"] == 2
    history = await gql("query($id: ID!) { campaign(id: $id) { timeline { nodes { kind } } } }", {"id": campaign["id"]})
    assert [e["kind"] for e in history["campaign"]["timeline"]["nodes"]] == ["UPDATED", "CREATED"]
    # when it is deleted it leaves the list (the trash filter still finds it), and comes back
    await call(gql, DELETE_CAMPAIGN, {"id": campaign["id"]})
    assert (await gql("{ campaigns { totalCount } }"))["campaigns"]["totalCount"] == 0
    trash = await gql("{ campaigns(filter: {isDeleted: {eq: true}}) { nodes { id } } }")
    assert trash["campaigns"]["nodes"] == [{"id": campaign["id"]}]
    assert (await call(gql, RESTORE_CAMPAIGN, {"id": campaign["id"]}))["campaign"] == {"isDeleted": False}
    listed = await gql("{ campaigns(orderBy: [{field: NAME}]) { totalCount nodes { id } } }")
    assert listed["campaigns"] == {"totalCount": 1, "nodes": [{"id": campaign["id"]}]}


async def test_every_campaign_error_changes_nothing(gql: Any, actors: Any) -> None:
    # given one campaign in EUR
    made = await call(gql, CREATE_CAMPAIGN, {"name": "Fair", "budget": "100.00"})
    cid = made["campaign"]["id"]
    before = await campaign_state()

    # when inputs are wrong, then each refusal has its code and nothing changes
    def invalid(field: str, message: str) -> list[dict[str, Any]]:
        return [{"field": ["input", field], "message": message, "code": "INVALID"}]

    await call(
        gql,
        CREATE_CAMPAIGN,
        {"name": "X", "startDate": "2027-02-01", "endDate": "2027-01-31"},
        invalid("endDate", "endDate is before startDate."),
    )
    await call(gql, CREATE_CAMPAIGN, {"name": "X", "budget": "-1"}, invalid("budget", "budget cannot be negative."))
    await call(
        gql,
        CREATE_CAMPAIGN,
        {"name": "X", "currency": "XXY"},
        invalid("currency", "'XXY' is not an ISO 4217 currency code."),
    )
    await call(
        gql,
        CREATE_CAMPAIGN,
        {"name": "X", "budget": "10.001"},
        invalid("budget", "budget has more decimal places than EUR allows (2)."),
    )
    await call(
        gql,
        CREATE_CAMPAIGN,
        {"name": "X", "budget": "10.5", "currency": "JPY"},
        invalid("budget", "budget has more decimal places than JPY allows (0)."),
    )
    await call(
        gql,
        CREATE_CAMPAIGN,
        {"type": "Webinar"},
        [{"field": ["input", "name"], "message": "name is required.", "code": "REQUIRED"}],
    )
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": cid, "endDate": "2020-01-01", "startDate": "2020-02-01"},
        invalid("endDate", "endDate is before startDate."),
    )
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": cid, "name": "Y", "version": 7},
        [
            {
                "field": ["input", "version"],
                "code": "CONFLICT",
                "message": "This Campaign changed since you read it (version 1, you sent 7).",
            }
        ],
    )
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": cid, "currency": None},
        [{"field": ["input", "currency"], "message": "currency cannot be empty.", "code": "REQUIRED"}],
    )
    # a new currency converts the budget, which needs a rate
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": cid, "currency": "USD"},
        [
            {
                "field": ["input", "currency"],
                "code": "MISSING_EXCHANGE_RATE",
                "message": "No exchange rate for USD: set one with setExchangeRate first.",
            }
        ],
    )
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": "junk", "name": "Y"},
        [{"field": ["input", "id"], "message": "Malformed id.", "code": "INVALID"}],
    )
    await call(
        gql,
        UPDATE_CAMPAIGN,
        {"id": to_global_id("Campaign", 999), "name": "Y"},
        [{"field": ["input", "id"], "message": "No Campaign with this id.", "code": "NOT_FOUND"}],
    )
    # sales reps, read-only users and partners do not manage campaigns
    rep = gql.as_(actors[Role.SALES_REP])
    managers_only = [
        {
            "field": ["input"],
            "code": "FORBIDDEN",
            "message": "Only admins and managers manage the catalog, stages and users.",
        }
    ]
    await call(rep, CREATE_CAMPAIGN, {"name": "Mine"}, managers_only)
    await call(rep, UPDATE_CAMPAIGN, {"id": cid, "name": "Mine"}, managers_only)
    await call(rep, DELETE_CAMPAIGN, {"id": cid}, managers_only)
    read_only = [{"field": ["input"], "message": "Your role may only read.", "code": "FORBIDDEN"}]
    await call(gql.as_(actors[Role.READ_ONLY]), CREATE_CAMPAIGN, {"name": "Mine"}, read_only)
    _, partner = await partner_actor()
    await call(gql.as_(partner), UPDATE_CAMPAIGN, {"id": cid, "name": "Mine"}, managers_only)
    assert await campaign_state() == before

    # a manager may; with a rate the budget is converted into the new currency
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.8"})
    moved = await call(gql.as_(actors[Role.MANAGER]), UPDATE_CAMPAIGN, {"id": cid, "currency": "USD"})
    assert (moved["campaign"]["currency"], moved["campaign"]["budget"]) == ("USD", "125.00")


async def test_leads_and_opportunities_name_their_campaign(gql: Any, actors: Any) -> None:
    # given a campaign, a deleted one, and a sales rep's lead and deal
    cid = (await call(gql, CREATE_CAMPAIGN, {"name": "Mailing"}))["campaign"]["id"]
    gone = (await call(gql, CREATE_CAMPAIGN, {"name": "Gone"}))["campaign"]["id"]
    await call(gql, DELETE_CAMPAIGN, {"id": gone})
    rep = gql.as_(actors[Role.SALES_REP])
    lead = (await call(rep, CREATE_LEAD, {"lastName": "Doe", "campaignId": cid}))["lead"]
    assert lead["campaign"] == {"id": cid}
    account = (await call(rep, CREATE_ACCOUNT, {"name": "Acme"}))["account"]["id"]
    deal = (await call(rep, CREATE_OPPORTUNITY, {"title": "Deal", "accountId": account}))["opportunity"]
    assert deal["campaign"] is None
    assert (await call(rep, UPDATE_OPPORTUNITY, {"id": deal["id"], "campaignId": cid}))["opportunity"]["campaign"] == {
        "id": cid
    }
    # then a bad or deleted campaign is refused, and nothing changes
    versions = [(x.id, x.version, x.campaign_id) for x in await m.Lead.all()]
    await call(
        rep,
        UPDATE_LEAD,
        {"id": lead["id"], "campaignId": "junk"},
        [{"field": ["input", "campaignId"], "message": "Malformed id.", "code": "INVALID"}],
    )
    await call(
        rep,
        UPDATE_LEAD,
        {"id": lead["id"], "campaignId": gone},
        [{"field": ["input", "campaignId"], "message": "No Campaign with this id.", "code": "NOT_FOUND"}],
    )
    await call(
        rep,
        UPDATE_LEAD,
        {"id": lead["id"], "campaignId": account},
        [{"field": ["input", "campaignId"], "message": "No Campaign with this id.", "code": "NOT_FOUND"}],
    )
    # another rep may not re-attribute the rep's lead
    _b, b_token = await make_user(Role.SALES_REP, "Rep B")
    other = gql.as_(actors[Role.SALES_REP])
    other.token = b_token
    await call(
        other,
        UPDATE_LEAD,
        {"id": lead["id"], "campaignId": None},
        [{"field": ["input", "id"], "message": "Sales reps may only change records they own.", "code": "FORBIDDEN"}],
    )
    assert [(x.id, x.version, x.campaign_id) for x in await m.Lead.all()] == versions
    # and lists filter by campaign, both ways
    by_campaign = await gql(
        "query($id: ID!) { leads(filter: {campaign: {id: {eq: $id}}}) { totalCount } }", {"id": cid}
    )
    assert by_campaign["leads"]["totalCount"] == 1
    with_deals = await gql('{ campaigns(filter: {opportunities: {some: {title: {eq: "Deal"}}}}) { nodes { name } } }')
    assert with_deals["campaigns"]["nodes"] == [{"name": "Mailing"}]
    listed = await gql(
        "query($id: ID!) { campaign(id: $id) { leads { totalCount } opportunities { nodes { id } } } }", {"id": cid}
    )
    assert listed["campaign"] == {"leads": {"totalCount": 1}, "opportunities": {"nodes": [{"id": deal["id"]}]}}


async def test_return_of_a_usd_campaign_from_a_won_eur_deal(gql: Any) -> None:
    # given 1 USD = 0.9 EUR, a USD campaign with a budget, and two leads from it
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    cid = (await call(gql, CREATE_CAMPAIGN, {"name": "Trade show", "currency": "USD", "budget": "1000.00"}))[
        "campaign"
    ]["id"]
    first = (await call(gql, CREATE_LEAD, {"lastName": "Buyer", "company": "Acme", "campaignId": cid}))["lead"]["id"]
    await call(gql, CREATE_LEAD, {"lastName": "Browser", "campaignId": cid})
    # when the first is qualified into a EUR deal of 1234.56 that is won
    qualified = await call(
        gql,
        QUALIFY,
        {"leadId": first, "account": {"create": {}}, "opportunity": {"currency": "EUR", "manualAmount": "1234.56"}},
    )
    # then the deal carries the campaign, and the campaign reports its return in USD
    assert qualified["opportunity"]["campaign"] == {"id": cid} and qualified["opportunity"]["currency"] == "EUR"
    await call(gql, WIN, {"opportunityId": qualified["opportunity"]["id"]})
    won = half_up(Decimal("1234.56") / Decimal("0.9"), "0.01")  # EUR -> USD through the base (EUR)
    assert won == Decimal("1371.73")
    stats = (await gql(CAMPAIGN_STATS, {"id": cid}))["campaign"]["stats"]
    assert stats == {
        "leadCount": 2,
        "qualifiedLeadCount": 1,
        "opportunityCount": 1,
        "wonCount": 1,
        "wonAmount": str(won),
        "costPerLead": "500.00",
        "returnOnInvestment": str(half_up((won - 1000) / 1000, "0.0001")),
    }
    assert stats["returnOnInvestment"] == "0.3717"
    # and without the rate the won amount and return are refused, the counts still shown
    await m.ExchangeRate.filter(currency="USD").delete()
    body = await gql(CAMPAIGN_STATS, {"id": cid}, errors=True)
    assert [(e["path"][-1], e["extensions"]["code"]) for e in body["errors"]] == [
        ("wonAmount", "MISSING_EXCHANGE_RATE"),
        ("returnOnInvestment", "MISSING_EXCHANGE_RATE"),
    ]
    assert body["data"]["campaign"]["stats"]["leadCount"] == 2
    assert body["data"]["campaign"]["stats"]["wonAmount"] is None


async def test_cost_per_lead_rounds_half_up_and_null_without_budget(gql: Any) -> None:
    cid = (await call(gql, CREATE_CAMPAIGN, {"name": "Ads", "budget": "100.00"}))["campaign"]["id"]
    bare = (await call(gql, CREATE_CAMPAIGN, {"name": "Free"}))["campaign"]["id"]
    for name in ("A", "B", "C", "D", "E", "F", "G", "H"):
        await call(gql, CREATE_LEAD, {"lastName": name, "campaignId": cid})
    await call(gql, CREATE_LEAD, {"lastName": "Z", "campaignId": bare})
    stats = (await gql(CAMPAIGN_STATS, {"id": cid}))["campaign"]["stats"]
    # 100.00 / 8 = 12.5 exactly; no deal won: return -100 %
    assert (stats["costPerLead"], stats["wonAmount"], stats["returnOnInvestment"]) == ("12.50", "0.00", "-1.0000")
    await call(gql, CREATE_LEAD, {"lastName": "I", "campaignId": cid})
    stats = (await gql(CAMPAIGN_STATS, {"id": cid}))["campaign"]["stats"]
    assert stats["costPerLead"] == str(half_up(Decimal("100") / 9, "0.01")) == "11.11"
    free = (await gql(CAMPAIGN_STATS, {"id": bare}))["campaign"]["stats"]
    assert (free["leadCount"], free["costPerLead"], free["returnOnInvestment"]) == (1, None, None)


async def test_stats_count_only_what_the_viewer_may_see(gql: Any, actors: Any) -> None:
    # given a campaign with a won deal on a public account, and one on the admin's private account
    cid = (await call(gql, CREATE_CAMPAIGN, {"name": "Launch", "budget": "100.00"}))["campaign"]["id"]
    for name, private, amount in (("Public", False, "300.00"), ("Secret", True, "5000.00")):
        account = (await call(gql, CREATE_ACCOUNT, {"name": name, "isPrivate": private}))["account"]["id"]
        deal = await call(
            gql, CREATE_OPPORTUNITY, {"title": name, "accountId": account, "campaignId": cid, "manualAmount": amount}
        )
        await call(gql, WIN, {"opportunityId": deal["opportunity"]["id"]})
    # when the admin and a sales rep read the stats
    admin = (await gql(CAMPAIGN_STATS, {"id": cid}))["campaign"]["stats"]
    rep = (await gql.as_(actors[Role.SALES_REP])(CAMPAIGN_STATS, {"id": cid}))["campaign"]["stats"]
    # then the rep's leave out the private account's deal
    assert (admin["wonCount"], admin["wonAmount"], admin["returnOnInvestment"]) == (2, "5300.00", "52.0000")
    assert (rep["wonCount"], rep["wonAmount"], rep["returnOnInvestment"]) == (1, "300.00", "2.0000")
    # and a partner user sees no campaign at all
    _, partner = await partner_actor()
    puser = gql.as_(partner)
    assert (await puser("{ campaigns { totalCount } }"))["campaigns"]["totalCount"] == 0
    assert (await puser(CAMPAIGN_STATS, {"id": cid}))["campaign"] is None


async def test_pipeline_summary_by_campaign(gql: Any, actors: Any) -> None:
    # given two campaigns and deals with and without one
    spring = (await call(gql, CREATE_CAMPAIGN, {"name": "Spring"}))["campaign"]["id"]
    autumn = (await call(gql, CREATE_CAMPAIGN, {"name": "Autumn"}))["campaign"]["id"]
    account = (await call(gql, CREATE_ACCOUNT, {"name": "Acme"}))["account"]["id"]
    for title, campaign, amount in (
        ("A", spring, "100.00"),
        ("B", spring, "50.25"),
        ("C", autumn, "10.00"),
        ("D", None, "7.00"),
    ):
        await call(
            gql,
            CREATE_OPPORTUNITY,
            {"title": title, "accountId": account, "campaignId": campaign, "manualAmount": amount},
        )
    # when the pipeline is summed by campaign
    groups = (await gql(SUMMARY, {"groupBy": "CAMPAIGN"}))["pipelineSummary"]
    # then one group per campaign, by name, and the deals without one last
    assert groups == [
        {"key": autumn, "label": "Autumn", "count": 1, "amount": "10.00"},
        {"key": spring, "label": "Spring", "count": 2, "amount": "150.25"},
        {"key": None, "label": "No campaign", "count": 1, "amount": "7.00"},
    ]
    # and a partner user assigned one of the deals sees it under "No campaign" (campaigns are hidden from them)
    partner_account, partner = await partner_actor()
    await m.Opportunity.filter(title="A").update(partner_id=partner_account.id)
    seen = (await gql.as_(partner)(SUMMARY, {"groupBy": "CAMPAIGN"}))["pipelineSummary"]
    assert seen == [{"key": None, "label": "No campaign", "count": 1, "amount": "100.00"}]


async def _campaigns_with_deals(gql: Any, n: int) -> None:
    account = await m.Account.create(name=f"Account {n}")
    stage = await m.Stage.filter(is_default=True).first()
    for i in range(n):
        campaign = await m.Campaign.create(name=f"C{n}-{i}", currency="USD" if i % 2 else "EUR", budget=Decimal(100))
        await m.Lead.create(last_name=f"L{i}", campaign=campaign)
        await m.Opportunity.create(
            title=f"O{i}",
            account=account,
            stage=stage,
            currency="EUR",
            campaign=campaign,
            status="WON",
            amount=Decimal(10),
        )


LIST_STATS = f"{{ campaigns(first: 100) {{ nodes {{ name {STATS} leads {{ totalCount }} }} }} }}"


async def test_stats_statements_do_not_grow_with_the_number_of_campaigns(gql: Any) -> None:
    await call(gql, SET_RATE, {"currency": "USD", "rate": "1.25"})
    counts = []
    for n in (2, 40):
        await m.Campaign.all().delete()
        await _campaigns_with_deals(gql, n)
        await gql("{ viewer { id } }")
        with count_statements() as counter:
            data = await gql(LIST_STATS)
        assert len(data["campaigns"]["nodes"]) == n
        counts.append(counter.count)
    # campaigns + their count, leads and deals grouped, the rates, the leads' counts: one each
    assert counts == [6, 6]


async def test_purging_a_campaign_keeps_its_leads_and_deals(gql: Any, actors: Any) -> None:
    # given a deleted campaign that a lead still names
    cid = (await call(gql, CREATE_CAMPAIGN, {"name": "Old"}))["campaign"]["id"]
    lead = (await call(gql, CREATE_LEAD, {"lastName": "Doe", "campaignId": cid}))["lead"]["id"]
    await call(gql, DELETE_CAMPAIGN, {"id": cid})
    # the lead still shows it, flagged deleted, as relations do
    shown = await gql("query($id: ID!) { lead(id: $id) { campaign { isDeleted } } }", {"id": lead})
    assert shown["lead"]["campaign"] == {"isDeleted": True}
    purge = f"mutation($input: PurgeCampaignInput!) {{ purgeCampaign(input: $input) {{ purgedId {ERR} }} }}"
    # when a manager tries to purge it, then only an admin may
    await call(
        gql.as_(actors[Role.MANAGER]),
        purge,
        {"id": cid},
        [{"field": ["input"], "message": "Only an admin may do this.", "code": "FORBIDDEN"}],
    )
    assert await m.Campaign.all().count() == 1
    # when the admin purges it, then the campaign is gone and the lead stays, without campaign
    assert (await call(gql, purge, {"id": cid}))["purgedId"] == cid
    assert await m.Campaign.all().count() == 0
    shown = await gql("query($id: ID!) { lead(id: $id) { lastName campaign { id } } }", {"id": lead})
    assert shown["lead"] == {"lastName": "Doe", "campaign": None}
