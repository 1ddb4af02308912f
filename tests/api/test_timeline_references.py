"""Timeline events name other records by global ID, and say about them only what the viewer
may see (DOMAIN.md 6): a reference to a hidden record reads as null, facts included. Events
stored before references existed (bare database ids) are converted when read."""

from __future__ import annotations

from typing import Any

from factories import catalog, make_user, sales_world

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role

TIMELINE = """query($id: ID!) { node(id: $id) { ... on Contact { timeline { nodes { kind data
  changes { field oldValue newValue } } } } ... on Lead { timeline { nodes { kind data changes { field oldValue newValue } } } }
  ... on Quote { timeline { nodes { kind data } } } ... on Opportunity { timeline { nodes { kind data } } } } }"""
UPDATE_CONTACT = "mutation($i: UpdateContactInput!) { updateContact(input: $i) { userErrors { field code } } }"
CONVERT = """mutation($i: ConvertQuoteToOrderInput!) { convertQuoteToOrder(input: $i) {
  salesOrder { id number } userErrors { field code } } }"""


async def _reps(gql: Any, actors: Any) -> tuple[Any, Any]:
    rep_a = gql.as_(actors[Role.SALES_REP])
    _b, token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = gql.as_(actors[Role.SALES_REP])
    rep_b.token = token
    return rep_a, rep_b


async def events(who: Any, gid: str) -> list[dict[str, Any]]:
    return list((await who(TIMELINE, {"id": gid}))["node"]["timeline"]["nodes"])


async def test_a_moved_foreign_key_shows_as_global_id_or_null(gql: Any, actors: Any) -> None:
    # given rep A's public contact, moved from a public account to rep A's private account
    rep_a, rep_b = await _reps(gql, actors)
    owner = actors[Role.SALES_REP].user
    public = await m.Account.create(name="Public", owner_id=owner.id)
    private = await m.Account.create(name="Private", owner_id=owner.id, is_private=True)
    contact = await m.Contact.create(last_name="Mover", account=public, owner_id=owner.id)
    gid = to_global_id("Contact", contact.id)
    body = await rep_a(UPDATE_CONTACT, {"i": {"id": gid, "accountId": to_global_id("Account", private.id)}})
    assert body["updateContact"]["userErrors"] == []
    await m.Contact.filter(id=contact.id).update(account_id=public.id)  # back, so rep B still sees the contact
    # when both read its history
    mine, theirs = await events(rep_a, gid), await events(rep_b, gid)
    # then rep A reads both accounts' global ids, rep B only the public one's
    public_id, private_id = to_global_id("Account", public.id), to_global_id("Account", private.id)
    assert [e["changes"] for e in mine if e["kind"] == "UPDATED"] == [
        [{"field": "accountId", "oldValue": public_id, "newValue": private_id}]
    ]
    assert [e["changes"] for e in theirs if e["kind"] == "UPDATED"] == [
        [{"field": "accountId", "oldValue": public_id, "newValue": None}]
    ]
    assert str(private.id) not in repr([e["changes"] for e in theirs])


async def test_conversion_targets_are_global_ids_with_their_number(gql: Any, actors: Any) -> None:
    # given rep A's draft quote
    rep_a, _ = await _reps(gql, actors)
    world = await sales_world(actors[Role.SALES_REP].user, await catalog())
    quote_id = world.ids("Quote")[0]
    # when it becomes an order
    body = await rep_a(CONVERT, {"i": {"quoteId": quote_id}})
    order = body["convertQuoteToOrder"]["salesOrder"]
    # then the quote's CONVERTED event names the order by global ID, with its number
    converted = [e["data"] for e in await events(rep_a, quote_id) if e["kind"] == "CONVERTED"]
    assert converted == [{"to": "SalesOrder", "salesOrder": {"id": order["id"], "number": order["number"]}}]


async def test_events_stored_with_bare_ids_are_converted_when_read(gql: Any, actors: Any) -> None:
    # given events written by an older version: bare database ids of a private account, its
    # deal, an activity on it, a stage and a user
    rep_a, rep_b = await _reps(gql, actors)
    owner = actors[Role.SALES_REP].user
    private = await sales_world(owner, await catalog(), private=True)
    account, opp = private.records["Account"][0], private.records["Opportunity"][0]
    activity = private.records["Activity"][0]
    lead = await m.Lead.create(last_name="Old", owner_id=owner.id)
    stage = await m.Stage.get(name="Proposal")
    legacy = [
        ("QUALIFIED", {"account": account.id, "contact": None, "opportunity": opp.id}),
        ("ACTIVITY", {"activityId": activity.id, "type": "CALL", "subject": "Secret call"}),
        ("UPDATED", {"changes": {"ownerId": {"old": None, "new": owner.id}}}),
        ("REOPENED", {"stageId": stage.id, "cancelledContracts": 0}),
    ]
    for kind, data in legacy:
        await m.TimelineEvent.create(subject_type="Lead", subject_id=lead.id, kind=kind, data=data)
    gid = to_global_id("Lead", lead.id)
    # when rep A (who sees everything) and rep B read the lead's timeline
    mine = {e["kind"]: e for e in await events(rep_a, gid)}
    theirs = {e["kind"]: e for e in await events(rep_b, gid)}
    # then both read global ids where they may, and rep B nothing of the private records
    assert mine["QUALIFIED"]["data"] == {
        "account": {"id": to_global_id("Account", account.id)},
        "contact": None,
        "opportunity": {"id": to_global_id("Opportunity", opp.id)},
    }
    assert theirs["QUALIFIED"]["data"] == {"account": None, "contact": None, "opportunity": None}
    assert mine["ACTIVITY"]["data"] == {
        "activity": {"id": to_global_id("Activity", activity.id), "type": "CALL", "subject": "Secret call"}
    }
    assert theirs["ACTIVITY"]["data"] == {"activity": None}
    user_id = to_global_id("User", owner.id)
    for seen in (mine, theirs):
        assert seen["UPDATED"]["changes"] == [{"field": "ownerId", "oldValue": None, "newValue": user_id}]
        assert seen["REOPENED"]["data"] == {"stage": {"id": to_global_id("Stage", stage.id)}, "cancelledContracts": 0}
