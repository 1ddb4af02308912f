"""Account and Contact."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry
from strawberry.dataloader import DataLoader

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api import figures
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import Entity, is_deleted, lazy_list, list_field, ref_field
from crm_graphql.errors import DomainError
from crm_graphql.services import deal_figures, loaders

if TYPE_CHECKING:
    pass


@strawberry.type(name="Account", description="A customer: an organisation or a person (sub-accounts allowed).")
class AccountType(Entity, Convertible):
    type: e.AccountType = strawberry.field(description="PERSON, ORGANIZATION or OTHER.")
    name: str = strawberry.field(description='Organisation name, or "First Last" for a person.')
    first_name: str | None = strawberry.field(description="First name (person accounts).")
    last_name: str | None = strawberry.field(description="Last name (person accounts).")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    street: str | None = strawberry.field(description="Street and number.")
    city: str | None = strawberry.field(description="City of the postal address; free text, null when not given.")
    postal_code: str | None = strawberry.field(
        description="Postal code as written (text, not a number: keeps leading zeros and letters)."
    )
    country: str | None = strawberry.field(
        description="Country of the postal address; free text (not an ISO code), null when not given."
    )
    registration_number: str | None = strawberry.field(description="Company registration number.")
    vat_number: str | None = strawberry.field(description="Value-added tax ID as entered (not validated).")
    industry: str | None = strawberry.field(description='Line of business, free text (e.g. "Manufacturing").')
    website: str | None = strawberry.field(description="Web site address as entered (not validated).")
    is_private: bool = strawberry.field(description="Visible to its owner alone, with everything under it.")
    is_partner: bool = strawberry.field(
        description="A partner account: leads and deals are assigned to it, and its PARTNER users see exactly those."
    )
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    owner = ref_field("User", "owner_id", description="The user responsible for the account.")
    parent = ref_field("Account", "parent_id", description="The parent account, for a sub-account.")
    children = list_field("Account", fk="parent_id", description="Sub-accounts.")
    contacts = list_field("Contact", fk="account_id", description="People working for this account.")
    opportunities = list_field("Opportunity", fk="account_id", description="Deals with this account.")
    quotes = list_field("Quote", fk="account_id", description="Quotes for this account.")
    sales_orders = list_field("SalesOrder", fk="account_id", description="Sales orders of this account.")
    invoices = list_field("Invoice", fk="account_id", description="Invoices of this account.")
    contracts = list_field("Contract", fk="account_id", description="Contracts of this account.")
    activities = list_field("Activity", fk="account_id", description="Activities logged on this account.")
    timeline = timeline_field("Account")
    is_type_of = model_type(m.Account)

    @field(
        description="Accounts related to this one (partner, supplier, customer...), from this side: `account` is this "
        "account. Only relations whose other account you can see; separate from the parent/sub-account tree.",
        graphql_type=lazy_list("AccountRelation"),
    )
    @staticmethod
    async def related_accounts(root: m.Account, info: Info) -> list[m.AccountRelation]:
        return await _relations_loader(info).load(root.id)

    @field(
        description="Sum of the amounts of this account's open deals you can see (every pipeline), converted into "
        "`currency` as pipelineSummary converts; null with a MISSING_EXCHANGE_RATE error when a rate is missing."
    )
    @staticmethod
    async def open_pipeline_amount(
        root: m.Account,
        info: Info,
        currency: Annotated[str, strawberry.argument(description="ISO 4217 code of the sum.")],
    ) -> Optional[Decimal]:
        return await _account_total(info, root.id, e.OpportunityStatus.OPEN, currency)

    @field(
        description="Sum of the amounts of this account's won deals you can see, converted into `currency` as "
        "pipelineSummary converts; null with a MISSING_EXCHANGE_RATE error when a rate is missing."
    )
    @staticmethod
    async def won_amount(
        root: m.Account,
        info: Info,
        currency: Annotated[str, strawberry.argument(description="ISO 4217 code of the sum.")],
    ) -> Optional[Decimal]:
        return await _account_total(info, root.id, e.OpportunityStatus.WON, currency)


@strawberry.type(
    name="AccountRelation",
    description="Two related accounts (DOMAIN.md 11), shown from both sides: from an account's `relatedAccounts`, "
    "`account` is that account and `relatedAccount` the other one (the same relation, same id, from each side). "
    "`node(id:)` shows it from the account that linked it.",
)
class AccountRelationType(Entity):
    kind: e.AccountRelationKind = strawberry.field(
        description="What `relatedAccount` is to `account`: from the other side SUPPLIER reads CUSTOMER and CUSTOMER "
        "reads SUPPLIER (A supplies B: B is A's CUSTOMER, A is B's SUPPLIER); the other kinds are mutual."
    )
    note: str | None = strawberry.field(description="A note on the relation (at most 200 characters).")
    account = ref_field("Account", "account_id", description="The account this relation is seen from.", required=True)
    related_account = ref_field("Account", "linked_id", description="The other account.", required=True)
    is_type_of = model_type(m.AccountRelation)


def from_side(row: m.AccountRelation, account_id: int) -> m.AccountRelation:
    """``row`` as seen from ``account_id``: the stored row, or a copy with the two accounts
    swapped and the kind reversed."""
    if row.account_id == account_id:
        return row
    seen = copy.copy(row)
    seen.account_id, seen.linked_id = row.linked_id, row.account_id
    seen.kind = e.AccountRelationKind(row.kind).reverse
    return seen


def _relations_loader(info: Info) -> DataLoader[int, list[m.AccountRelation]]:
    """Visible relations of each account, from its side: every account of a level in one query."""
    loader = info.context._loaders.get("account_relations")
    if loader is None:
        user = info.context.user

        async def load(ids: Sequence[int]) -> list[list[m.AccountRelation]]:
            rows = await loaders.account_relations(user, ids)
            grouped: dict[int, list[m.AccountRelation]] = defaultdict(list)
            for row in rows:
                for side in {row.account_id, row.linked_id}:
                    grouped[side].append(from_side(row, side))
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders["account_relations"] = DataLoader(load_fn=load)
    return loader


async def _account_total(info: Info, account_id: int, status: e.OpportunityStatus, currency: str) -> Decimal:
    try:
        target = deal_figures.target_currency(currency)
        sums = await figures.account_sums(info, account_id)
        return deal_figures.total_in(sums.get((account_id, status), {}), target, await figures.rates(info))
    except DomainError as exc:
        raise figures.client_error(exc) from None


@strawberry.type(name="Contact", description="A person, usually working for an account.")
class ContactType(Entity, Convertible):
    first_name: str | None = strawberry.field(description="Given name; null when not known.")
    last_name: str = strawberry.field(description="Family name; every contact has one.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    title: str | None = strawberry.field(description="Job title.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")

    @field(
        description="This contact's business roles on the deals you can see.",
        graphql_type=lazy_list("OpportunityContactRole"),
    )
    @staticmethod
    async def opportunity_roles(root: m.Contact, info: Info) -> list[m.OpportunityContactRole]:
        from crm_graphql.api.types.pipeline import _roles_loader

        return await _roles_loader(info, "contact_id").load(root.id)

    account = ref_field("Account", "account_id", description="The employer.")
    owner = ref_field("User", "owner_id", description="The user responsible for the contact.")
    opportunities = list_field("Opportunity", fk="contact_id", description="Deals where this is the primary contact.")
    activities = list_field("Activity", fk="contact_id", description="Activities logged on this contact.")
    timeline = timeline_field("Contact")
    is_type_of = model_type(m.Contact)
