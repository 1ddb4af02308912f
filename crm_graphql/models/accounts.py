from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import AccountRelationKind, AccountType
from crm_graphql.models.base import SoftDeletable

if TYPE_CHECKING:
    from crm_graphql.models.users import User


class Account(SoftDeletable):
    type = fields.CharEnumField(AccountType, max_length=16, default=AccountType.ORGANIZATION)
    #: Organisation name, or "First Last" for a person account.
    name = fields.CharField(max_length=200, db_index=True)
    first_name = fields.CharField(max_length=100, null=True)
    last_name = fields.CharField(max_length=100, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    street = fields.CharField(max_length=200, null=True)
    city = fields.CharField(max_length=100, null=True)
    postal_code = fields.CharField(max_length=20, null=True)
    country = fields.CharField(max_length=100, null=True)
    registration_number = fields.CharField(max_length=50, null=True)
    vat_number = fields.CharField(max_length=50, null=True)
    industry = fields.CharField(max_length=100, null=True)
    website = fields.CharField(max_length=200, null=True)
    #: Visible to its owner alone when set (and so is everything under it).
    is_private = fields.BooleanField(default=False)
    #: A partner (reseller) account: leads and deals can be assigned to it, and its PARTNER
    #: users see exactly those (DOMAIN.md 8).
    is_partner = fields.BooleanField(default=False, db_default=False)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    parent: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name="children", on_delete=fields.SET_NULL
    )
    parent_id: int | None

    class Meta:
        table = "accounts"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "name", "id"),)


class AccountRelation(SoftDeletable):
    """A symmetric link between two accounts (partner, affiliate, ...).

    Shown from both sides (DOMAIN.md 11); at most one per pair, in either direction. Stored
    once, as linked from ``account``; unlinking deletes the row."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name=False
    )
    account_id: int
    # the related account (``relatedAccount`` in the API)
    linked: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name=False
    )
    linked_id: int
    note = fields.CharField(max_length=200, null=True)
    #: What ``linked`` is to ``account`` (SUPPLIER and CUSTOMER read the other way from ``linked``).
    kind = fields.CharEnumField(
        AccountRelationKind, max_length=16, default=AccountRelationKind.OTHER, db_default="OTHER"
    )

    class Meta:
        table = "account_links"
        unique_together = (("account", "linked"),)


class Contact(SoftDeletable):
    first_name = fields.CharField(max_length=100, null=True)
    last_name = fields.CharField(max_length=100, db_index=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    title = fields.CharField(max_length=100, null=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name="contacts"
    )
    account_id: int | None
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None

    class Meta:
        table = "contacts"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "last_name", "first_name", "id"),)
