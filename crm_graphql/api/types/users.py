"""User."""

from __future__ import annotations

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.common import Entity, ref_field


@strawberry.type(name="User", description="Someone who uses the CRM, with a role.")
class UserType(Entity):
    email: str = strawberry.field(description="Login e-mail.")
    name: str = strawberry.field(description="Display name.")
    role: e.Role = strawberry.field(description="ADMIN, MANAGER, SALES_REP, READ_ONLY or PARTNER.")
    is_active: bool = strawberry.field(description="Inactive users cannot sign in.")
    partner_account = ref_field(
        "Account", "partner_account_id", description="The partner account a PARTNER user belongs to."
    )
    is_type_of = model_type(m.User)
