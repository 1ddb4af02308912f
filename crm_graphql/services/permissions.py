"""Role permissions (DOMAIN.md 8): which roles may run which mutations.

Admins and managers manage stages, price books, products, bundles, exchange rates,
campaigns and users, and manage and run lead split rules; sales reps create and edit sales
records (accounts, contacts, leads, opportunities, quotes, activities...); read-only users
read. Which records a user may see and change (visibility, ownership) is services.access:
``access.load_for_write`` is the write gate.

``authorize`` runs once per mutation, for every mutation alike, in the API's mutation
extension (before any id of the input is read); the services that mutation calls do not
check the role again.
"""

from __future__ import annotations

from crm_graphql.actor import Actor
from crm_graphql.enums import Role
from crm_graphql.errors import Forbidden

#: Types whose writes need ADMIN or MANAGER.
CATALOG_TYPES = frozenset(
    {
        "Stage",
        "Pipeline",
        "Campaign",
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
#: Types whose writes need ADMIN or MANAGER, with their own refusal.
MANAGER_TYPES = {"LeadSplitRule": "Only admins and managers manage and run lead split rules."}
#: Operations a PARTNER user may not run, with the refusal (DOMAIN.md 8).
PARTNER_REFUSED = dict.fromkeys(
    ("assignToPartner", "unassignFromPartner"), "Assigning to a partner is for admins, managers and the record's owner."
)
#: Operations only an ADMIN may run.
ADMIN_OPERATIONS = frozenset({"purge", "createUser", "updateUser", "deleteUser"})


def authorize(actor: Actor | None, operation: str, type_name: str | None = None) -> None:
    """Raise Forbidden unless ``actor``'s role may run ``operation`` (on ``type_name``)."""
    role = getattr(actor, "role", None)
    if role is None or role == Role.READ_ONLY:
        raise Forbidden("Your role may only read.", ("input",))
    if role == Role.ADMIN:
        return
    if role == Role.PARTNER and operation in PARTNER_REFUSED:
        raise Forbidden(PARTNER_REFUSED[operation], ("input",))
    if operation in ADMIN_OPERATIONS or operation.startswith("purge"):
        raise Forbidden("Only an admin may do this.", ("input",))
    if type_name in CATALOG_TYPES and role != Role.MANAGER:
        raise Forbidden("Only admins and managers manage the catalog, stages and users.", ("input",))
    if type_name in MANAGER_TYPES and role != Role.MANAGER:
        raise Forbidden(MANAGER_TYPES[type_name], ("input",))
