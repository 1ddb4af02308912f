"""Trash (DOMAIN.md 11): ``isDeleted`` in the filters of soft-deletable types lists the deleted
records a user may see, so they can be restored from there; privacy still holds."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create

from crm_graphql.enums import Role

LIST = """query($f: AccountFilter, $c: ContactFilter) {
  accounts(filter: $f) { totalCount nodes { id name isDeleted } }
  contacts(filter: $c) { totalCount nodes { id lastName isDeleted } } }"""
DELETE = f"mutation($input: DeleteAccountInput!) {{ deleteAccount(input: $input) {{ deletedId {ERR} }} }}"
RESTORE = f"mutation($input: RestoreAccountInput!) {{ restoreAccount(input: $input) {{ account {{ id }} {ERR} }} }}"
TRASH = {"isDeleted": {"eq": True}}


async def test_list_and_restore_deleted_records(gql: Any, actors: Any) -> None:
    # given a deleted account (its contact went with it) and a live one
    gone = await create(gql, "Account", {"name": "Gone Inc"})
    await create(gql, "Contact", {"lastName": "Went", "accountId": gone})
    await create(gql, "Account", {"name": "Live Ltd"})
    await call(gql, DELETE, {"id": gone})
    # when the trash is listed
    data = await gql(LIST, {"f": TRASH, "c": TRASH})
    # then it holds the deleted account and contact, flagged, and nothing live
    assert [(n["name"], n["isDeleted"]) for n in data["accounts"]["nodes"]] == [("Gone Inc", True)]
    assert data["accounts"]["totalCount"] == 1
    assert [(n["lastName"], n["isDeleted"]) for n in data["contacts"]["nodes"]] == [("Went", True)]
    # and isDeleted false, or no filter, lists live records only
    live = await gql(LIST, {"f": {"isDeleted": {"eq": False}}, "c": None})
    assert [n["name"] for n in live["accounts"]["nodes"]] == ["Live Ltd"]
    assert (await gql(LIST, {"f": None, "c": None}))["accounts"]["totalCount"] == 1
    # and combined with other conditions
    named = await gql(LIST, {"f": {"and": [{"name": {"startsWith": "gone"}}], **TRASH}, "c": TRASH})
    assert named["accounts"]["totalCount"] == 1
    # when it is restored from the trash, it leaves the trash with what its delete took
    await call(gql, RESTORE, {"id": data["accounts"]["nodes"][0]["id"]})
    after = await gql(LIST, {"f": TRASH, "c": TRASH})
    assert after["accounts"]["totalCount"] == 0 and after["contacts"]["totalCount"] == 0


async def test_trash_shows_only_what_the_user_may_see(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    private = await create(rep, "Account", {"name": "Secret", "isPrivate": True})
    public = await create(rep, "Account", {"name": "Open"})
    await call(rep, DELETE, {"id": private})
    await call(rep, DELETE, {"id": public})
    # the owner sees both deleted accounts; the admin only the public one (private is private)
    mine = await rep(LIST, {"f": TRASH, "c": None})
    assert sorted(n["name"] for n in mine["accounts"]["nodes"]) == ["Open", "Secret"]
    theirs = await gql(LIST, {"f": TRASH, "c": None})
    assert [n["name"] for n in theirs["accounts"]["nodes"]] == ["Open"] and theirs["accounts"]["totalCount"] == 1
    # and a deleted record stays out of node(id)
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": public}))["node"] is None
