"""Record-level visibility: the one place that decides which rows a user can see.

Every read (lists, counts, ``node``, loaders, relation filters) and every mutation target
goes through ``visible()`` / ``scoped()``, so a hidden record does not exist for the user.

Rules (DOMAIN.md 8, 9): soft-deleted rows are hidden; a private account is visible to its
owner alone (admins included), and so is everything under it; a restricted opportunity is
visible to its owner and the users it lists, and so are its quotes, orders and invoices.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql import models as m

_NOTHING_HIDDEN = Q()


def _account_q(uid: int, prefix: str, nullable: bool) -> Q:
    q = Q(**{f"{prefix}is_private": False}) | Q(**{f"{prefix}owner_id": uid})
    if nullable:
        q = Q(**{f"{prefix}id__isnull": True}) | q
    return q


def _opportunity_q(uid: int, prefix: str, nullable: bool) -> Q:
    granted = Subquery(m.OpportunityAccess.filter(user_id=uid).values("opportunity_id"))
    q = Q(**{f"{prefix}is_restricted": False}) | Q(**{f"{prefix}owner_id": uid}) | Q(**{f"{prefix}id__in": granted})
    if nullable:
        q = Q(**{f"{prefix}id__isnull": True}) | q
    return q


def _alive(model: type[Model], prefix: str) -> Q:
    if "deleted_at" in model._meta.fields_map:
        return Q(**{f"{prefix}deleted_at__isnull": True})
    return _NOTHING_HIDDEN


def visible(model: type[Model], user: Any, prefix: str = "", *, include_deleted: bool = False) -> Q:
    """A filter that keeps the rows of ``model`` that ``user`` may see.

    ``include_deleted`` keeps soft-deleted rows: documents keep resolving what they point
    at, which then shows ``isDeleted: true``.
    """
    uid = int(user.id) if user is not None else 0
    q = _NOTHING_HIDDEN if include_deleted else _alive(model, prefix)
    if model is m.Account:
        return q & _account_q(uid, prefix, False)
    if model is m.Contact:
        return q & _account_q(uid, f"{prefix}account__", True)
    if model is m.Opportunity:
        return q & _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, prefix, False)
    if model in (m.Quote, m.SalesOrder, m.Invoice):
        return q & _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, f"{prefix}opportunity__", True)
    if model is m.Contract:
        return q & _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, f"{prefix}opportunity__", False)
    parent = _PARENTS.get(model)
    if parent is not None:
        relation, parent_model = parent
        return q & visible(parent_model, user, f"{prefix}{relation}__", include_deleted=include_deleted)
    if model is m.Activity:
        return (
            q
            & _account_q(uid, f"{prefix}account__", True)
            & _account_q(uid, f"{prefix}opportunity__account__", True)
            & _opportunity_q(uid, f"{prefix}opportunity__", True)
            & _account_q(uid, f"{prefix}contact__account__", True)
            & _account_q(uid, f"{prefix}quote__account__", True)
            & _opportunity_q(uid, f"{prefix}quote__opportunity__", True)
        )
    return q


_PARENTS: dict[type[Model], tuple[str, type[Model]]] = {
    m.OpportunityItem: ("opportunity", m.Opportunity),
    m.QuoteItem: ("quote", m.Quote),
    m.SalesOrderItem: ("sales_order", m.SalesOrder),
    m.InvoiceItem: ("invoice", m.Invoice),
    m.Document: ("quote", m.Quote),
}


def scoped(
    model: type[Model], user: Any, conn: BaseDBAsyncClient | None = None, *, include_deleted: bool = False
) -> QuerySet[Any]:
    """All rows of ``model`` that ``user`` may see."""
    qs = model.filter(visible(model, user, include_deleted=include_deleted))
    return qs.using_db(conn) if conn is not None else qs


async def get_visible(model: type[Model], user: Any, pk: int, conn: BaseDBAsyncClient | None = None) -> Any:
    """The row with ``pk`` if ``user`` may see it, else None."""
    return await scoped(model, user, conn).filter(id=pk).first()
