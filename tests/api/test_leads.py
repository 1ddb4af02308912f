"""Leads: qualify (create or link, @oneOf), disqualify, archive, anonymize; qualified leads are locked."""

from __future__ import annotations

from typing import Any

from converting import LEAD_FIELDS, QUALIFY, counts, lead
from factories import ERR, call, create, pk, user_error

from crm_graphql import models as m

DISQUALIFY = f"""mutation($input: DisqualifyLeadInput!) {{ disqualifyLead(input: $input) {{
  lead {{ {LEAD_FIELDS} disqualifiedReason }} {ERR} }} }}"""
ARCHIVE = f"mutation($input: LeadIdInput!) {{ archiveLead(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERR} }} }}"
UNARCHIVE = f"mutation($input: LeadIdInput!) {{ unarchiveLead(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERR} }} }}"
ANONYMIZE = f"mutation($input: LeadIdInput!) {{ anonymizeLead(input: $input) {{ lead {{ {LEAD_FIELDS} }} {ERR} }} }}"
UPDATE_LEAD = f"mutation($input: UpdateLeadInput!) {{ updateLead(input: $input) {{ lead {{ id }} {ERR} }} }}"


async def test_qualify_creates_everything_from_the_lead(gql: Any) -> None:
    lid = await lead(gql)
    p = await call(
        gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "contact": {"create": {}}, "opportunity": {}}
    )
    assert p["account"]["name"] == "Analytical Ltd" and p["account"]["type"] == "ORGANIZATION"
    assert p["contact"] | {"id": None} == {
        "id": None,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phone": "+44 1",
        "title": "CTO",
        "account": {"id": p["account"]["id"]},
        "origin": {"id": lid},
    }
    opp = p["opportunity"]
    assert (opp["title"], opp["currency"], opp["stage"]["name"]) == ("Analytical Ltd opportunity", "EUR", "Prospecting")
    assert opp["account"] == {"id": p["account"]["id"]} and opp["contact"] == {"id": p["contact"]["id"]}
    assert p["lead"]["status"] == "QUALIFIED" and p["lead"]["qualifiedAt"] and p["lead"]["isLocked"]
    assert p["lead"]["convertedOpportunity"] == {"id": opp["id"]}
    assert {d["id"] for d in p["lead"]["derivatives"]} == {p["account"]["id"], p["contact"]["id"], opp["id"]}
    assert p["account"]["origin"] == {"id": lid} and opp["origin"] == {"id": lid}
    # second qualification; writes to a qualified lead
    before = await counts()
    await call(
        gql,
        QUALIFY,
        {"leadId": lid, "account": {"create": {}}},
        [user_error("input.leadId", "ALREADY_CONVERTED", "This lead is qualified already.")],
    )
    await call(
        gql,
        DISQUALIFY,
        {"leadId": lid},
        [user_error("input.leadId", "INVALID_TRANSITION", "A QUALIFIED lead cannot be disqualified.")],
    )
    for query in (ARCHIVE, ANONYMIZE):
        await call(
            gql,
            query,
            {"leadId": lid},
            [user_error("input.leadId", "LOCKED", "A qualified lead is read-only.")],
        )
    await call(
        gql,
        UPDATE_LEAD,
        {"id": lid, "title": "CEO"},
        [user_error("input.id", "LOCKED", "A qualified lead is read-only.")],
    )
    assert await counts() == before


async def test_qualify_without_opportunity_and_person_account(gql: Any) -> None:
    lid = await lead(gql, company=None)
    p = await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "opportunity": None})
    assert p["opportunity"] is None and p["contact"] is None
    assert (p["account"]["name"], p["account"]["type"], p["account"]["email"]) == (
        "Ada Lovelace",
        "PERSON",
        "ada@example.com",
    )


