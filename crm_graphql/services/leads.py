"""Lead lifecycle: qualify (into account, contact, opportunity), disqualify, archive, anonymize.

Every writing service opens one transaction; nothing is written when it raises.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import AccountType, ConversionKind, LeadStatus
from crm_graphql.errors import (
    AlreadyConverted,
    DomainError,
    Invalid,
    InvalidTransition,
    Locked,
    NotFound,
    Required,
)
from crm_graphql.services import access, crud, idempotency, lineage, splits, timeline

_LEAD = ("input", "leadId")
#: Erased by anonymizeLead; company and source stay for statistics.
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "title", "description")


@dataclass
class Choice:
    """Link an existing record (``existing_id``) or create one from ``create`` (fields default from the lead)."""

    existing_id: int | None = None
    create: dict[str, Any] | None = None


@dataclass
class Qualification:
    account: Choice | None = None
    contact: Choice | None = None
    #: None: no opportunity; a dict (possibly empty): create one, its fields defaulting from the lead.
    opportunity: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _nested(*prefix: str) -> Iterator[None]:
    """Re-root the ``["input", ...]`` paths of errors raised by a nested create."""
    try:
        yield
    except DomainError as exc:
        for error in exc.errors:
            if error.field and error.field[0] == "input":
                error.field = ["input", *prefix, *error.field[1:]]
        raise


async def _lead_for_write(conn: BaseDBAsyncClient, actor: Actor, lead_id: int) -> m.Lead:
    return await access.load_for_write(conn, actor, m.Lead, lead_id, _LEAD)


def _person_name(lead: m.Lead) -> str:
    return " ".join(p for p in (lead.first_name, lead.last_name) if p) or "Unnamed"


async def _fill_empty(conn: BaseDBAsyncClient, actor: Actor, row: Any, values: dict[str, Any]) -> None:
    """Set the fields of ``row`` that are empty from ``values``; never overwrite.

    Linking needs only to see the record; filling it is a change, made only when the actor
    may change that record (a rep linking a colleague's account leaves it as it is).
    """
    fill = {k: v for k, v in values.items() if v not in (None, "") and getattr(row, k) in (None, "")}
    if not fill or not await access.may_write(conn, actor, row):
        return
    changes = timeline.changes(crud.snapshot(row, fill), fill, crud.ref_fields(type(row).__name__))
    await crud.save(conn, row, fill)
    await timeline.record(conn, row, "UPDATED", actor, {"changes": {crud.camel(k): v for k, v in changes.items()}})


async def _account(conn: BaseDBAsyncClient, actor: Actor, lead: Any, choice: Choice) -> Any:
    person = not lead.company
    if choice.existing_id is not None:
        account = await access.get_visible(m.Account, actor, choice.existing_id, conn)
        if account is None:
            raise NotFound("No Account with this id.", ("input", "account", "existingId"))
        await _fill_empty(conn, actor, account, {"email": lead.email, "phone": lead.phone} if person else {})
        return account
    raw = {k: v for k, v in (choice.create or {}).items() if v is not None}
    kind = raw.get("type") or (AccountType.PERSON if person else AccountType.ORGANIZATION)
    defaults: dict[str, Any] = {
        "type": kind,
        "name": lead.company or _person_name(lead),
        "owner_id": lead.owner_id or actor.id,
    }
    if kind == AccountType.PERSON:
        defaults |= {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
            "phone": lead.phone,
        }
    with _nested("account", "create"):
        made = await crud.create_in(conn, actor, "Account", {**{k: v for k, v in defaults.items() if v}, **raw})
    made._made_from_lead = True
    return made


async def _contact(conn: BaseDBAsyncClient, actor: Actor, lead: Any, choice: Choice, account: Any) -> Any:
    from_lead = {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "title": lead.title,
    }
    if choice.existing_id is not None:
        path = ("input", "contact", "existingId")
        contact = await access.get_visible(m.Contact, actor, choice.existing_id, conn)
        if contact is None:
            raise NotFound("No Contact with this id.", path)
        if account is not None and contact.account_id not in (None, account.id):
            raise Invalid("The contact does not belong to the linked account.", path)
        fill = dict(from_lead)
        if account is not None:
            fill["account_id"] = account.id
        await _fill_empty(conn, actor, contact, fill)
        return contact
    raw = {k: v for k, v in (choice.create or {}).items() if v is not None}
    defaults = {k: v for k, v in from_lead.items() if v}
    defaults.setdefault("last_name", _person_name(lead))
    if account is not None:
        defaults["account_id"] = account.id
    defaults["owner_id"] = lead.owner_id or actor.id
    with _nested("contact", "create"):
        made = await crud.create_in(conn, actor, "Contact", {**defaults, **raw})
    made._made_from_lead = True
    return made


async def _deal_account(conn: BaseDBAsyncClient, actor: Actor, lead: Any, contact: Choice) -> Any:
    """The account of a deal qualified with a contact but no account (DOMAIN.md 3, Bitrix
    "deal + contact"): the linked contact's own account when it has one, else a new PERSON
    account made from the lead's person."""
    if contact.existing_id is not None:
        existing = await access.get_visible(m.Contact, actor, contact.existing_id, conn)
        if existing is not None and existing.account_id is not None:
            own = await access.get_visible(m.Account, actor, existing.account_id, conn)
            if own is not None:
                return own
    return await _account(conn, actor, lead, Choice(create={"type": AccountType.PERSON, "name": _person_name(lead)}))


async def _opportunity(
    conn: BaseDBAsyncClient, actor: Actor, lead: Any, given: dict[str, Any], account: Any, contact: Any
) -> Any:
    if account is None:
        raise Required("An opportunity needs an account or a contact: choose one.", ("input", "account"))
    raw = {k: v for k, v in given.items() if v is not None}
    raw.setdefault("title", f"{lead.company or account.name} opportunity")
    raw["account_id"] = account.id
    if contact is not None and contact.account_id == account.id:
        raw.setdefault("contact_id", contact.id)
    if lead.source:
        raw.setdefault("source", lead.source)
    raw.setdefault("owner_id", lead.owner_id or actor.id)
    with _nested("opportunity"):
        opportunity = await crud.create_in(conn, actor, "Opportunity", raw)
    if lead.partner_id is not None and opportunity.partner_id != lead.partner_id:
        # the deal stays with the partner the lead was assigned to (DOMAIN.md 8)
        await m.Opportunity.filter(id=opportunity.id).using_db(conn).update(partner_id=lead.partner_id)
        opportunity.partner_id = lead.partner_id
    if lead.campaign_id is not None and opportunity.campaign_id is None:
        # the deal keeps the campaign the lead came from (DOMAIN.md 11), even one the actor
        # may not see (a partner user) or one deleted since: it is attribution, not a reference
        await m.Opportunity.filter(id=opportunity.id).using_db(conn).update(campaign_id=lead.campaign_id)
        opportunity.campaign_id = lead.campaign_id
    return opportunity


async def qualify_lead(
    actor: Actor, lead_id: int, q: Qualification, *, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Qualify a lead: create or link an account and a contact, optionally create an opportunity.

    With a contact and an opportunity but no account, the deal's account is the linked
    contact's own account, else a new PERSON account made from the lead's person (the
    contact joins it).

    The lead becomes QUALIFIED (read-only) and points at what it became; lineage links
    LEAD_TO_ACCOUNT / LEAD_TO_CONTACT / LEAD_TO_OPPORTUNITY. Raises NotFound, Required,
    Invalid (contact of another account), AlreadyConverted (qualified already),
    InvalidTransition (disqualified), Locked (anonymized), IdempotencyKeyReused;
    nothing is written when it raises.
    """
    raw = {"leadId": lead_id, **q.payload}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "qualifyLead", idempotency_key, raw)
        if prior is not None:
            return {
                "lead": await m.Lead.get(id=prior["lead"], using_db=conn),
                "account": await _get(conn, m.Account, prior.get("account")),
                "contact": await _get(conn, m.Contact, prior.get("contact")),
                "opportunity": await _get(conn, m.Opportunity, prior.get("opportunity")),
            }
        lead = await _lead_for_write(conn, actor, lead_id)
        if lead.status == LeadStatus.QUALIFIED:
            raise AlreadyConverted("This lead is qualified already.", _LEAD)
        if lead.status == LeadStatus.DISQUALIFIED:
            raise InvalidTransition("A disqualified lead cannot be qualified.", _LEAD)
        if lead.anonymized_at is not None:
            raise Locked("An anonymized lead cannot be qualified.", _LEAD)
        if q.account is None and q.contact is None:
            raise Required("Choose an account or a contact (existing or new).", ("input", "account"))
        now = dt.datetime.now(dt.UTC)
        claimed = await (
            m.Lead.filter(id=lead.id, status__in=[LeadStatus.NEW, LeadStatus.WORKING])
            .using_db(conn)
            .update(status=LeadStatus.QUALIFIED, qualified_at=now, version=F("version") + 1, updated_at=now)
        )
        if not claimed:
            raise AlreadyConverted("This lead is qualified already.", _LEAD)
        account = await _account(conn, actor, lead, q.account) if q.account else None
        if account is None and q.contact is not None and q.opportunity is not None:
            account = await _deal_account(conn, actor, lead, q.contact)
        contact = await _contact(conn, actor, lead, q.contact, account) if q.contact else None
        opportunity = (
            await _opportunity(conn, actor, lead, q.opportunity, account, contact)
            if q.opportunity is not None
            else None
        )
        if opportunity is not None:
            # DOMAIN.md 11: a shared lead's shares become the new deal's revenue splits
            await splits.carry_to_opportunity(conn, actor, lead, opportunity)
        await (
            m.Lead.filter(id=lead.id)
            .using_db(conn)
            .update(
                converted_account_id=account.id if account else None,
                converted_contact_id=contact.id if contact else None,
                converted_opportunity_id=opportunity.id if opportunity else None,
            )
        )
        made = [
            (account, ConversionKind.LEAD_TO_ACCOUNT),
            (contact, ConversionKind.LEAD_TO_CONTACT),
            (opportunity, ConversionKind.LEAD_TO_OPPORTUNITY),
        ]
        for row, kind in made:
            if row is not None:
                await lineage.link(conn, lead, row, kind)
                # a linked existing record was not created from the lead: it records the link
                made_now = row is opportunity or getattr(row, "_made_from_lead", False)
                kind_ = "CREATED_FROM_LEAD" if made_now else "LINKED_FROM_LEAD"
                await timeline.record(conn, row, kind_, actor, {"lead": lead})
        result = {
            "lead": lead.id,
            "account": account.id if account else None,
            "contact": contact.id if contact else None,
            "opportunity": opportunity.id if opportunity else None,
        }
        await timeline.record(
            conn, lead, "QUALIFIED", actor, {"account": account, "contact": contact, "opportunity": opportunity}
        )
        await idempotency.remember(conn, actor, "qualifyLead", idempotency_key, raw, result)
        lead = await m.Lead.get(id=lead.id, using_db=conn)
    return {"lead": lead, "account": account, "contact": contact, "opportunity": opportunity}


async def _get(conn: BaseDBAsyncClient, model: Any, pk: int | None) -> Any:
    return None if pk is None else await model.filter(id=pk).using_db(conn).first()


def _ensure_not_qualified(lead: m.Lead) -> None:
    if lead.status == LeadStatus.QUALIFIED:
        raise Locked("A qualified lead is read-only.", _LEAD)


async def disqualify_lead(actor: Actor, lead_id: int, reason: str | None) -> m.Lead:
    """NEW/WORKING -> DISQUALIFIED with a reason. Raises NotFound, InvalidTransition, Invalid."""
    async with in_transaction() as conn:
        lead = await _lead_for_write(conn, actor, lead_id)
        if lead.status in (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED):
            raise InvalidTransition(f"A {lead.status} lead cannot be disqualified.", _LEAD)
        if reason is not None and len(reason) > 500:
            raise Invalid("reason is too long (at most 500 characters).", ("input", "reason"))
        await crud.save(conn, lead, {"status": LeadStatus.DISQUALIFIED, "disqualified_reason": reason or None})
        await timeline.record(conn, lead, "DISQUALIFIED", actor, {"reason": reason})
        return lead


async def set_archived(actor: Actor, lead_id: int, archived: bool) -> m.Lead:
    """Archive or unarchive a lead (no-op when it is so already). Raises NotFound, Locked (qualified)."""
    async with in_transaction() as conn:
        lead = await _lead_for_write(conn, actor, lead_id)
        _ensure_not_qualified(lead)
        if lead.is_archived != archived:
            await crud.save(conn, lead, {"is_archived": archived})
            await timeline.record(conn, lead, "ARCHIVED" if archived else "UNARCHIVED", actor)
        return lead


def _scrub(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, str):
        return None if any(s in value for s in secrets) else value
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


ERASED = "[anonymized]"


async def _erase_from_activities(conn: BaseDBAsyncClient, lead_id: int, secrets: set[str]) -> None:
    """The lead's activities are part of its history: every occurrence of a personal value in
    their subject or description is replaced (ignoring case), for good."""
    if not secrets:
        return
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)), re.IGNORECASE)
    for activity in await m.Activity.filter(lead_id=lead_id).using_db(conn):
        values = {}
        for name in ("subject", "description"):
            text = getattr(activity, name)
            if text and pattern.search(text):
                values[name] = pattern.sub(ERASED, text)
        if values:
            await m.Activity.filter(id=activity.id).using_db(conn).update(**values, version=F("version") + 1)


async def anonymize_lead(actor: Actor, lead_id: int) -> m.Lead:
    """Erase the lead's personal fields for good, on its timeline too (company and source stay
    for statistics). Raises NotFound, Locked (qualified: its data lives on in the contact)."""
    async with in_transaction() as conn:
        lead = await _lead_for_write(conn, actor, lead_id)
        _ensure_not_qualified(lead)
        if lead.anonymized_at is not None:
            return lead
        secrets = {str(getattr(lead, f)) for f in PERSONAL_FIELDS if getattr(lead, f)}
        personal_api = {crud.camel(f) for f in PERSONAL_FIELDS}
        for event in await m.TimelineEvent.filter(subject_type="Lead", subject_id=lead.id).using_db(conn):
            data = _scrub(dict(event.data or {}), secrets)
            for name, change in (data.get("changes") or {}).items():
                if name in personal_api and isinstance(change, dict):
                    change.update(old=None, new=None)
            if data != event.data:
                await m.TimelineEvent.filter(id=event.id).using_db(conn).update(data=data)
        await _erase_from_activities(conn, lead.id, secrets)
        await crud.save(conn, lead, {**dict.fromkeys(PERSONAL_FIELDS), "anonymized_at": dt.datetime.now(dt.UTC)})
        await timeline.record(conn, lead, "ANONYMIZED", actor)
        return lead
