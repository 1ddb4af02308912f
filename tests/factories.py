"""Plain async builders shared by tests (no fixtures here; conftest.py holds those).

``sales_world`` builds, for one sales rep, a complete set of sales records in every state the
mutations need: an account with a contact, open / won opportunities with items (the open one
with a revenue split), quotes with items (draft, sent, accepted, without opportunity), an
order, invoices, contracts, an activity, a document, a shared lead, a lead split rule, a
soft-deleted account and a soft-deleted campaign; the lead and deals name the catalog's
shared campaign (``World.refer``). Built under a private account (or
on a restricted opportunity) it is the "hidden" world; under a public account the "visible
but not owned" one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from crm_graphql import db
from crm_graphql import models as m
from crm_graphql.api.relay import from_global_id, to_global_id
from crm_graphql.enums import (
    ActivityType,
    ContractKind,
    InvoiceStatus,
    LineItemSource,
    OpportunityStatus,
    QuoteStatus,
    Role,
    SalesOrderStatus,
    StageKind,
)
from crm_graphql.services import timeline, users

TEST_DATABASE_URL = os.environ.get("CRM_TEST_DATABASE_URL", "sqlite://:memory:")

_seq = 0
T = TypeVar("T")


def _next() -> int:
    global _seq
    _seq += 1
    return _seq


def on_database(url: str, work: Callable[[], Awaitable[T]]) -> T:
    """``work()`` with the ORM connected to the database at ``url`` (a file a CLI test made),
    closed afterwards; for synchronous tests, outside the ``database`` fixture."""

    async def run() -> T:
        await db.init(url)
        try:
            return await work()
        finally:
            await db.close()

    return asyncio.run(run())


async def make_user(role: Role = Role.SALES_REP, name: str | None = None) -> tuple[Any, str]:
    """A user and their API token."""
    n = _next()
    return await users.create_user(f"user{n}@example.com", name or f"User {n}", role)


@dataclass
class Actor:
    """A user and their API token."""

    user: Any
    token: str


async def partner_actor(name: str = "Partner Co", email: str = "partner@example.com") -> tuple[Any, Actor]:
    """A partner account and a PARTNER user of it."""
    account = await m.Account.create(name=name, is_partner=True)
    user, token = await users.create_user(email, "Partner User", Role.PARTNER, partner_account_id=account.id)
    return account, Actor(user, token)


async def catalog() -> dict[str, Any]:
    """A product priced in an active price book, and a bundle of it (shared by every world)."""
    n = _next()
    book = await m.Pricebook.create(name=f"Book {n}", is_active=True)
    product = await m.Product.create(name=f"Widget {n}", code=f"W-{n}", kind="TIME_BASED", term_months=12)
    await m.PricebookEntry.create(pricebook=book, product=product, currency="EUR", unit="pcs", unit_price=Decimal("10"))
    bundle = await m.Bundle.create(pricebook=book, name=f"Bundle {n}", code=f"B-{n}")
    await m.BundleItem.create(bundle=bundle, product=product, quantity=Decimal(1), weight=Decimal(1))
    await m.BundlePrice.create(bundle=bundle, currency="EUR", price=Decimal("15"))
    template = await m.DocumentTemplate.create(name=f"T {n}", body="{{quote.number}}")
    campaign = await m.Campaign.create(name=f"Campaign {n}", currency="EUR", budget=Decimal("1000"))
    return {"pricebook": book, "product": product, "bundle": bundle, "template": template, "campaign": campaign}


@dataclass
class World:
    """Records of one owner, by GraphQL type name; the first of each list is the default pick."""

    owner: Any
    records: dict[str, list[Any]] = field(default_factory=dict)
    #: Global ids of shared records the world uses (a campaign everyone sees): picked like the
    #: world's own records, but not the owner's, so not in ``all_ids``.
    shared: set[str] = field(default_factory=set)

    def add(self, row: Any) -> Any:
        self.records.setdefault(type(row).__name__, []).append(row)
        return row

    def refer(self, row: Any) -> Any:
        """A shared record the world's records point at (not the owner's)."""
        self.add(row)
        self.shared.add(to_global_id(type(row).__name__, row.id))
        return row

    def ids(self, type_name: str) -> list[str]:
        return [to_global_id(type_name, r.id) for r in self.records.get(type_name, [])]

    def all_ids(self) -> list[str]:
        return [i for t, rows in self.records.items() for r in rows if (i := to_global_id(t, r.id)) not in self.shared]


async def _line(model: Any, parent: dict[str, Any], product: Any, position: int = 0) -> Any:
    return await model.create(
        **parent,
        position=position,
        currency="EUR",
        product_id=product.id,
        name=product.name,
        quantity=Decimal(1),
        unit="pcs",
        unit_price=Decimal(10),
        line_total=Decimal(10),
        source=LineItemSource.PRICEBOOK,
    )


async def sales_world(
    owner: Any, shared: dict[str, Any], *, private: bool = False, restricted: bool = False, account: Any = None
) -> World:
    """Every kind of sales record, owned by ``owner``, under one account.

    ``private``: under a private account of the owner (hidden from everyone else).
    ``restricted``: the opportunities are restricted (hidden from other reps, the account not).
    ``account``: build under this existing account instead of a new one.
    """
    n = _next()
    w = World(owner)
    uid = owner.id
    stages = {s.kind: s for s in await m.Stage.all().order_by("-position")}
    open_stage = await m.Stage.filter(is_default=True).first()
    book, product = shared["pricebook"], shared["product"]
    if account is None:
        # a partner account too, so that assigning to a partner has a partner to name
        account = await m.Account.create(
            name=f"Account {n}", vat_number=f"VAT{n:05d}", is_private=private, owner_id=uid, is_partner=True
        )
        await timeline.record(None, account, "CREATED", owner)  # type: ignore[arg-type]
    w.add(account)
    w.add(
        await m.Account.create(
            name=f"Deleted {n}",
            is_private=private,
            owner_id=uid,
            deleted_at=dt.datetime.now(dt.UTC),
            deletion_batch=f"batch-{n}",
        )
    )
    contact = w.add(await m.Contact.create(last_name=f"Contact {n}", account=account, owner_id=uid))
    await timeline.record(None, contact, "CREATED", owner)  # type: ignore[arg-type]
    # the shared campaign the lead and deals came from, and a deleted campaign of the world
    campaign = w.refer(shared["campaign"])
    w.add(await m.Campaign.create(name=f"Deleted campaign {n}", currency="EUR", deleted_at=dt.datetime.now(dt.UTC)))
    lead = w.add(await m.Lead.create(last_name=f"Lead {n}", company=f"Co {n}", owner_id=uid, campaign=campaign))
    # the lead splitter (DOMAIN.md 11): a rule (public reference data every user but partners
    # reads, so not one of the world's records), a shared lead, a deal with revenue splits
    await m.LeadSplitRule.create(
        name=f"Split {n}", lead_filter={"company": {"startsWith": "Co"}}, shares=[{"user": uid, "percent": 100}]
    )
    await m.LeadShare.create(lead=lead, user_id=uid, percent=100)
    opp_values = {
        "account": account,
        "currency": "EUR",
        "owner_id": uid,
        "pricebook": book,
        "is_restricted": restricted,
        "contact": contact,
        "campaign": campaign,
    }
    opp = w.add(await m.Opportunity.create(title=f"Deal {n}", stage=open_stage, **opp_values))
    await timeline.record(None, opp, "CREATED", owner)  # type: ignore[arg-type]
    won = w.add(
        await m.Opportunity.create(
            title=f"Won {n}", stage=stages[StageKind.WON], status=OpportunityStatus.WON, probability=100, **opp_values
        )
    )
    w.add(await _line(m.OpportunityItem, {"opportunity": opp}, product))
    await m.RevenueSplit.create(opportunity=opp, user_id=uid, percent=100)
    w.add(await m.OpportunityContactRole.create(opportunity=opp, contact=contact, role="USER"))
    # related to another account of the owner's (not in the world's accounts: it is no pick of its own)
    related = await m.Account.create(name=f"Related {n}", is_private=private, owner_id=uid)
    w.add(await m.AccountRelation.create(account=account, linked=related, kind="PARTNER", note="Related"))
    quote_values = {"account": account, "contact": contact, "currency": "EUR", "owner_id": uid, "pricebook": book}
    quote = w.add(await m.Quote.create(number=f"Q-W{n}", name="Draft", opportunity=opp, is_active=True, **quote_values))
    await timeline.record(None, quote, "CREATED", owner)  # type: ignore[arg-type]
    w.add(await _line(m.QuoteItem, {"quote": quote}, product))
    w.add(await m.Quote.create(number=f"Q-S{n}", name="Sent", opportunity=opp, status=QuoteStatus.SENT, **quote_values))
    loose = w.add(await m.Quote.create(number=f"Q-L{n}", name="Loose", **quote_values))
    await _line(m.QuoteItem, {"quote": loose}, product)
    accepted = w.add(
        await m.Quote.create(
            number=f"Q-A{n}", name="Accepted", opportunity=opp, status=QuoteStatus.ACCEPTED, **quote_values
        )
    )
    doc_values = {"account": account, "contact": contact, "opportunity": opp, "owner_id": uid, "currency": "EUR"}
    order = w.add(
        await m.SalesOrder.create(
            number=f"SO-{n}", name="Order", quote=accepted, status=SalesOrderStatus.CONFIRMED, **doc_values
        )
    )
    w.add(await _line(m.SalesOrderItem, {"sales_order": order}, product))
    draft_invoice = w.add(
        await m.Invoice.create(number=f"INV-D{n}", name="Invoice", status=InvoiceStatus.DRAFT, **doc_values)
    )
    w.add(await _line(m.InvoiceItem, {"invoice": draft_invoice}, product))
    w.add(await m.Invoice.create(number=f"INV-I{n}", name="Issued", status=InvoiceStatus.ISSUED, **doc_values))
    w.add(
        await m.Contract.create(
            number=f"C-{n}",
            name="Support",
            kind=ContractKind.TIME_BASED,
            account=account,
            opportunity=won,
            product=product,
            owner_id=uid,
            start_date=dt.date(2026, 1, 1),
            quantity=Decimal(1),
            value=Decimal(10),
            currency="EUR",
        )
    )
    w.add(
        await m.Activity.create(
            type=ActivityType.CALL, subject=f"Secret call {n}", opportunity=opp, account=account, assignee_id=uid
        )
    )
    w.add(
        await m.Document.create(name=f"Doc {n}", content_type="text/plain", content="x", quote=quote, opportunity=opp)
    )
    w.add(await m.TimelineEvent.filter(subject_type="Opportunity", subject_id=opp.id).first())
    return w


#: The user-error selection every mutation in the tests asks for.
ERR = "userErrors { field message code }"

#: Mutations whose input type is not named after them (the others take ``<Name>Input``).
INPUTS = {
    "anonymizeLead": "LeadIdInput",
    "archiveLead": "LeadIdInput",
    "unarchiveLead": "LeadIdInput",
    "cancelContract": "ContractIdInput",
    "cancelOrder": "SalesOrderIdInput",
    "fulfillOrder": "SalesOrderIdInput",
    "issueInvoice": "InvoiceIdInput",
    "markInvoicePaid": "InvoiceIdInput",
    "voidInvoice": "InvoiceIdInput",
}


def user_error(field: str | None, code: str, message: str) -> dict[str, Any]:
    """One expected entry of ``userErrors``: ``field`` is its path written with dots
    (``"input.items.0.productId"`` for ``["input", "items", "0", "productId"]``)."""
    return {"field": field.split(".") if field is not None else None, "code": code, "message": message}


def lower(name: str) -> str:
    """``QuoteItem`` -> ``quoteItem``."""
    return name[0].lower() + name[1:]


def gid(row: Any) -> str:
    """The global ID of an ORM row (its model's name is its GraphQL type's)."""
    return to_global_id(type(row).__name__, row.id)


def pk(global_id: str) -> int:
    """The database id in a global ID."""
    return from_global_id(global_id)[1]


def mutation(name: str, body: str = "") -> str:
    """The document ``mutation($input: <Name>Input!) { name(input: $input) { <body> userErrors } }``."""
    input_type = INPUTS.get(name, name[0].upper() + name[1:] + "Input")
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {body} {ERR} }} }}"


async def call(
    gql: Any,
    query: str,
    values: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
    *,
    codes: list[str] | None = None,
) -> Any:
    """Run a one-field mutation with ``input: values``; the payload. Asserts its userErrors
    exactly: ``errors`` (whole entries) or ``codes`` (their codes only), none unless given."""
    data = await gql(query, {"input": values})
    payload = next(iter(data.values()))
    if codes is not None:
        assert [e["code"] for e in payload["userErrors"]] == codes, payload["userErrors"]
    else:
        assert payload["userErrors"] == (errors or []), payload["userErrors"]
    return payload


async def create(gql: Any, type_name: str, values: dict[str, Any], errors: list[dict[str, Any]] | None = None) -> Any:
    """``createX(input: values)``; the new record's global ID, or None when refused with
    exactly ``errors`` (no user errors unless given)."""
    key = lower(type_name)
    payload = await call(gql, mutation(f"create{type_name}", f"{key} {{ id }}"), values, errors)
    return str(payload[key]["id"]) if payload[key] else None


async def mutate(
    gql: Any, name: str, values: dict[str, Any], select: str = "", *, codes: list[str] | None = None
) -> dict[str, Any]:
    """The mutation ``name(input: values) { <select> userErrors }``; its payload. Asserts the
    userErrors' codes are ``codes`` (none unless given)."""
    return dict(await call(gql, mutation(name, select), values, codes=codes or []))