async def test_link_existing_fills_only_empty_fields(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Existing"})
    contact = await create(gql, "Contact", {"lastName": "Byron", "email": "keep@example.com", "accountId": account})
    lid = await lead(gql)
    p = await call(
        gql,
        QUALIFY,
        {
            "leadId": lid,
            "account": {"existingId": account},
            "contact": {"existingId": contact},
            "opportunity": {"title": "Linked"},
        },
    )
    assert p["account"]["name"] == "Existing"
    c = p["contact"]
    assert (c["lastName"], c["email"], c["firstName"], c["phone"], c["title"]) == (
        "Byron",
        "keep@example.com",
        "Ada",
        "+44 1",
        "CTO",
    )
    assert p["opportunity"]["title"] == "Linked"


async def test_contact_of_another_account_is_invalid(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "A"})
    other = await create(gql, "Account", {"name": "B"})
    contact = await create(gql, "Contact", {"lastName": "X", "accountId": other})
    lid = await lead(gql)
    before = await counts()
    await call(
        gql,
        QUALIFY,
        {"leadId": lid, "account": {"existingId": account}, "contact": {"existingId": contact}},
        [user_error("input.contact.existingId", "INVALID", "The contact does not belong to the linked account.")],
    )
    assert await counts() == before
    assert (await m.Lead.get(id=pk(lid))).status == "NEW"


async def test_one_of_violation_is_a_validation_error(gql: Any) -> None:
    lid = await lead(gql)
    account = await create(gql, "Account", {"name": "A"})
    body = await gql(QUALIFY, {"input": {"leadId": lid, "account": {"existingId": account, "create": {}}}}, errors=True)
    assert body.get("data") is None and "exactly one" in body["errors"][0]["message"].lower()


async def test_opportunity_needs_an_account_or_a_contact(gql: Any) -> None:
    lid = await lead(gql)
    await call(
        gql,
        QUALIFY,
        {"leadId": lid, "opportunity": {}},
        [user_error("input.account", "REQUIRED", "Choose an account or a contact (existing or new).")],
    )
    assert await m.Opportunity.all().count() == 0


async def test_disqualified_lead_cannot_be_qualified(gql: Any) -> None:
    lid = await lead(gql)
    p = await call(gql, DISQUALIFY, {"leadId": lid, "reason": "No budget"})
    assert (p["lead"]["status"], p["lead"]["disqualifiedReason"]) == ("DISQUALIFIED", "No budget")
    await call(
        gql,
        QUALIFY,
        {"leadId": lid, "account": {"create": {}}},
        [user_error("input.leadId", "INVALID_TRANSITION", "A disqualified lead cannot be qualified.")],
    )


async def test_qualify_idempotency(gql: Any) -> None:
    lid = await lead(gql)
    values = {"leadId": lid, "account": {"create": {}}, "idempotencyKey": "q1"}
    first = await call(gql, QUALIFY, values)
    again = await call(gql, QUALIFY, values)
    assert again["account"]["id"] == first["account"]["id"]
    await call(
        gql,
        QUALIFY,
        {**values, "account": {"create": {"name": "Other"}}},
        [
            user_error(
                "input.idempotencyKey", "IDEMPOTENCY_KEY_REUSED", "This idempotency key was used with other input."
            )
        ],
    )


async def test_archive_and_anonymize(gql: Any) -> None:
    lid = await lead(gql)
    await call(gql, UPDATE_LEAD, {"id": lid, "phone": "+44 2"})
    assert (await call(gql, ARCHIVE, {"leadId": lid}))["lead"]["isArchived"] is True
    assert (await call(gql, UNARCHIVE, {"leadId": lid}))["lead"]["isArchived"] is False
    p = (await call(gql, ANONYMIZE, {"leadId": lid}))["lead"]
    assert [p[k] for k in ("firstName", "lastName", "email", "phone", "title")] == [None] * 5
    assert p["company"] == "Analytical Ltd" and p["anonymizedAt"] is not None
    events = await m.TimelineEvent.filter(subject_type="Lead", subject_id=pk(lid))
    text = str([e.data for e in events])
    assert "+44" not in text and "Ada" not in text and "ada@" not in text
