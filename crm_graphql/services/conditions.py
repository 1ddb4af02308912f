"""The subqueries the API's list filters nest (``api/filters.py``): a relation's condition is
tested on the rows the user may see, decided here by services.access, never on a hidden row
(a private parent's VAT number, guessed a prefix at a time)."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from crm_graphql.actor import Actor
from crm_graphql.services import access


def visible_ids(
    model: type[Model], user: Actor | None, where: Q | None = None, column: str = "id", *, include_deleted: bool = False
) -> Subquery:
    """``column`` of the rows of ``model`` the user may see (and ``where`` keeps), as a subquery."""
    visible = access.visible(model, user, include_deleted=include_deleted)
    return Subquery(model.filter(visible if where is None else where & visible).values(column))


def ids_where(model: type[Model], where: Q) -> Subquery:
    """The ids of the rows of ``model`` that ``where`` keeps, as a subquery; no visibility of
    its own: it is nested in a query already scoped to the user (``not`` of a list filter)."""
    return Subquery(model.filter(where).values("id"))
