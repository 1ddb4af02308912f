"""Account and Contact."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import Entity, is_deleted, list_field, ref_field

if TYPE_CHECKING:
    from crm_graphql.api.types.pipeline import OpportunityContactRoleType


@strawberry.type(name="Account", description="A customer: an organisation or a person (sub-accounts allowed).")
class AccountType(Entity, Convertible):
    type: e.AccountType = strawberry.field(description="PERSON, ORGANIZATION or OTHER.")
    name: str = strawberry.field(description='Organisation name, or "First Last" for a person.')
    first_name: str | None = strawberry.field(description="First name (person accounts).")
    last_name: str | None = strawberry.field(description="Last name (person accounts).")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    street: str | None = strawberry.field(description="Street and number.")
    city: str | None = strawberry.field(description="City.")
    postal_code: str | None = strawberry.field(description="Postal code.")
    country: str | None = strawberry.field(description="Country.")
    registration_number: str | None = strawberry.field(description="Company registration number.")
    vat_number: str | None = strawberry.field(description="VAT number.")
    industry: str | None = strawberry.field(description="Industry.")
    website: str | None = strawberry.field(description="Web site.")
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


@strawberry.type(name="Contact", description="A person, usually working for an account.")
class ContactType(Entity, Convertible):
    first_name: str | None = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    title: str | None = strawberry.field(description="Job title.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")

    @strawberry.field(description="This contact's business roles on the deals you can see.")
    async def opportunity_roles(  # type: ignore[no-untyped-def]
        root, info: Info
    ) -> list[Annotated[OpportunityContactRoleType, strawberry.lazy("crm_graphql.api.types.pipeline")]]:
        from crm_graphql.api.types.pipeline import _roles_loader

        return await _roles_loader(info, "contact_id").load(root.id)

    account = ref_field("Account", "account_id", description="The employer.")
    owner = ref_field("User", "owner_id", description="The user responsible for the contact.")
    opportunities = list_field("Opportunity", fk="contact_id", description="Deals where this is the primary contact.")
    activities = list_field("Activity", fk="contact_id", description="Activities logged on this contact.")
    timeline = timeline_field("Contact")
    is_type_of = model_type(m.Contact)
