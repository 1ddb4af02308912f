"""Regression tests for the holes an outside review found (issue 14, items 1-4), through HTTP.

Rep A owns a public account with a deal and a quote, a private account, and a restricted
deal; rep B is another sales rep. Each test failed on the main branch the review ran against.
"""

from __future__ import annotations

import base64
from typing import Any

from factories import catalog, make_user, sales_world, user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role

QUOTE_STATE = """query($id: ID!) { node(id: $id) { ... on Quote { version status total items { totalCount } } } }"""
OPP_STATE = """query($id: ID!) { node(id: $id) { ... on Opportunity { version amount amountSource
  items { totalCount } } } }"""
ADD_MANUAL_ITEM = """mutation($i: AddManualQuoteItemInput!) { addManualQuoteItem(input: $i) {
  item { id } userErrors { field message code } } }"""
SEND_QUOTE = """mutation($i: SendQuoteInput!) { sendQuote(input: $i) { quote { status }
  userErrors { field message code } } }"""
ADD_OPP_ITEMS = """mutation($i: AddOpportunityItemsInput!) { addOpportunityItems(input: $i) {
  opportunity { amount } userErrors { field message code } } }"""
UPDATE_QUOTE = """mutation($i: UpdateQuoteInput!) { updateQuote(input: $i) { userErrors { field message code } } }"""
FORBIDDEN = "Sales reps may only change records they own."


async def _two_reps(gql: Any, actors: Any) -> tuple[Any, Any, Any]:
    rep_a = gql.as_(actors[Role.SALES_REP])
    _b, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = gql.as_(actors[Role.SALES_REP])
    rep_b.token = b_token
    world = await sales_world(actors[Role.SALES_REP].user, await catalog())
    return rep_a, rep_b, world


async def test_rep_b_cannot_add_items_to_or_send_rep_a_quote(gql: Any, actors: Any) -> None:
    # given rep A's draft quote on a public account, which rep B can read
    rep_a, rep_b, world = await _two_reps(gql, actors)
    quote_id = world.ids("Quote")[0]
    before = await rep_a(QUOTE_STATE, {"id": quote_id})
    assert before["node"]["status"] == "DRAFT"
    # when rep B edits it three ways
    update = await rep_b(UPDATE_QUOTE, {"i": {"id": quote_id, "name": "B's"}})
    manual = await rep_b(ADD_MANUAL_ITEM, {"i": {"quoteId": quote_id, "name": "B's line", "unitPrice": "99"}})
    send = await rep_b(SEND_QUOTE, {"i": {"quoteId": quote_id}})
    # then each is refused with FORBIDDEN on the quote input, and the quote is as it was
    assert update["updateQuote"]["userErrors"] == [user_error("input.id", "FORBIDDEN", FORBIDDEN)]
    assert manual["addManualQuoteItem"] == {
        "item": None,
        "userErrors": [user_error("input.quoteId", "FORBIDDEN", FORBIDDEN)],
    }
    assert send["sendQuote"] == {
        "quote": None,
        "userErrors": [user_error("input.quoteId", "FORBIDDEN", FORBIDDEN)],
    }
    assert await rep_a(QUOTE_STATE, {"id": quote_id}) == before


async def test_rep_b_cannot_change_rep_a_deal_through_its_items(gql: Any, actors: Any) -> None:
    # given rep A's open deal with one item, readable by rep B
    rep_a, rep_b, world = await _two_reps(gql, actors)
    opp_id = world.ids("Opportunity")[0]
    product = await m.Product.all().first()
    product_id = to_global_id("Product", product.id)
    before = await rep_a(OPP_STATE, {"id": opp_id})
    # when rep B adds a line to it
    body = await rep_b(
        ADD_OPP_ITEMS,
        {
            "i": {
                "opportunityId": opp_id,
                "items": [{"name": "Padding", "unitPrice": "100000", "quantity": "5"}, {"productId": product_id}],
            }
        },
    )
    # then FORBIDDEN, and the deal's amount, version and items are unchanged
    assert body["addOpportunityItems"] == {
        "opportunity": None,
        "userErrors": [user_error("input.opportunityId", "FORBIDDEN", FORBIDDEN)],
    }
    assert await rep_a(OPP_STATE, {"id": opp_id}) == before


