"""Quote rules applied to plain CRUD writes (the pricing services build on these)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import OpportunityStatus, QuoteStatus
from crm_graphql.errors import InUse, Invalid, Locked, Required, raise_all
from crm_graphql.services import amounts, config, numbering, repricing

Data = dict[str, Any]


async def quote_lock_reason(conn: BaseDBAsyncClient, quote: m.Quote) -> str | None:
    """Why ``quote`` is read-only, or None when it may be edited."""
    if quote.status == QuoteStatus.ACCEPTED:
        return "An accepted quote is read-only."
    if quote.superseded_at is not None:
        return "A superseded revision is read-only."
    if quote.opportunity_id is not None:
        opp = await m.Opportunity.filter(id=quote.opportunity_id).using_db(conn).first()
        if opp is not None and opp.status != OpportunityStatus.OPEN:
            return "The quote's opportunity is closed: reopen it to edit."
    return None


async def ensure_editable(conn: BaseDBAsyncClient, quote: m.Quote, path: tuple[str, ...] = ("input", "id")) -> None:
    reason = await quote_lock_reason(conn, quote)
    if reason:
        raise Locked(reason, path)


async def quote_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    opp = None
    if data.get("opportunity_id"):
        opp = await m.Opportunity.get(id=data["opportunity_id"], using_db=conn)
        if opp.status != OpportunityStatus.OPEN:
            raise Locked("The opportunity is closed: reopen it to add quotes.", ("input", "opportunityId"))
        if data.get("account_id") not in (None, opp.account_id):
            raise Invalid("The quote's account must be the opportunity's account.", ("input", "accountId"))
        data["account_id"] = opp.account_id
        data.setdefault("contact_id", opp.contact_id)
        data.setdefault("pricebook_id", opp.pricebook_id)
    if not data.get("account_id"):
        raise Required("accountId is required (or an opportunityId).", ("input", "accountId"))
    await check_contact_and_validity(conn, data)
    data["currency"] = data.get("currency") or (opp.currency if opp else config.BASE_CURRENCY)
    data["number"] = await numbering.next_number(conn, "Q")
    data["name"] = data.get("name") or (opp.title if opp else data["number"])
    data.setdefault("owner_id", getattr(actor, "id", None))
    if opp is not None:
        has_active = await (
            m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).exists()
        )
        data["is_active"] = not has_active


_CHECKED = ("account_id", "contact_id", "valid_from", "valid_until")


async def check_contact_and_validity(conn: BaseDBAsyncClient, data: Data, *, contact_touched: bool = True) -> None:
    """The quote's contact works for its account (or for none), as an opportunity's must; its
    validity does not end before it starts. INVALID otherwise. ``contact_touched``: the write
    sets the contact or the account (an update leaving both alone does not re-check them)."""
    errors: list[Any] = []
    contact_id = data.get("contact_id")
    if contact_touched and contact_id is not None:
        contact = await m.Contact.filter(id=contact_id).using_db(conn).first()
        if contact is not None and contact.account_id not in (None, data.get("account_id")):
            errors.append(Invalid("The contact does not belong to the quote's account.", ("input", "contactId")))
    start, end = data.get("valid_from"), data.get("valid_until")
    if start is not None and end is not None and end < start:
        errors.append(Invalid("validUntil cannot be before validFrom.", ("input", "validUntil")))
    raise_all(errors)


async def quote_after_create(conn: BaseDBAsyncClient, actor: Actor, row: m.Quote) -> None:
    if row.opportunity_id is not None:
        await amounts.refresh_opportunity(conn, row.opportunity_id, actor, ("input", "currency"))


async def quote_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Quote, data: Data) -> None:
    """An edit of a read-only quote is LOCKED; switching its price book reprices its price-book
    lines from the new book (services.repricing: all or nothing)."""
    await ensure_editable(conn, row)
    merged = {**{k: getattr(row, k) for k in _CHECKED}, **data}
    await check_contact_and_validity(conn, merged, contact_touched="contact_id" in data or "account_id" in data)
    if "pricebook_id" in data and data["pricebook_id"] != row.pricebook_id:
        items = await m.QuoteItem.filter(quote_id=row.id).using_db(conn).order_by("position", "id")
        changes = await repricing.reprice(
            conn,
            items,
            old=row.currency,
            new=row.currency,
            old_book=row.pricebook_id,
            new_book=data["pricebook_id"],
            currency_path=("input", "currency"),
            book_path=("input", "pricebookId"),
        )
        await repricing.apply(conn, changes)


async def quote_after_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Quote, data: Data) -> None:
    if "discount_percent" in data or "pricebook_id" in data:
        await amounts.recompute_quote(conn, row, actor, ("input", "id"))


async def quote_before_delete(conn: BaseDBAsyncClient, actor: Actor, row: m.Quote) -> None:
    if row.is_active:
        raise InUse("The active quote cannot be deleted: make another quote active first.", ("input", "id"))
    await ensure_editable(conn, row)
