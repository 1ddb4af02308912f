"""Related accounts (DOMAIN.md 11) through the API: linked with a kind and a note, shown from
both sides (SUPPLIER and CUSTOMER read the other way), one relation per pair either way round,
visible only when both accounts are, on both timelines; every refusal changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from factories import ERR, call, create, make_user

from crm_graphql import models as m
from crm_graphql.enums import Role

LINK = f"""mutation($input: LinkAccountsInput!) {{ linkAccounts(input: $input) {{
  relation {{ id kind note account {{ id }} relatedAccount {{ id }} }} {ERR} }} }}"""
UNLINK = f"""mutation($input: UnlinkAccountsInput!) {{ unlinkAccounts(input: $input) {{
  account {{ id }} relatedAccount {{ id }} deletedId {ERR} }} }}"""
RELATED = """query($id: ID!) { account(id: $id) { relatedAccounts { id kind note account { id name }
  relatedAccount { id name } } } }"""
EVENTS = """query($id: ID!) { account(id: $id) { timeline(first: 20) { nodes { kind data } } } }"""


def refused(code: str, field: str, message: str) -> list[dict[str, Any]]:
    return [{"field": ["input", field], "message": message, "code": code}]


async def relations(gql: Any, account: str) -> list[dict[str, Any]]:
    return list((await gql(RELATED, {"id": account}))["account"]["relatedAccounts"])


async def stored() -> list[tuple[Any, ...]]:
    return list(await m.AccountRelation.all().order_by("id").values_list("id", "account_id", "linked_id", "kind"))


async def test_a_relation_shows_from_both_sides_and_on_both_timelines(gql: Any) -> None:
    # given three accounts
    acme = await create(gql, "Account", {"name": "Acme"})
    steel = await create(gql, "Account", {"name": "Steel Co"})
    rival = await create(gql, "Account", {"name": "Rival"})
    # when Acme links Steel Co as its supplier and Rival as a competitor
    supplier = await call(
        gql, LINK, {"accountId": acme, "relatedAccountId": steel, "kind": "SUPPLIER", "note": "  Steel for the plant  "}
    )
    await call(gql, LINK, {"accountId": acme, "relatedAccountId": rival, "kind": "COMPETITOR"})
    # then the new relation is seen from Acme, the note trimmed
    relation = supplier["relation"]
    assert relation["kind"] == "SUPPLIER" and relation["note"] == "Steel for the plant"
    assert (relation["account"], relation["relatedAccount"]) == ({"id": acme}, {"id": steel})
    # and Acme lists both; Steel Co lists the same relation from its side: Acme is its customer
    assert [(r["kind"], r["account"]["name"], r["relatedAccount"]["name"]) for r in await relations(gql, acme)] == [
        ("SUPPLIER", "Acme", "Steel Co"),
        ("COMPETITOR", "Acme", "Rival"),
    ]
    from_steel = await relations(gql, steel)
    assert [(r["id"], r["kind"], r["account"]["name"], r["relatedAccount"]["name"], r["note"]) for r in from_steel] == [
        (relation["id"], "CUSTOMER", "Steel Co", "Acme", "Steel for the plant")
    ]
    assert [(r["kind"], r["relatedAccount"]["name"]) for r in await relations(gql, rival)] == [("COMPETITOR", "Acme")]
    # node(id:) shows it from the account that linked it
    node = await gql(
        "query($id: ID!) { node(id: $id) { ... on AccountRelation { kind account { id } } } }", {"id": relation["id"]}
    )
    assert node["node"] == {"kind": "SUPPLIER", "account": {"id": acme}}
    # both timelines record the link, each naming the other account with the kind from its side
    acme_events = [
        e for e in (await gql(EVENTS, {"id": acme}))["account"]["timeline"]["nodes"] if e["kind"] == "ACCOUNT_LINKED"
    ]
    steel_events = [
        e for e in (await gql(EVENTS, {"id": steel}))["account"]["timeline"]["nodes"] if e["kind"] == "ACCOUNT_LINKED"
    ]
    assert {(e["data"]["relatedAccount"]["id"], e["data"]["relatedAccount"]["kind"]) for e in acme_events} == {
        (steel, "SUPPLIER"),
        (rival, "COMPETITOR"),
    }
    assert [(e["data"]["relatedAccount"]["id"], e["data"]["relatedAccount"]["kind"]) for e in steel_events] == [
        (acme, "CUSTOMER")
    ]

    # when Steel Co's side removes it
    removed = await call(gql, UNLINK, {"id": relation["id"]})
    # then it is gone from both sides, recorded on both timelines
    assert removed["deletedId"] == relation["id"]
    assert (removed["account"], removed["relatedAccount"]) == ({"id": acme}, {"id": steel})
    assert await relations(gql, steel) == []
    assert [r["relatedAccount"]["id"] for r in await relations(gql, acme)] == [rival]
    for account in (acme, steel):
        kinds = [e["kind"] for e in (await gql(EVENTS, {"id": account}))["account"]["timeline"]["nodes"]]
        assert "ACCOUNT_UNLINKED" in kinds
    # and the two accounts can be related again, the other way round
    again = await call(gql, LINK, {"accountId": steel, "relatedAccountId": acme, "kind": "CUSTOMER"})
    assert again["relation"]["account"] == {"id": steel}
    assert [r["kind"] for r in await relations(gql, acme)] == ["COMPETITOR", "SUPPLIER"]


async def test_link_refusals_change_nothing(gql: Any, actors: Any) -> None:
    # given rep A's account, a second account, a relation between them, and rep A's private account
    rep_a = gql.as_(actors[Role.SALES_REP])
    mine = await create(rep_a, "Account", {"name": "Rep A's"})
    other = await create(gql, "Account", {"name": "Other"})
    secret = await create(rep_a, "Account", {"name": "Secret", "isPrivate": True})
    gone = await create(gql, "Account", {"name": "Gone"})
    await gql(f'mutation {{ deleteAccount(input: {{id: "{gone}"}}) {{ {ERR} }} }}')
    first = (await call(rep_a, LINK, {"accountId": mine, "relatedAccountId": other, "kind": "PARTNER"}))["relation"]
    b_user, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = gql.as_(type(actors[Role.SALES_REP])(b_user, b_token))
    b_account = await create(rep_b, "Account", {"name": "Rep B's"})
    reader = gql.as_(actors[Role.READ_ONLY])
    before = await stored()
    events = await m.TimelineEvent.all().count()
    link = {"accountId": mine, "relatedAccountId": other, "kind": "OTHER"}

    # a duplicate, in the same and in the other direction
    await call(rep_a, LINK, link, refused("DUPLICATE", "relatedAccountId", "These accounts are related already."))
    await call(
        gql,
        LINK,
        {**link, "accountId": other, "relatedAccountId": mine},
        refused("DUPLICATE", "relatedAccountId", "These accounts are related already."),
    )
    # an account related to itself
    await call(
        rep_a,
        LINK,
        {**link, "relatedAccountId": mine},
        refused("INVALID", "relatedAccountId", "An account cannot be related to itself."),
    )
    # malformed ids, ids of another type, a deleted account
    await call(rep_a, LINK, {**link, "accountId": "junk"}, refused("INVALID", "accountId", "Malformed id."))
    await call(
        rep_a,
        LINK,
        {**link, "relatedAccountId": first["id"]},
        refused("NOT_FOUND", "relatedAccountId", "No Account with this id."),
    )
    await call(
        rep_a,
        LINK,
        {**link, "relatedAccountId": gone},
        refused("NOT_FOUND", "relatedAccountId", "No Account with this id."),
    )
    # a note too long
    await call(
        rep_a,
        LINK,
        {**link, "relatedAccountId": b_account, "note": "x" * 201},
        refused("INVALID", "note", "note is too long (at most 200 characters)."),
    )
    # rep B: from rep A's account (FORBIDDEN), to rep A's private account (NOT_FOUND, it does not exist for them)
    await call(
        rep_b,
        LINK,
        {**link, "accountId": mine, "relatedAccountId": b_account},
        refused("FORBIDDEN", "accountId", "Sales reps may only change records they own."),
    )
    await call(
        rep_b,
        LINK,
        {**link, "accountId": b_account, "relatedAccountId": secret},
        refused("NOT_FOUND", "relatedAccountId", "No Account with this id."),
    )
    await call(
        rep_b,
        LINK,
        {**link, "accountId": secret, "relatedAccountId": b_account},
        refused("NOT_FOUND", "accountId", "No Account with this id."),
    )
    # rep B unlinking rep A's relation (they see both accounts, may change neither)
    await call(
        rep_b, UNLINK, {"id": first["id"]}, refused("FORBIDDEN", "id", "Sales reps may only change records they own.")
    )
    await call(rep_b, UNLINK, {"id": mine}, refused("NOT_FOUND", "id", "No AccountRelation with this id."))
    await call(rep_b, UNLINK, {"id": "junk"}, refused("INVALID", "id", "Malformed id."))
    # a read-only user
    await call(
        reader,
        LINK,
        {**link, "relatedAccountId": b_account},
        [{"field": ["input"], "message": "Your role may only read.", "code": "FORBIDDEN"}],
    )
    # then nothing changed
    assert await stored() == before
    assert await m.TimelineEvent.all().count() == events


async def test_a_relation_is_visible_only_when_both_accounts_are(gql: Any, actors: Any) -> None:
    # given rep A's private account related to a public account
    rep_a = gql.as_(actors[Role.SALES_REP])
    secret = await create(rep_a, "Account", {"name": "Secret", "isPrivate": True})
    public = await create(gql, "Account", {"name": "Public"})
    relation = (
        await call(
            rep_a,
            LINK,
            {"accountId": secret, "relatedAccountId": public, "kind": "AFFILIATE", "note": "secret note"},
        )
    )["relation"]
    # then rep A sees it from both sides
    assert [r["id"] for r in await relations(rep_a, public)] == [relation["id"]]
    assert [r["id"] for r in await relations(rep_a, secret)] == [relation["id"]]
    # and nobody else (the admin included: a private account is its owner's alone) sees it at all
    for viewer in (gql, gql.as_(actors[Role.MANAGER])):
        assert await relations(viewer, public) == []
        node = await viewer("query($id: ID!) { node(id: $id) { id } }", {"id": relation["id"]})
        assert node["node"] is None
        # nor read anything about it on the public account's timeline (the kind and note hang on
        # the hidden account's reference)
        events = (await viewer(EVENTS, {"id": public}))["account"]["timeline"]["nodes"]
        assert [e["data"] for e in events if e["kind"] == "ACCOUNT_LINKED"] == [{"relatedAccount": None}]
        # nor can unlink it (NOT_FOUND: it does not exist for them)
        await call(
            viewer, UNLINK, {"id": relation["id"]}, refused("NOT_FOUND", "id", "No AccountRelation with this id.")
        )
    # a deleted account hides its relations; restoring it shows them again
    await call(
        rep_a, "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { " + ERR + " } }", {"id": secret}
    )
    assert await relations(rep_a, public) == []
    await call(
        rep_a,
        "mutation($input: RestoreAccountInput!) { restoreAccount(input: $input) { " + ERR + " } }",
        {"id": secret},
    )
    assert [r["kind"] for r in await relations(rep_a, public)] == ["AFFILIATE"]


async def test_the_owner_of_either_account_may_unlink(gql: Any, actors: Any) -> None:
    # given rep B's account linked from rep A's
    rep_a = gql.as_(actors[Role.SALES_REP])
    b_user, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = gql.as_(type(actors[Role.SALES_REP])(b_user, b_token))
    mine = await create(rep_a, "Account", {"name": "Rep A's"})
    theirs = await create(rep_b, "Account", {"name": "Rep B's"})
    relation = (await call(rep_a, LINK, {"accountId": mine, "relatedAccountId": theirs, "kind": "PARTNER"}))["relation"]
    # when rep B removes it from their side
    await call(rep_b, UNLINK, {"id": relation["id"]})
    # then it is gone
    assert await stored() == []


async def test_concurrent_links_of_one_pair_make_one_relation(gql: Any) -> None:
    # given two accounts
    a = await create(gql, "Account", {"name": "A"})
    b = await create(gql, "Account", {"name": "B"})
    # when both directions are linked at once
    answers = await asyncio.gather(
        gql(LINK, {"input": {"accountId": a, "relatedAccountId": b, "kind": "PARTNER"}}),
        gql(LINK, {"input": {"accountId": b, "relatedAccountId": a, "kind": "PARTNER"}}),
    )
    # then one succeeds and the other is a DUPLICATE
    codes = sorted(e["code"] for x in answers for e in x["linkAccounts"]["userErrors"])
    assert codes == ["DUPLICATE"]
    assert len(await stored()) == 1