async def test_rep_b_cannot_change_rep_a_quote_lines(gql: Any, actors: Any) -> None:
    # given a line of rep A's quote
    rep_a, rep_b, world = await _two_reps(gql, actors)
    item_id = world.ids("QuoteItem")[0]
    quote_id = world.ids("Quote")[0]
    before = await rep_a(QUOTE_STATE, {"id": quote_id})
    # when rep B changes and removes it
    update = await rep_b(
        "mutation($i: UpdateQuoteItemInput!) { updateQuoteItem(input: $i) { userErrors { field code } } }",
        {"i": {"id": item_id, "unitPrice": "0"}},
    )
    remove = await rep_b(
        "mutation($i: RemoveQuoteItemInput!) { removeQuoteItem(input: $i) { userErrors { field code } } }",
        {"i": {"id": item_id}},
    )
    # then both are FORBIDDEN on the line's id and nothing changed
    assert update["updateQuoteItem"]["userErrors"] == [{"field": ["input", "id"], "code": "FORBIDDEN"}]
    assert remove["removeQuoteItem"]["userErrors"] == [{"field": ["input", "id"], "code": "FORBIDDEN"}]
    assert await rep_a(QUOTE_STATE, {"id": quote_id}) == before


EVENT_NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on TimelineEvent { kind subjectType
  changes { field oldValue newValue } } } }"""
UPDATE_OPP = "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) { userErrors { code } } }"


async def test_node_does_not_return_timeline_events_of_hidden_records(gql: Any, actors: Any) -> None:
    # given rep A's private account and restricted deal, each with history
    rep_a, rep_b, _ = await _two_reps(gql, actors)
    shared = await catalog()
    private = await sales_world(actors[Role.SALES_REP].user, shared, private=True)
    restricted = await sales_world(actors[Role.SALES_REP].user, shared, restricted=True)
    for opp in (private.records["Opportunity"][0], restricted.records["Opportunity"][0]):
        body = await rep_a(UPDATE_OPP, {"i": {"id": to_global_id("Opportunity", opp.id), "description": "secret"}})
        assert body["updateOpportunity"]["userErrors"] == []
    # when rep B enumerates every event id
    top = max(e.id for e in await m.TimelineEvent.all())
    ids = [to_global_id("TimelineEvent", i) for i in range(1, top + 1)]
    seen = await rep_b(EVENT_NODES, {"ids": ids})
    # then no event of a hidden record comes back (and rep A, the owner, reads them all)
    found = {int(base64.b64decode(n["id"]).decode().split(":")[1]) for n in seen["nodes"] if n}
    secret = {e.id for e in await _events_of(private) + await _events_of(restricted)}
    assert secret and found & secret == set()
    mine = await rep_a(EVENT_NODES, {"ids": [to_global_id("TimelineEvent", i) for i in secret]})
    assert all(mine["nodes"])
    assert any(c["newValue"] == "secret" for n in mine["nodes"] for c in n["changes"])


async def _events_of(world: Any) -> list[Any]:
    """Events whose subject is hidden from rep B: all of a private world, the deal side of a restricted one."""
    private = world.records["Account"][0].is_private
    out = []
    for type_name in ("Account", "Contact", "Opportunity", "Quote") if private else ("Opportunity", "Quote"):
        ids = [r.id for r in world.records.get(type_name, [])]
        out += list(await m.TimelineEvent.filter(subject_type=type_name, subject_id__in=ids))
    return out


PARENT_FILTER = """query($f: AccountFilter) { accounts(filter: $f) { totalCount nodes { name } } }"""


async def test_to_one_relation_filter_does_not_see_a_private_parent(gql: Any, actors: Any) -> None:
    # given a public account whose parent is rep A's private account with a VAT number
    rep_a, rep_b, _ = await _two_reps(gql, actors)
    owner = actors[Role.SALES_REP].user
    parent = await m.Account.create(name="Hidden parent", vat_number="DE123456789", is_private=True, owner_id=owner.id)
    await m.Account.create(name="Public child", parent=parent, owner_id=owner.id)
    exact = {"f": {"parent": {"vatNumber": {"eq": "DE123456789"}}}}
    # when rep B filters on the parent's VAT number, exactly and by prefix
    found = await rep_b(PARENT_FILTER, exact)
    prefixes = [
        (await rep_b(PARENT_FILTER, {"f": {"parent": {"vatNumber": {"startsWith": p}}}}))["accounts"]["totalCount"]
        for p in ("D", "DE1", "DE123456789")
    ]
    negated = await rep_b(PARENT_FILTER, {"f": {"not": {"parent": {"vatNumber": {"startsWith": "DE"}}}}})
    # then nothing matches: the hidden parent does not exist for rep B
    assert found["accounts"] == {"totalCount": 0, "nodes": []}
    assert prefixes == [0, 0, 0]
    assert "Public child" in [n["name"] for n in negated["accounts"]["nodes"]]
    # and rep A, who may see the parent, finds the child
    assert (await rep_a(PARENT_FILTER, exact))["accounts"] == {"totalCount": 1, "nodes": [{"name": "Public child"}]}


LEAD_TIMELINE = """query($id: ID!) { node(id: $id) { ... on Lead { timeline { nodes { kind data } } } } }"""
QUALIFY = """mutation($i: QualifyLeadInput!) { qualifyLead(input: $i) { userErrors { field code } } }"""
LOG_ACTIVITY = """mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id }
  userErrors { field code } } }"""


async def test_lead_timeline_says_nothing_about_hidden_records(gql: Any, actors: Any) -> None:
    # given a public lead with an activity that is also attached to rep A's restricted deal
    rep_a, rep_b, _ = await _two_reps(gql, actors)
    owner = actors[Role.SALES_REP].user
    restricted = await sales_world(owner, await catalog(), restricted=True)
    lead = await m.Lead.create(last_name="Public", company="Lead Co", owner_id=owner.id)
    lead_id = to_global_id("Lead", lead.id)
    deal_id = restricted.ids("Opportunity")[0]
    logged = await rep_a(
        LOG_ACTIVITY,
        {"i": {"type": "CALL", "subject": "Discuss the secret merger", "leadId": lead_id, "opportunityId": deal_id}},
    )
    assert logged["logActivity"]["userErrors"] == []
    # and a second public lead that rep A qualifies into their private account
    private = await sales_world(owner, await catalog(), private=True)
    lead2 = await m.Lead.create(last_name="Other", company="Lead2 Co", owner_id=owner.id)
    body = await rep_a(
        QUALIFY,
        {
            "i": {
                "leadId": to_global_id("Lead", lead2.id),
                "account": {"existingId": private.ids("Account")[0]},
                "opportunity": {},
            }
        },
    )
    assert body["qualifyLead"]["userErrors"] == []
    # when rep B reads both leads' timelines
    first = (await rep_b(LEAD_TIMELINE, {"id": lead_id}))["node"]["timeline"]["nodes"]
    second = (await rep_b(LEAD_TIMELINE, {"id": to_global_id("Lead", lead2.id)}))["node"]["timeline"]["nodes"]
    # then the activity's subject and the hidden records' ids are not shown
    text = repr(first) + repr(second)
    assert "secret merger" not in text
    account = private.records["Account"][0]
    opp = await m.Opportunity.filter(account_id=account.id).order_by("-id").first()
    qualified = next(e for e in second if e["kind"] == "QUALIFIED")
    assert qualified["data"] == {"account": None, "contact": None, "opportunity": None}
    assert [e["data"] for e in first if e["kind"] == "ACTIVITY"] == [{"activity": None}]
    # while rep A sees them, named by global ID
    mine = (await rep_a(LEAD_TIMELINE, {"id": to_global_id("Lead", lead2.id)}))["node"]["timeline"]["nodes"]
    assert next(e for e in mine if e["kind"] == "QUALIFIED")["data"] == {
        "account": {"id": to_global_id("Account", account.id)},
        "contact": None,
        "opportunity": {"id": to_global_id("Opportunity", opp.id)},
    }
    activity = await m.Activity.filter(subject="Discuss the secret merger").first()
    mine = (await rep_a(LEAD_TIMELINE, {"id": lead_id}))["node"]["timeline"]["nodes"]
    assert [e["data"] for e in mine if e["kind"] == "ACTIVITY"] == [
        {
            "activity": {
                "id": to_global_id("Activity", activity.id),
                "type": "CALL",
                "subject": "Discuss the secret merger",
            }
        }
    ]
