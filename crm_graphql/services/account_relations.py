"""Related accounts (DOMAIN.md 11): two accounts linked with a kind and a note, shown from
both sides and separate from the parent/sub-account tree. One relation per pair of accounts,
in either direction; a relation is visible when both accounts are (services.access)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import AccountRelationKind
from crm_graphql.errors import Duplicate, Invalid
from crm_graphql.services import access, timeline

NOTE_MAX = 200


def pair(a: int, b: int) -> Q:
    """The relations between two accounts, in either direction."""
    return Q(account_id=a, linked_id=b) | Q(account_id=b, linked_id=a)


async def link_accounts(
    actor: Actor, account_id: int, related_account_id: int, kind: AccountRelationKind, note: str | None
) -> m.AccountRelation:
    """Link ``account_id`` (which the actor may change) to ``related_account_id`` (which they
    may see); ``kind`` says what the related account is to the first one. Both accounts' timelines
    record ACCOUNT_LINKED.

    Raises NotFound (missing, deleted or hidden account), Forbidden (the first account is not
    the actor's to change), Invalid (an account linked to itself, a note too long), Duplicate
    (the two accounts are related already, either way); nothing is written when it raises.
    """
    async with in_transaction() as conn:
        account = await access.load_for_write(conn, actor, m.Account, account_id, ("input", "accountId"))
        related = await access.load_visible(conn, actor, m.Account, related_account_id, ("input", "relatedAccountId"))
        if related.id == account.id:
            raise Invalid("An account cannot be related to itself.", ("input", "relatedAccountId"))
        note = (note or "").strip() or None
        if note is not None and len(note) > NOTE_MAX:
            raise Invalid(f"note is too long (at most {NOTE_MAX} characters).", ("input", "note"))
        # PostgreSQL: linkers of the same two accounts (either way) queue here, so the check
        # below sees a committed relation; SQLite runs one write transaction at a time anyway
        await (
            m.Account.filter(id__in=sorted((account.id, related.id))).order_by("id").select_for_update().using_db(conn)
        )
        existing = await m.AccountRelation.filter(pair(account.id, related.id)).using_db(conn)
        if any(r.deleted_at is None for r in existing):
            raise Duplicate("These accounts are related already.", ("input", "relatedAccountId"))
        if existing:  # soft-deleted relations of older versions: replaced
            await m.AccountRelation.filter(id__in=[r.id for r in existing]).using_db(conn).delete()
        row = await m.AccountRelation.create(
            account_id=account.id, linked_id=related.id, kind=kind, note=note, using_db=conn
        )
        await _record(conn, actor, "ACCOUNT_LINKED", row, account, related)
        return row


async def unlink_accounts(actor: Actor, relation_id: int) -> tuple[m.AccountRelation, Any, Any]:
    """Remove a relation; whoever may change either account may. Both accounts' timelines record
    ACCOUNT_UNLINKED. Raises NotFound, Forbidden; returns the removed row and its two accounts."""
    async with in_transaction() as conn:
        row = await access.load_for_write(conn, actor, m.AccountRelation, relation_id, ("input", "id"))
        await m.AccountRelation.filter(id=row.id).using_db(conn).delete()
        account = await m.Account.get(id=row.account_id, using_db=conn)
        related = await m.Account.get(id=row.linked_id, using_db=conn)
        await _record(conn, actor, "ACCOUNT_UNLINKED", row, account, related)
        return row, account, related


async def _record(conn: Any, actor: Actor, event: str, row: m.AccountRelation, account: Any, related: Any) -> None:
    """The event on both accounts, each naming the other with the kind as seen from it. The kind
    and the note are facts of the reference (DOMAIN.md 6: what an event says about another record
    is shown only to those who may see it): a viewer who cannot see the other account reads
    ``relatedAccount: null`` and nothing about the link."""
    kind = AccountRelationKind(row.kind)
    for subject, other, seen in ((account, related, kind), (related, account, kind.reverse)):
        data = {"relatedAccount": timeline.ref(other, name=other.name, kind=seen.value, note=row.note)}
        await timeline.record(conn, subject, event, actor, data)
