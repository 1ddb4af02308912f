"""Role permissions (DOMAIN.md 8): which roles may run which mutations.

Admins and managers manage stages, price books, products, bundles, exchange rates and
users; sales reps create and edit sales records (accounts, contacts, leads, opportunities,
quotes, activities...); read-only users read. Record-level visibility is services.access.
"""

from __future__ import annotations

from typing import Any

from crm_graphql.enums import Role
from crm_graphql.errors import Forbidden

#: Types whose writes need ADMIN or MANAGER.
CATALOG_TYPES = frozenset(
    {
        "Stage",
        "Pricebook",
        "PricebookEntry",
        "Product",
        "Bundle",
        "BundleItem",
        "BundlePrice",
        "ExchangeRate",
        "User",
        "DocumentTemplate",
    }
)
#: Operations only an ADMIN may run.
ADMIN_OPERATIONS = frozenset({"purge", "createUser", "updateUser", "deleteUser"})


def authorize(actor: Any, operation: str, type_name: str | None = None) -> None:
    """Raise Forbidden unless ``actor``'s role may run ``operation`` (on ``type_name``)."""
    role = getattr(actor, "role", None)
    if role is None or role == Role.READ_ONLY:
        raise Forbidden("Your role may only read.", ("input",))
    if role == Role.ADMIN:
        return
    if operation in ADMIN_OPERATIONS or operation.startswith("purge"):
        raise Forbidden("Only an admin may do this.", ("input",))
    if type_name in CATALOG_TYPES and role != Role.MANAGER:
        raise Forbidden("Only admins and managers manage the catalog, stages and users.", ("input",))


#: Sales records a SALES_REP may change only when they own them (or nobody does).
OWNED_TYPES = frozenset({"Account", "Contact", "Lead", "Opportunity", "Quote"})


def authorize_row(actor: Any, row: Any, granted: bool = False, path: tuple[str, ...] = ("input", "id")) -> None:
    """Raise Forbidden when a SALES_REP changes a sales record owned by someone else.

    DOMAIN.md 8: "sales reps create and edit the records they own or are assigned": a rep
    may update, delete or restore a row whose owner is them or nobody (``granted``: the
    caller found the rep listed on a restricted opportunity). Managers and admins may
    change every record they can see; hidden rows never get here (NOT_FOUND first).
    """
    if getattr(actor, "role", None) != Role.SALES_REP or type(row).__name__ not in OWNED_TYPES:
        return
    owner_id = getattr(row, "owner_id", None)
    if owner_id is None or owner_id == actor.id or granted:
        return
    raise Forbidden("Sales reps may only change records they own.", path)
