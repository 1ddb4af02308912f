"""The lead splitter and revenue splits (DOMAIN.md 11, issue 12) through the API: a rule shares
leads 33/33/34, qualifying carries the shares to the deal, whose splits of 100.00 are
33.00/33.00/34.00; pipelineSummary by SPLIT_OWNER adds each user's split amounts; every
refusal with its code and nothing changed; concurrent runs process each lead once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from factories import ERR, call

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import users

CREATE_RULE = f"""mutation($input: CreateLeadSplitRuleInput!) {{ createLeadSplitRule(input: $input) {{
  leadSplitRule {{ id name isActive filter shares {{ percent user {{ id }} }} }} {ERR} }} }}"""
UPDATE_RULE = f"""mutation($input: UpdateLeadSplitRuleInput!) {{ updateLeadSplitRule(input: $input) {{
  leadSplitRule {{ id name isActive version filter }} {ERR} }} }}"""
DELETE_RULE = f"""mutation($input: DeleteLeadSplitRuleInput!) {{ deleteLeadSplitRule(input: $input) {{
  deletedId {ERR} }} }}"""
RUN_RULE = f"""mutation($input: RunLeadSplitRuleInput!) {{ runLeadSplitRule(input: $input) {{
  rule {{ id }} processedCount {ERR} }} }}"""
SET_SPLITS = f"""mutation($input: SetOpportunitySplitsInput!) {{ setOpportunitySplits(input: $input) {{
  opportunity {{ id version revenueSplits {{ percent amount user {{ id }} }} }} {ERR} }} }}"""
QUALIFY = f"""mutation($input: QualifyLeadInput!) {{ qualifyLead(input: $input) {{
  opportunity {{ id amount revenueSplits {{ percent amount user {{ id name }} }} }} {ERR} }} }}"""
LEAD = "query($id: ID!) { lead(id: $id) { shares { percent user { id } } } }"
SUMMARY = """query($c: String) { pipelineSummary(groupBy: SPLIT_OWNER, currency: $c) {
  key label count amount weightedAmount } }"""


def gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.id)


async def three_reps() -> list[Any]:
    out = []
    for name in ("Ann", "Bob", "Cy"):
        user, _ = await users.create_user(f"{name.lower()}@example.com", name, Role.SALES_REP)
        out.append(user)
    return out


async def state() -> tuple[Any, ...]:
    """Everything the splitter writes, to show a refusal changed nothing."""
    rules = [(r.id, r.name, r.version, r.is_active, r.shares, r.lead_filter) for r in await m.LeadSplitRule.all()]
    shares = [(s.lead_id, s.user_id, s.percent) for s in await m.LeadShare.all().order_by("id")]
    splits = [(s.opportunity_id, s.user_id, s.percent) for s in await m.RevenueSplit.all().order_by("id")]
    versions = [(o.id, o.version) for o in await m.Opportunity.all().order_by("id")]
    return rules, shares, splits, versions, await m.TimelineEvent.all().count()


async def test_a_lead_split_33_33_34_becomes_a_deal_whose_splits_of_100_are_33_33_34(gql: Any, actors: Any) -> None:
    # given three reps, two leads from "Acme" and one from elsewhere
    ann, bob, cy = await three_reps()
    acme = await m.Lead.create(last_name="Doe", company="Acme Corp")
    await m.Lead.create(last_name="Roe", company="acme labs")
    other = await m.Lead.create(last_name="Poe", company="Globex")
    # when a manager creates a rule for Acme leads, 33/33/34, and runs it
    manager = gql.as_(actors[Role.MANAGER])
    shares = [
        {"userId": gid(ann), "percent": 33},
        {"userId": gid(bob), "percent": 33},
        {"userId": gid(cy), "percent": 34},
    ]
    made = await call(
        manager, CREATE_RULE, {"name": "Acme thirds", "filter": {"company": {"startsWith": "acme"}}, "shares": shares}
    )
    rule = made["leadSplitRule"]
    assert rule["filter"] == {"company": {"startsWith": "acme"}} and rule["isActive"] is True
    assert [(s["user"]["id"], s["percent"]) for s in rule["shares"]] == [(gid(ann), 33), (gid(bob), 33), (gid(cy), 34)]
    ran = await call(manager, RUN_RULE, {"ruleId": rule["id"]})
    # then both Acme leads are shared, the other not; a second run processes nothing
    assert ran["processedCount"] == 2
    lead = (await gql(LEAD, {"id": gid(acme)}))["lead"]
    assert [(s["user"]["id"], s["percent"]) for s in lead["shares"]] == [(gid(ann), 33), (gid(bob), 33), (gid(cy), 34)]
    assert (await gql(LEAD, {"id": gid(other)}))["lead"]["shares"] == []
    assert (await call(manager, RUN_RULE, {"ruleId": rule["id"]}))["processedCount"] == 0
    kinds = [e.kind for e in await m.TimelineEvent.filter(subject_type="Lead", subject_id=acme.id)]
    assert kinds == ["SHARES_SET"]

    # when the lead is qualified into a deal of 100.00
    q = await call(
        gql, QUALIFY, {"leadId": gid(acme), "account": {"create": {}}, "opportunity": {"manualAmount": "100.00"}}
    )
    deal = q["opportunity"]
    # then its revenue splits are the lead's shares, 33.00/33.00/34.00
    assert deal["amount"] == "100.00"
    assert [(s["user"]["name"], s["percent"], s["amount"]) for s in deal["revenueSplits"]] == [
        ("Ann", 33, "33.00"),
        ("Bob", 33, "33.00"),
        ("Cy", 34, "34.00"),
    ]

    # and pipelineSummary by split owner adds each user's split amounts
    opp = await m.Opportunity.get(id=int(await _pk(deal["id"])))
    await m.Opportunity.create(
        title="Ann alone",
        account_id=opp.account_id,
        owner_id=ann.id,
        currency="EUR",
        stage_id=opp.stage_id,
        pipeline_id=opp.pipeline_id,
        manual_amount=Decimal("10"),
        amount=Decimal("10"),
        expected_revenue=Decimal("1"),
    )
    groups = {g["label"]: g for g in (await gql(SUMMARY, {"c": "EUR"}))["pipelineSummary"]}
    assert {k: (g["count"], g["amount"]) for k, g in groups.items()} == {
        "Ann": (2, "43.00"),
        "Bob": (1, "33.00"),
        "Cy": (1, "34.00"),
    }
    assert groups["Ann"]["key"] == gid(ann)


async def _pk(global_id: str) -> int:
    from crm_graphql.api.relay import from_global_id

    return from_global_id(global_id)[1]


async def test_revenue_split_amounts_follow_the_amount_to_the_minor_unit(gql: Any, actors: Any) -> None:
    # given a deal of 100.01 EUR split 50/50, and a JPY deal of 100 split 33/33/34
    ann, bob, cy = await three_reps()
    account = await m.Account.create(name="Acme")
    stage = await m.Stage.filter(is_default=True).first()
    eur = await m.Opportunity.create(
        title="EUR",
        account=account,
        stage=stage,
        currency="EUR",
        manual_amount=Decimal("100.01"),
        amount=Decimal("100.01"),
    )
    jpy = await m.Opportunity.create(
        title="JPY", account=account, stage=stage, currency="JPY", manual_amount=Decimal("100"), amount=Decimal("100")
    )
    # when their splits are set (one split may leave its percent out: it takes the rest)
    p = await call(
        gql,
        SET_SPLITS,
        {"opportunityId": gid(eur), "splits": [{"userId": gid(ann), "percent": 50}, {"userId": gid(bob)}]},
    )
    # then the amounts add up to the amount, the remaining cent to the earlier split
    assert [(s["percent"], s["amount"]) for s in p["opportunity"]["revenueSplits"]] == [(50, "50.01"), (50, "50.00")]
    p = await call(
        gql,
        SET_SPLITS,
        {
            "opportunityId": gid(jpy),
            "splits": [
                {"userId": gid(ann), "percent": 33},
                {"userId": gid(bob), "percent": 33},
                {"userId": gid(cy), "percent": 34},
            ],
        },
    )
    assert [s["amount"] for s in p["opportunity"]["revenueSplits"]] == ["33", "33", "34"]
    # and an empty list removes the splits, recorded on the deal's timeline
    p = await call(gql, SET_SPLITS, {"opportunityId": gid(jpy), "splits": []})
    assert p["opportunity"]["revenueSplits"] == []
    kinds = [e.kind for e in await m.TimelineEvent.filter(subject_type="Opportunity", subject_id=jpy.id)]
    assert kinds.count("SPLITS_SET") == 2


async def test_every_refusal_has_its_code_and_changes_nothing(gql: Any, actors: Any) -> None:
    ann, bob, cy = await three_reps()
    inactive, _ = await users.create_user("gone@example.com", "Gone", Role.SALES_REP)
    await m.User.filter(id=inactive.id).update(is_active=False)
    rep = actors[Role.SALES_REP]
    account = await m.Account.create(name="Acme")
    stage = await m.Stage.filter(is_default=True).first()
    mine = await m.Opportunity.create(title="Rep's", account=account, stage=stage, currency="EUR", owner_id=rep.user.id)
    theirs = await m.Opportunity.create(title="Ann's", account=account, stage=stage, currency="EUR", owner_id=ann.id)
    hidden_account = await m.Account.create(name="Private", is_private=True, owner_id=ann.id)
    hidden = await m.Opportunity.create(
        title="Hidden", account=hidden_account, stage=stage, currency="EUR", owner_id=ann.id
    )
    won = await m.Opportunity.create(
        title="Won", account=account, stage=stage, currency="EUR", owner_id=rep.user.id, status="WON"
    )
    await m.Lead.create(last_name="Lead", company="Acme")
    good = [{"userId": gid(ann), "percent": 50}, {"userId": gid(bob), "percent": 50}]
    rule_id = (await call(gql, CREATE_RULE, {"name": "Rule", "shares": good}))["leadSplitRule"]["id"]
    before = await state()

    def err(path: list[str], code: str, message: str) -> list[dict[str, Any]]:
        return [{"field": path, "message": message, "code": code}]

    # roles: sales reps and read-only users may not manage or run rules
    rep_gql, read_only = gql.as_(rep), gql.as_(actors[Role.READ_ONLY])
    only_managers = err(["input"], "FORBIDDEN", "Only admins and managers manage and run lead split rules.")
    await call(rep_gql, CREATE_RULE, {"name": "Mine", "shares": good}, only_managers)
    await call(rep_gql, RUN_RULE, {"ruleId": rule_id}, only_managers)
    await call(rep_gql, UPDATE_RULE, {"id": rule_id, "name": "X"}, only_managers)
    await call(rep_gql, DELETE_RULE, {"id": rule_id}, only_managers)
    await call(read_only, RUN_RULE, {"ruleId": rule_id}, err(["input"], "FORBIDDEN", "Your role may only read."))
    # shares: sum, zero, negative, over 100, duplicate, unknown, malformed, inactive, two without a percent, none
    bad = [
        (
            [{"userId": gid(ann), "percent": 50}, {"userId": gid(bob), "percent": 49}],
            err(["input", "shares"], "INVALID", "The percents add up to 99, not 100."),
        ),
        (
            [{"userId": gid(ann), "percent": 0}, {"userId": gid(bob), "percent": 100}],
            err(["input", "shares", "0", "percent"], "INVALID", "A percent is a whole number from 1 to 100."),
        ),
        (
            [{"userId": gid(ann), "percent": -10}, {"userId": gid(bob), "percent": 110}],
            [
                {
                    "field": ["input", "shares", "0", "percent"],
                    "message": "A percent is a whole number from 1 to 100.",
                    "code": "INVALID",
                },
                {
                    "field": ["input", "shares", "1", "percent"],
                    "message": "A percent is a whole number from 1 to 100.",
                    "code": "INVALID",
                },
            ],
        ),
        (
            [{"userId": gid(ann), "percent": 50}, {"userId": gid(ann), "percent": 50}],
            err(["input", "shares", "1", "userId"], "INVALID", "A user appears once among the shares."),
        ),
        (
            [{"userId": to_global_id("User", 99999), "percent": 100}],
            err(["input", "shares", "0", "userId"], "NOT_FOUND", "No User with this id."),
        ),
        (
            [{"userId": gid(account), "percent": 100}],
            err(["input", "shares", "0", "userId"], "NOT_FOUND", "No User with this id."),
        ),
        ([{"userId": "junk", "percent": 100}], err(["input", "shares", "0", "userId"], "INVALID", "Malformed id.")),
        (
            [{"userId": gid(inactive), "percent": 100}],
            err(["input", "shares", "0", "userId"], "INVALID", "This user is deactivated."),
        ),
        (
            [{"userId": gid(ann)}, {"userId": gid(bob)}],
            err(["input", "shares", "1", "percent"], "REQUIRED", "Only one share may leave its percent out."),
        ),
        (
            [{"userId": gid(ann), "percent": 100}, {"userId": gid(bob)}],
            err(
                ["input", "shares"], "INVALID", "The percents add up to 100: nothing is left for the share without one."
            ),
        ),
        ([], err(["input", "shares"], "REQUIRED", "shares needs at least one user.")),
    ]
    for shares, errors in bad:
        await call(gql, CREATE_RULE, {"name": "Bad", "shares": shares}, errors)
        await call(gql, UPDATE_RULE, {"id": rule_id, "shares": shares}, errors)
    # the name, a filter over the bounds, a stale version, an unknown rule
    await call(gql, CREATE_RULE, {"name": " ", "shares": good}, err(["input", "name"], "REQUIRED", "name is required."))
    await call(gql, UPDATE_RULE, {"id": rule_id, "name": None}, err(["input", "name"], "REQUIRED", "name is required."))
    await call(
        gql,
        CREATE_RULE,
        {"name": "Deep", "shares": good, "filter": {"company": {"eq": "x" * 300}}},
        err(["input", "filter"], "INVALID", "A value of 300 characters is longer than the field holds (200)."),
    )
    await call(
        gql,
        UPDATE_RULE,
        {"id": rule_id, "version": 7, "name": "X"},
        err(["input", "version"], "CONFLICT", "The rule changed since you read it."),
    )
    await call(
        gql,
        RUN_RULE,
        {"ruleId": to_global_id("LeadSplitRule", 999)},
        err(["input", "ruleId"], "NOT_FOUND", "No LeadSplitRule with this id."),
    )
    await call(
        gql, RUN_RULE, {"ruleId": gid(mine)}, err(["input", "ruleId"], "NOT_FOUND", "No LeadSplitRule with this id.")
    )
    # deal splits: not theirs, hidden, closed, bad percents
    splits = [{"userId": gid(ann), "percent": 100}]
    await call(
        rep_gql,
        SET_SPLITS,
        {"opportunityId": gid(theirs), "splits": splits},
        err(["input", "opportunityId"], "FORBIDDEN", "Sales reps may only change records they own."),
    )
    await call(
        rep_gql,
        SET_SPLITS,
        {"opportunityId": gid(hidden), "splits": splits},
        err(["input", "opportunityId"], "NOT_FOUND", "No Opportunity with this id."),
    )
    await call(
        rep_gql,
        SET_SPLITS,
        {"opportunityId": gid(won), "splits": splits},
        err(["input", "opportunityId"], "LOCKED", "This opportunity is closed: reopen it to edit."),
    )
    await call(
        rep_gql,
        SET_SPLITS,
        {"opportunityId": gid(mine), "splits": [{"userId": gid(ann), "percent": 60}]},
        err(["input", "splits"], "INVALID", "The percents add up to 60, not 100."),
    )
    await call(
        read_only,
        SET_SPLITS,
        {"opportunityId": gid(mine), "splits": splits},
        err(["input"], "FORBIDDEN", "Your role may only read."),
    )
    # an inactive rule does not run
    await call(gql, UPDATE_RULE, {"id": rule_id, "isActive": False})
    before = (before[0], *before[1:])
    await call(
        gql,
        RUN_RULE,
        {"ruleId": rule_id},
        err(["input", "ruleId"], "INVALID_TRANSITION", "This rule is inactive: activate it to run it."),
    )
    after = await state()
    # then nothing changed but the rule's isActive flag
    assert after[1:] == before[1:]
    assert [(r[0], r[1], r[3]) for r in after[0]] == [(r[0], r[1], False) for r in before[0]]
    assert cy.id  # (three reps made; cy unused in refusals)


async def test_concurrent_runs_process_each_lead_once(gql: Any, actors: Any) -> None:
    # given 30 matching leads and three rules over them
    ann, bob, cy = await three_reps()
    for i in range(30):
        await m.Lead.create(last_name=f"Lead {i}", company="Acme")
    await m.Lead.create(last_name="Qualified", company="Acme", status="QUALIFIED")
    rules = []
    for name, shares in (("A", [(ann, 100)]), ("B", [(bob, 50), (cy, 50)]), ("C", [(cy, 34), (ann, 66)])):
        made = await call(
            gql,
            CREATE_RULE,
            {
                "name": name,
                "filter": {"company": {"eq": "Acme"}},
                "shares": [{"userId": gid(u), "percent": p} for u, p in shares],
            },
        )
        rules.append(made["leadSplitRule"]["id"])
    # when five runs of them race
    runs = await asyncio.gather(*(call(gql, RUN_RULE, {"ruleId": rules[i % 3]}) for i in range(5)))
    # then every matching lead was processed exactly once, with one rule's shares
    assert sum(r["processedCount"] for r in runs) == 30
    per_lead: dict[int, list[int]] = {}
    for share in await m.LeadShare.all():
        per_lead.setdefault(share.lead_id, []).append(share.percent)
    assert len(per_lead) == 30 and all(sum(p) == 100 for p in per_lead.values())
    assert await m.LeadShare.filter(lead__status="QUALIFIED").count() == 0


async def test_rules_are_visible_to_users_but_not_partners(gql: Any, actors: Any) -> None:
    from factories import partner_actor

    ann, _bob, _cy = await three_reps()
    await call(gql, CREATE_RULE, {"name": "All", "shares": [{"userId": gid(ann)}]})
    listing = "{ leadSplitRules { totalCount nodes { name shares { percent user { name } } } } }"
    seen = await gql.as_(actors[Role.READ_ONLY])(listing)
    assert seen["leadSplitRules"] == {
        "totalCount": 1,
        "nodes": [{"name": "All", "shares": [{"percent": 100, "user": {"name": "Ann"}}]}],
    }
    _partner, puser = await partner_actor()
    assert (await gql.as_(puser)(listing))["leadSplitRules"] == {"totalCount": 0, "nodes": []}


async def _split_deals(n: int, users_: list[Any]) -> None:
    account = await m.Account.create(name=f"Acme {n}")
    stage = await m.Stage.filter(is_default=True).first()
    assert stage is not None
    for i in range(n):
        opp = await m.Opportunity.create(
            title=f"Deal {i}",
            account=account,
            stage=stage,
            currency="EUR",
            owner_id=users_[0].id,
            manual_amount=Decimal("100.01"),
            amount=Decimal("100.01"),
            expected_revenue=Decimal("10"),
        )
        for pos, (user, percent) in enumerate(zip(users_, (33, 33, 34), strict=True)):
            await m.RevenueSplit.create(opportunity=opp, user=user, percent=percent, position=pos)
        lead = await m.Lead.create(last_name=f"Lead {i}")
        for pos, (user, percent) in enumerate(zip(users_, (50, 25, 25), strict=True)):
            await m.LeadShare.create(lead=lead, user=user, percent=percent, position=pos)


async def _statements(gql: Any, query: str) -> tuple[int, Any]:
    from crm_graphql.db import count_statements

    await gql("{ viewer { id } }")  # warm
    with count_statements() as counter:
        data = await gql(query)
    return counter.count, data


SUMMARY_EUR = '{ pipelineSummary(groupBy: SPLIT_OWNER, currency: "EUR") { label count amount } }'
LISTS = """{ opportunities(first: 50) { nodes { title revenueSplits { percent amount user { name } } } }
  leads(first: 50) { nodes { lastName shares { percent user { name } } } }
  leadSplitRules { nodes { name shares { percent user { name } } } } }"""


async def test_splits_and_shares_cost_the_same_statements_for_2_and_20_records(gql: Any, actors: Any) -> None:
    # given 2 split deals and shared leads, then 20
    team = await three_reps()
    await call(
        gql,
        CREATE_RULE,
        {"name": "R", "shares": [{"userId": gid(u), "percent": p} for u, p in zip(team, (33, 33, 34), strict=True)]},
    )
    await _split_deals(2, team)
    small, data = await _statements(gql, LISTS)
    assert all(len(n["revenueSplits"]) == 3 for n in data["opportunities"]["nodes"])
    summary_small, _ = await _statements(gql, SUMMARY_EUR)
    await _split_deals(18, team)
    # when the same lists are read, and summed by split owner
    large, data = await _statements(gql, LISTS)
    summary_large, summary = await _statements(gql, SUMMARY_EUR)
    # then the statement counts do not grow with the rows
    assert len(data["opportunities"]["nodes"]) == 20 and large == small
    assert summary_large == summary_small
    # and each user's sum is the sum of their split amounts (100.01 over 33/33/34 is 33.00/33.00/34.01:
    # the remaining cent goes to the largest remainder, 34 % of it)
    amounts = {g["label"]: (g["count"], g["amount"]) for g in summary["pipelineSummary"]}
    assert amounts == {"Ann": (20, "660.00"), "Bob": (20, "660.00"), "Cy": (20, "680.20")}
    assert [s["amount"] for s in data["opportunities"]["nodes"][0]["revenueSplits"]] == ["33.00", "33.00", "34.01"]


async def test_create_rule_is_idempotent_and_runs_are_on_the_leads_timeline(gql: Any, actors: Any) -> None:
    ann, bob, _cy = await three_reps()
    lead = await m.Lead.create(last_name="Doe", company="Acme")
    values = {
        "name": "Once",
        "shares": [{"userId": gid(ann), "percent": 40}, {"userId": gid(bob)}],
        "idempotencyKey": "rule-1",
    }
    first = await call(gql, CREATE_RULE, values)
    again = await call(gql, CREATE_RULE, values)
    assert first["leadSplitRule"]["id"] == again["leadSplitRule"]["id"]
    assert await m.LeadSplitRule.all().count() == 1
    await call(
        gql,
        CREATE_RULE,
        {**values, "name": "Other"},
        [
            {
                "field": ["input", "idempotencyKey"],
                "message": "This idempotency key was used with other input.",
                "code": "IDEMPOTENCY_KEY_REUSED",
            }
        ],
    )
    assert [(s["percent"]) for s in first["leadSplitRule"]["shares"]] == [40, 60]
    await call(gql, RUN_RULE, {"ruleId": first["leadSplitRule"]["id"]})
    events = await gql(
        """query($id: ID!) { lead(id: $id) { version timeline { nodes { kind data } } } }""", {"id": gid(lead)}
    )
    (event,) = [e for e in events["lead"]["timeline"]["nodes"] if e["kind"] == "SHARES_SET"]
    assert event["data"] == {
        "rule": {"id": first["leadSplitRule"]["id"], "name": "Once"},
        "shares": [{"user": {"id": gid(ann)}, "percent": 40}, {"user": {"id": gid(bob)}, "percent": 60}],
    }
    assert events["lead"]["version"] == 2
    # a deleted rule leaves the shares it gave
    p = await call(gql, DELETE_RULE, {"id": first["leadSplitRule"]["id"]})
    assert p["deletedId"] == first["leadSplitRule"]["id"]
    assert await m.LeadShare.filter(lead_id=lead.id).count() == 2 and await m.LeadSplitRule.all().count() == 0


async def test_a_deleted_user_leaves_the_percents_and_stops_the_rules_naming_them(gql: Any, actors: Any) -> None:
    # given a deal split 50/50 between two reps and a rule naming both
    ann, bob, _cy = await three_reps()
    await _split_deals(1, [ann, bob, _cy])
    both = [{"userId": gid(ann), "percent": 50}, {"userId": gid(bob), "percent": 50}]
    rule = (await call(gql, CREATE_RULE, {"name": "Pair", "shares": both}))["leadSplitRule"]["id"]
    await m.Lead.create(last_name="Fresh")
    # when Bob is deleted
    await call(
        gql,
        "mutation($input: DeleteUserInput!) { deleteUser(input: $input) { userErrors { field message code } } }",
        {"id": gid(bob)},
    )
    # then the deal's splits keep their percents (Bob's share credited to nobody) and add up
    deal = await gql("{ opportunities { nodes { amount revenueSplits { percent amount user { name } } } } }")
    (node,) = deal["opportunities"]["nodes"]
    assert [(s["user"] and s["user"]["name"], s["percent"], s["amount"]) for s in node["revenueSplits"]] == [
        ("Ann", 33, "33.00"),
        (None, 33, "33.00"),
        ("Cy", 34, "34.01"),
    ]
    summary = {g["label"]: g["amount"] for g in (await gql(SUMMARY_EUR))["pipelineSummary"]}
    assert summary == {"Ann": "33.00", "Cy": "34.01", "Unassigned": "33.00"}
    # and the rule naming him does not run until its shares are updated
    before = await state()
    await call(
        gql,
        RUN_RULE,
        {"ruleId": rule},
        [
            {
                "field": ["input", "ruleId"],
                "message": "The rule names a user who is deleted or deactivated: update its shares first.",
                "code": "INVALID_TRANSITION",
            }
        ],
    )
    assert await state() == before
    await call(gql, UPDATE_RULE, {"id": rule, "shares": [{"userId": gid(ann)}]})
    assert (await call(gql, RUN_RULE, {"ruleId": rule}))["processedCount"] == 1