async def priced_products(
    gql: Any, book: str, prices: dict[str, list[tuple[str, str]]], name: str = "Product"
) -> dict[str, str]:
    """A product ``"<name> <code>"`` per code of ``prices``, each with an entry in price book
    ``book`` per (currency, unit price); their ids by code."""
    ids = {}
    for code, entries in prices.items():
        ids[code] = await create(gql, "Product", {"name": f"{name} {code}", "code": code})
        for currency, price in entries:
            values = {"pricebookId": book, "productId": ids[code], "currency": currency, "unitPrice": price}
            await create(gql, "PricebookEntry", values)
    return ids


async def quote_with_lines(
    gql: Any,
    lines: list[dict[str, Any]],
    *,
    account: dict[str, Any] | None = None,
    quote: dict[str, Any] | None = None,
    round_to: str | None = None,
) -> dict[str, str]:
    """An account, an opportunity and a quote with manual ``lines`` (``addManualQuoteItem``
    inputs without ``quoteId``), rounded to ``round_to`` when given. Returns their ids."""
    account_id = await create(gql, "Account", account or {"name": "Acme"})
    opportunity_id = await create(gql, "Opportunity", {"title": "Deal", "accountId": account_id})
    quote_id = await create(gql, "Quote", {"opportunityId": opportunity_id, **(quote or {})})
    for line in lines:
        await mutate(gql, "addManualQuoteItem", {"quoteId": quote_id, **line}, "item { id }")
    if round_to is not None:
        await mutate(gql, "roundQuoteTotal", {"quoteId": quote_id, "roundTo": round_to}, "item { id }")
    return {"account": account_id, "opportunity": opportunity_id, "quote": quote_id}
