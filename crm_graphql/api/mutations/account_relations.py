"""Related accounts: ``linkAccounts`` and ``unlinkAccounts`` (DOMAIN.md 11)."""

from __future__ import annotations

from typing import Optional

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.accounts import AccountRelationType, AccountType
from crm_graphql.services import account_relations


@strawberry.input(description="Relate two accounts (shown from both sides).")
class LinkAccountsInput:
    account_id: int = ref("Account", "The account you link from (you may change it).")
    related_account_id: int = ref("Account", "The other account (any account you can see).")
    kind: e.AccountRelationKind = strawberry.field(
        description="What the related account is to the first one (SUPPLIER: it supplies the first account)."
    )
    note: Optional[str] = strawberry.field(default=None, description="A note (at most 200 characters).")


@strawberry.type(description="Result of linkAccounts.")
class LinkAccountsPayload(Payload):
    relation: m.AccountRelation | None = out("The new relation, seen from `accountId`.", of=AccountRelationType)


@strawberry.input(description="Remove a relation between two accounts.")
class UnlinkAccountsInput:
    id: int = ref("AccountRelation", "The AccountRelation.")


@strawberry.type(description="Result of unlinkAccounts.")
class UnlinkAccountsPayload(Payload):
    account: m.Account | None = out("The account the relation was linked from.", of=AccountType)
    related_account: m.Account | None = out("The other account.", of=AccountType)
    deleted_id: strawberry.ID | None = out("Global ID of the removed relation.")


@strawberry.type
class Mutation:
    @mutation(
        on="Account",
        description="Relate two accounts with a kind and a note; one relation per pair of accounts (DUPLICATE "
        "otherwise, either way round).",
        input_doc="The two accounts.",
    )
    async def link_accounts(self, info: Info, input: LinkAccountsInput) -> LinkAccountsPayload:
        row = await account_relations.link_accounts(
            info.context.actor,
            input.account_id,
            input.related_account_id,
            e.AccountRelationKind(input.kind),
            input.note,
        )
        return LinkAccountsPayload(relation=row)

    @mutation(
        on="Account",
        description="Remove a relation between two accounts (whoever may change either account).",
        input_doc="The relation.",
    )
    async def unlink_accounts(self, info: Info, input: UnlinkAccountsInput) -> UnlinkAccountsPayload:
        _row, account, related = await account_relations.unlink_accounts(info.context.actor, input.id)
        deleted_id = strawberry.ID(to_global_id("AccountRelation", input.id))
        return UnlinkAccountsPayload(account=account, related_account=related, deleted_id=deleted_id)
