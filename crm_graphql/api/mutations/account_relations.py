"""Related accounts: ``linkAccounts`` and ``unlinkAccounts`` (DOMAIN.md 11)."""

from typing import Annotated, Any, Optional

import strawberry

from crm_graphql import enums as e
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, make_payload, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import account_relations, permissions


@strawberry.input(description="Relate two accounts (shown from both sides).")
class LinkAccountsInput:
    account_id: strawberry.ID = strawberry.field(description="The account you link from (you may change it).")
    related_account_id: strawberry.ID = strawberry.field(description="The other account (any account you can see).")
    kind: e.AccountRelationKind = strawberry.field(
        description="What the related account is to the first one (SUPPLIER: it supplies the first account)."
    )
    note: Optional[str] = strawberry.field(default=None, description="A note (at most 200 characters).")


LinkAccountsPayload = make_payload(
    "LinkAccountsPayload",
    {"relation": (lazy("AccountRelation"), "The new relation, seen from `accountId`.")},
    "Result of linkAccounts.",
)


@strawberry.input(description="Remove a relation between two accounts.")
class UnlinkAccountsInput:
    id: strawberry.ID = strawberry.field(description="The AccountRelation.")


UnlinkAccountsPayload = make_payload(
    "UnlinkAccountsPayload",
    {"account": (lazy("Account"), "The account the relation was linked from."),
     "related_account": (lazy("Account"), "The other account."),
     "deleted_id": (strawberry.ID, "Global ID of the removed relation.")},
    "Result of unlinkAccounts.",
)  # fmt: skip


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Relate two accounts with a kind and a note; one relation per pair of accounts (DUPLICATE "
        "otherwise, either way round)."
    )
    async def link_accounts(
        self, info: Info, input: Annotated[LinkAccountsInput, strawberry.argument(description="The two accounts.")]
    ) -> LinkAccountsPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "linkAccounts", "Account")  # role first
            account = decode_id(input.account_id, "Account", ("input", "accountId"))
            related = decode_id(input.related_account_id, "Account", ("input", "relatedAccountId"))
            row = await account_relations.link_accounts(
                info.context.user, account, related, e.AccountRelationKind(input.kind), input.note
            )
            return {"relation": row}

        return await run(LinkAccountsPayload, call)

    @strawberry.mutation(description="Remove a relation between two accounts (whoever may change either account).")
    async def unlink_accounts(
        self, info: Info, input: Annotated[UnlinkAccountsInput, strawberry.argument(description="The relation.")]
    ) -> UnlinkAccountsPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "unlinkAccounts", "Account")
            pk = decode_id(input.id, "AccountRelation", ("input", "id"))
            _row, account, related = await account_relations.unlink_accounts(info.context.user, pk)
            return {"account": account, "related_account": related, "deleted_id": input.id}

        return await run(UnlinkAccountsPayload, call)
