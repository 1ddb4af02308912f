"""Business roles on a deal (DOMAIN.md 11): a contact takes a role, at most one primary, each
contact and role once; shown from the deal and from the contact; errors change nothing."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, user_error

from crm_graphql import models as m
from crm_graphql.enums import Role

ADD = f"""mutation($input: AddOpportunityContactRoleInput!) {{ addOpportunityContactRole(input: $input) {{
  contactRole {{ id role description isPrimary contact {{ id }} opportunity {{ id }} }} {ERR} }} }}"""
REMOVE = f"""mutation($input: RemoveOpportunityContactRoleInput!) {{ removeOpportunityContactRole(input: $input) {{
  opportunity {{ id }} {ERR} }} }}"""
ROLES = """query($o: ID!, $c: ID!) { opportunity(id: $o) { contactRoles { role isPrimary contact { id } } }
  contact(id: $c) { opportunityRoles { role opportunity { id } } } }"""


async def test_contact_roles_from_both_sides_and_their_errors(gql: Any, actors: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    other = await create(gql, "Account", {"name": "Consultants"})
    anna = await create(gql, "Contact", {"lastName": "Anna", "accountId": account})
    ben = await create(gql, "Contact", {"lastName": "Ben", "accountId": other})
    deal = await create(gql, "Opportunity", {"title": "Deal", "accountId": account})
    # a contact of the deal's account and one of another visible account take roles
    first = await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": anna, "role": "DECISION_MAKER", "isPrimary": True, "description": "Signs"},
    )
    assert first["contactRole"]["isPrimary"] and first["contactRole"]["description"] == "Signs"
    await call(gql, ADD, {"opportunityId": deal, "contactId": ben, "role": "INFLUENCER"})
    # a new primary role takes the flag from the previous one
    await call(gql, ADD, {"opportunityId": deal, "contactId": anna, "role": "ECONOMIC_BUYER", "isPrimary": True})
    data = await gql(ROLES, {"o": deal, "c": anna})
    assert data["opportunity"]["contactRoles"] == [
        {"role": "ECONOMIC_BUYER", "isPrimary": True, "contact": {"id": anna}},
        {"role": "DECISION_MAKER", "isPrimary": False, "contact": {"id": anna}},
        {"role": "INFLUENCER", "isPrimary": False, "contact": {"id": ben}},
    ]
    assert sorted(r["role"] for r in data["contact"]["opportunityRoles"]) == ["DECISION_MAKER", "ECONOMIC_BUYER"]
    # errors: the same contact and role twice, a too long description, a hidden or malformed contact,
    # a rep who does not own the deal, a closed deal; nothing changes
    before = await m.OpportunityContactRole.all().order_by("id").values_list("id", "role", "is_primary")
    await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": anna, "role": "DECISION_MAKER"},
        [user_error("input.role", "DUPLICATE", "This contact has this role on the deal already.")],
    )
    await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": ben, "role": "USER", "description": "x" * 501},
        [user_error("input.description", "INVALID", "description is too long (at most 500 characters).")],
    )
    rep = gql.as_(actors[Role.SALES_REP])
    secret = await create(rep, "Account", {"name": "Secret", "isPrivate": True})
    hidden = await create(rep, "Contact", {"lastName": "Hidden", "accountId": secret})
    await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": hidden, "role": "USER"},
        [user_error("input.contactId", "NOT_FOUND", "No Contact with this id.")],
    )
    await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": "junk", "role": "USER"},
        [user_error("input.contactId", "INVALID", "Malformed id.")],
    )
    await call(
        rep,
        ADD,
        {"opportunityId": deal, "contactId": ben, "role": "USER"},
        [user_error("input.opportunityId", "FORBIDDEN", "Sales reps may only change records they own.")],
    )
    await gql(f'mutation {{ winOpportunity(input: {{opportunityId: "{deal}"}}) {{ {ERR} }} }}')
    await call(
        gql,
        ADD,
        {"opportunityId": deal, "contactId": ben, "role": "USER"},
        [user_error("input.opportunityId", "LOCKED", "This opportunity is closed: reopen it to edit.")],
    )
    await call(
        gql,
        REMOVE,
        {"id": first["contactRole"]["id"]},
        [user_error("input.id", "LOCKED", "This opportunity is closed: reopen it to edit.")],
    )
    assert await m.OpportunityContactRole.all().order_by("id").values_list("id", "role", "is_primary") == before
    # once reopened, a role is removed
    await gql(f'mutation {{ reopenOpportunity(input: {{opportunityId: "{deal}"}}) {{ {ERR} }} }}')
    await call(gql, REMOVE, {"id": first["contactRole"]["id"]})
    assert len((await gql(ROLES, {"o": deal, "c": anna}))["opportunity"]["contactRoles"]) == 2


async def test_a_role_of_a_contact_the_viewer_cannot_see_does_not_exist_for_them(gql: Any, actors: Any) -> None:
    # given rep A's deal on a public account, with a role for a contact of rep A's private account
    rep_a = gql.as_(actors[Role.SALES_REP])
    public = await create(rep_a, "Account", {"name": "Public"})
    secret = await create(rep_a, "Account", {"name": "Secret", "isPrivate": True})
    hidden = await create(rep_a, "Contact", {"lastName": "Hidden", "accountId": secret})
    shown = await create(rep_a, "Contact", {"lastName": "Shown", "accountId": public})
    deal = await create(rep_a, "Opportunity", {"title": "Deal", "accountId": public})
    role = await call(rep_a, ADD, {"opportunityId": deal, "contactId": hidden, "role": "DECISION_MAKER"})
    await call(rep_a, ADD, {"opportunityId": deal, "contactId": shown, "role": "INFLUENCER"})
    roles = "query($o: ID!) { opportunity(id: $o) { contactRoles { role contact { id } } } }"
    # then rep A sees both roles; the admin and a manager see the deal with the visible contact's role only
    assert len((await rep_a(roles, {"o": deal}))["opportunity"]["contactRoles"]) == 2
    for viewer in (gql, gql.as_(actors[Role.MANAGER])):
        data = await viewer(roles, {"o": deal})
        assert data["opportunity"]["contactRoles"] == [{"role": "INFLUENCER", "contact": {"id": shown}}]
        node = await viewer("query($id: ID!) { node(id: $id) { id } }", {"id": role["contactRole"]["id"]})
        assert node["node"] is None
        # nor on the deal's timeline: the role hangs on the hidden contact's reference
        events = await viewer(
            "query($o: ID!) { opportunity(id: $o) { timeline { nodes { kind data } } } }", {"o": deal}
        )
        added = [e["data"] for e in events["opportunity"]["timeline"]["nodes"] if e["kind"] == "CONTACT_ROLE_ADDED"]
        assert sorted(added, key=str) == sorted(
            [{"contact": None}, {"contact": {"id": shown, "role": "INFLUENCER"}}], key=str
        )
