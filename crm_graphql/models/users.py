from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import Role
from crm_graphql.models.base import Entity


class User(Entity):
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16, default=Role.SALES_REP)
    is_active = fields.BooleanField(default=True)
    #: The partner account a PARTNER user belongs to (required for that role, null otherwise).
    #: A plain id: accounts already point at users (owner), and a foreign key back would make a cycle.
    partner_account_id = fields.IntField(null=True, db_index=True)

    class Meta:
        table = "users"


class ApiToken(Entity):
    """An API token, stored as its SHA-256 digest (the clear token is shown once)."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    #: Last characters of the clear token, to tell tokens apart in listings.
    hint = fields.CharField(max_length=8)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"
