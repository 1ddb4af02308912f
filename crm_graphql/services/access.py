"""Record-level access: which rows a user may see, and which they may change.

Reads. Every model has exactly one visibility rule in ``RULES``; ``visible()`` turns it into
a SQL condition and ``scoped()`` into a queryset, and every read goes through them: lists,
counts, ``node``/``nodes``, loaders, relation filters (inside their subqueries), timelines,
lineage, subscriptions and mutation targets. A hidden record does not exist for the user.
A model without a rule fails at import (``_check_complete``), and asking for one raises
``LookupError``: nothing falls open.

Rules (DOMAIN.md 8, 9): soft-deleted rows are hidden; a private account is visible to its
owner alone (admins included), and so is everything under it; a restricted opportunity is
visible to its owner and the users it lists, and so are its quotes, orders, invoices and
contracts; a line item or document is visible with its parent; an activity when every record
it is attached to is; a timeline event when its subject is; a lineage link when both ends
are. Catalog rows, pipelines, stages, campaigns, leads, lead split rules and users are visible
to every signed-in user (partners see no campaign and no split rule; only admins and managers
change split rules); a lead's shares and a deal's revenue splits are visible with their lead or deal.

Writes. ``load_for_write`` is the one way a service loads the row it is about to change:
visibility first (hidden -> NOT_FOUND, so a hidden row never answers FORBIDDEN), then role
and ownership (FORBIDDEN) by ``WRITE_RULES``, which every model also has. Ownership means the
record being changed, or for a child row (a quote item, a document) the record that owns it.
Ids that only reference another record (``accountId`` on a create, ``productId``) need
visibility only: ``load_visible``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import Role
from crm_graphql.errors import Forbidden, NotFound

Path = tuple[str, ...]
M = TypeVar("M", bound=Model)


class Viewer(int):
    """A user id as the rules see it. ``partner`` is the partner account of a PARTNER user (0
    when they have none: they see nothing of the partner-scoped types); None for other roles.
    An ``int``, so every rule and nested ``condition`` passes it on unchanged."""

    partner: int | None

    def __new__(cls, uid: int, partner: int | None = None) -> Viewer:
        self = super().__new__(cls, uid)
        self.partner = partner
        return self


def viewer(user: Actor | None) -> int:
    """The id the rules take for ``user`` (0 for nobody), carrying a PARTNER user's account."""
    if user is None:
        return 0
    if getattr(user, "role", None) == Role.PARTNER:
        return Viewer(int(user.id), int(getattr(user, "partner_account_id", None) or 0))
    return int(user.id)


def partner_of(uid: int) -> int | None:
    return getattr(uid, "partner", None)


def lookup(field: str, value: object) -> Q:
    """``Q(field=value)`` for a lookup whose name is built at run time (``f"{prefix}owner_id"``).
    mypy matches a ``**{...}`` dict against ``Q``'s ``join_type`` keyword too; this types it once."""
    kwargs: dict[str, Any] = {field: value}
    return Q(**kwargs)


#: (user id, relation prefix, include soft-deleted rows of parents) -> condition on the model.
VisibilityRule = Callable[[int, str, bool], Q]

_EVERYTHING = Q()


def _account_q(uid: int, prefix: str, nullable: bool) -> Q:
    q = lookup(f"{prefix}is_private", False) | lookup(f"{prefix}owner_id", uid)
    if nullable:
        q = lookup(f"{prefix}id__isnull", True) | q
    return q


def _opportunity_q(uid: int, prefix: str, nullable: bool) -> Q:
    granted = Subquery(m.OpportunityAccess.filter(user_id=uid).values("opportunity_id"))
    q = lookup(f"{prefix}is_restricted", False) | lookup(f"{prefix}owner_id", uid) | lookup(f"{prefix}id__in", granted)
    if nullable:
        q = lookup(f"{prefix}id__isnull", True) | q
    return q


def _alive(model: type[Model], prefix: str) -> Q:
    if "deleted_at" in model._meta.fields_map:
        return lookup(f"{prefix}deleted_at__isnull", True)
    return _EVERYTHING


# --- the rules -------------------------------------------------------------------------------


def public(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Every signed-in user sees every live row (catalog, stages, leads, users)."""
    return _EVERYTHING


def _account(uid: int, prefix: str, include_deleted: bool) -> Q:
    return _account_q(uid, prefix, False)


def _contact(uid: int, prefix: str, include_deleted: bool) -> Q:
    return _account_q(uid, f"{prefix}account__", True)


def _opportunity(uid: int, prefix: str, include_deleted: bool) -> Q:
    return _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, prefix, False)


def _deal_document(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Quotes, orders and invoices: their account, and their opportunity when they have one."""
    return _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, f"{prefix}opportunity__", True)


def _contract(uid: int, prefix: str, include_deleted: bool) -> Q:
    return _account_q(uid, f"{prefix}account__", False) & _opportunity_q(uid, f"{prefix}opportunity__", False)


def _activity(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Visible when every record it is attached to is (an activity on a public lead and a
    restricted deal is hidden from those who may not see the deal)."""
    return (
        _account_q(uid, f"{prefix}account__", True)
        & _account_q(uid, f"{prefix}opportunity__account__", True)
        & _opportunity_q(uid, f"{prefix}opportunity__", True)
        & _account_q(uid, f"{prefix}contact__account__", True)
        & _account_q(uid, f"{prefix}quote__account__", True)
        & _opportunity_q(uid, f"{prefix}quote__opportunity__", True)
    )


def child_of(relation: str, parent: type[Model]) -> VisibilityRule:
    """Visible with its parent row (line items, documents, access grants)."""

    def rule(uid: int, prefix: str, include_deleted: bool) -> Q:
        return condition(parent, uid, f"{prefix}{relation}__", include_deleted=include_deleted)

    rule.__name__ = f"child_of_{parent.__name__}"
    return rule


#: Types a timeline event can be about; an event about any other type is visible to nobody.
EVENT_SUBJECTS: tuple[type[Model], ...] = (
    m.Account,
    m.Contact,
    m.Lead,
    m.Opportunity,
    m.Quote,
    m.SalesOrder,
    m.Invoice,
    m.Contract,
    m.Campaign,
)
#: Types lineage links join.
LINEAGE_ENDS: tuple[type[Model], ...] = (
    m.Lead,
    m.Account,
    m.Contact,
    m.Opportunity,
    m.Quote,
    m.SalesOrder,
    m.Invoice,
    m.Contract,
)


def typed_reference(uid: int, type_column: str, id_column: str, types: Iterable[type[Model]], prefix: str = "") -> Q:
    """Rows whose (``type_column``, ``id_column``) pair names a record of ``types`` the user may
    see, soft-deleted ones included (history outlives a delete; privacy does not). One
    ``IN (subquery)`` per type whose rule is not public; a type outside ``types`` matches nothing."""
    result: Q | None = None
    for model in types:
        q = lookup(f"{prefix}{type_column}", model.__name__)
        narrowed = partner_of(uid) is not None and PARTNER_RULES.get(model) is not unrestricted
        if RULES[model] is not public or narrowed:
            visible_ids = model.filter(condition(model, uid, include_deleted=True)).values("id")
            q &= lookup(f"{prefix}{id_column}__in", Subquery(visible_ids))
        result = q if result is None else result | q
    return result if result is not None else Q(id__in=[])


def _event(uid: int, prefix: str, include_deleted: bool) -> Q:
    return typed_reference(uid, "subject_type", "subject_id", EVENT_SUBJECTS, prefix)


def _lineage(uid: int, prefix: str, include_deleted: bool) -> Q:
    return typed_reference(uid, "source_type", "source_id", LINEAGE_ENDS, prefix) & typed_reference(
        uid, "target_type", "target_id", LINEAGE_ENDS, prefix
    )


def _account_relation(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Visible when both accounts are (private accounts, partners: DOMAIN.md 8, 11)."""
    return condition(m.Account, uid, f"{prefix}account__") & condition(m.Account, uid, f"{prefix}linked__")


def _contact_role(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Visible with its deal, and only when its contact is visible too: a role naming a hidden
    contact (of another user's private account) does not exist for the viewer (DOMAIN.md 8)."""
    deal = condition(m.Opportunity, uid, f"{prefix}opportunity__", include_deleted=include_deleted)
    return deal & condition(m.Contact, uid, f"{prefix}contact__")


RULES: dict[type[Model], VisibilityRule] = {
    m.Account: _account,
    m.Contact: _contact,
    m.Opportunity: _opportunity,
    m.Quote: _deal_document,
    m.SalesOrder: _deal_document,
    m.Invoice: _deal_document,
    m.Contract: _contract,
    m.OpportunityItem: child_of("opportunity", m.Opportunity),
    m.QuoteItem: child_of("quote", m.Quote),
    m.SalesOrderItem: child_of("sales_order", m.SalesOrder),
    m.InvoiceItem: child_of("invoice", m.Invoice),
    m.Document: child_of("quote", m.Quote),
    m.DocumentFile: child_of("document", m.Document),
    m.OpportunityAccess: child_of("opportunity", m.Opportunity),
    m.OpportunityContactRole: _contact_role,
    m.RevenueSplit: child_of("opportunity", m.Opportunity),
    m.LeadShare: child_of("lead", m.Lead),
    m.Activity: _activity,
    m.TimelineEvent: _event,
    m.LineageLink: _lineage,
    m.AccountRelation: _account_relation,
    m.Lead: public,
    m.LeadSplitRule: public,
    m.User: public,
    m.Stage: public,
    m.Pipeline: public,
    m.Campaign: public,
    m.Product: public,
    m.Pricebook: public,
    m.PricebookEntry: public,
    m.Bundle: public,
    m.BundleItem: public,
    m.BundlePrice: public,
    m.ExchangeRate: public,
    m.DocumentTemplate: public,
}
# --- partners (DOMAIN.md 8) --------------------------------------------------------------------
# A PARTNER user sees only the leads and opportunities assigned to their partner account, the
# accounts and contacts those hang on (and their own partner account, and records they own),
# those deals' quotes, orders, invoices and contracts, and activities on what they see. These
# rules narrow RULES for a partner viewer (``condition`` applies both); every model has one.


def unrestricted(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Partners see these rows as everyone does (catalog, stages, pipelines, rates, templates;
    children and references whose RULES already follow a narrowed parent)."""
    return _EVERYTHING


def _partner_deal_rows(uid: int, partner: int) -> QuerySet[m.Opportunity]:
    """The partner's deals this user may see: assigned to the partner AND visible under the
    ordinary rule (a restricted deal or a private account's deal assigned to the partner stays
    hidden, and so does what would only hang on it)."""
    return m.Opportunity.filter(partner_id=partner, deleted_at__isnull=True).filter(_opportunity(uid, "", False))


def _partner_deals(uid: int, partner: int) -> Subquery:
    return Subquery(_partner_deal_rows(uid, partner).values("id"))


def _partner_account_ids(uid: int, partner: int) -> Q:
    deals = _partner_deal_rows(uid, partner)
    leads = m.Lead.filter(partner_id=partner, deleted_at__isnull=True, converted_account_id__isnull=False)
    return (
        Q(id__in=Subquery(deals.values("account_id")))
        | Q(id__in=Subquery(leads.values("converted_account_id")))
        | Q(id=partner)
        | Q(owner_id=uid)
    )


def _p_account(uid: int, prefix: str, include_deleted: bool) -> Q:
    partner = partner_of(uid) or 0
    return lookup(f"{prefix}id__in", Subquery(m.Account.filter(_partner_account_ids(uid, partner)).values("id")))


def _p_contact(uid: int, prefix: str, include_deleted: bool) -> Q:
    partner = partner_of(uid) or 0
    deals = _partner_deal_rows(uid, partner).filter(contact_id__isnull=False)
    leads = m.Lead.filter(partner_id=partner, deleted_at__isnull=True, converted_contact_id__isnull=False)
    accounts = Subquery(m.Account.filter(_partner_account_ids(uid, partner)).values("id"))
    return (
        lookup(f"{prefix}account_id__in", accounts)
        | lookup(f"{prefix}id__in", Subquery(deals.values("contact_id")))
        | lookup(f"{prefix}id__in", Subquery(leads.values("converted_contact_id")))
        | lookup(f"{prefix}owner_id", uid)
    )


def _p_assigned(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Leads and opportunities: those assigned to the partner."""
    return lookup(f"{prefix}partner_id", partner_of(uid) or 0)


def _p_deal_document(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Quotes, orders, invoices, contracts: those of the partner's deals."""
    return lookup(f"{prefix}opportunity_id__in", _partner_deals(uid, partner_of(uid) or 0))


def _p_activity(uid: int, prefix: str, include_deleted: bool) -> Q:
    partner = partner_of(uid) or 0
    leads = Subquery(m.Lead.filter(partner_id=partner, deleted_at__isnull=True).values("id"))
    quotes = Subquery(m.Quote.filter(opportunity_id__in=_partner_deals(uid, partner)).values("id"))
    return (
        lookup(f"{prefix}lead_id__in", leads)
        | lookup(f"{prefix}opportunity_id__in", _partner_deals(uid, partner))
        | lookup(f"{prefix}quote_id__in", quotes)
    )


def _p_user(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Themselves and the other users of their partner account."""
    return lookup(f"{prefix}id", int(uid)) | lookup(f"{prefix}partner_account_id", partner_of(uid) or 0)


def _p_nothing(uid: int, prefix: str, include_deleted: bool) -> Q:
    """Campaigns and lead split rules: no partner user sees any (budgets, results and rules over
    every lead are the company's own; DOMAIN.md 8, a partner "sees nothing else"). A lead's
    ``campaign`` shows null to them."""
    return lookup(f"{prefix}id", 0)


PARTNER_RULES: dict[type[Model], VisibilityRule] = {
    m.Account: _p_account,
    m.Contact: _p_contact,
    m.Lead: _p_assigned,
    m.Opportunity: _p_assigned,
    m.Quote: _p_deal_document,
    m.SalesOrder: _p_deal_document,
    m.Invoice: _p_deal_document,
    m.Contract: _p_deal_document,
    m.Activity: _p_activity,
    m.User: _p_user,
    m.Campaign: _p_nothing,
    m.LeadSplitRule: _p_nothing,
    # children and references: their RULES follow a narrowed parent through ``condition``
    **dict.fromkeys((m.OpportunityItem, m.QuoteItem, m.SalesOrderItem, m.InvoiceItem, m.Document, m.DocumentFile,
                     m.OpportunityAccess, m.OpportunityContactRole, m.TimelineEvent, m.LineageLink, m.AccountRelation,
                     m.LeadShare, m.RevenueSplit), unrestricted),
    # shared reference data every user reads
    **dict.fromkeys((m.Stage, m.Pipeline, m.Product, m.Pricebook, m.PricebookEntry, m.Bundle, m.BundleItem,
                     m.BundlePrice, m.ExchangeRate, m.DocumentTemplate), unrestricted),
}  # fmt: skip

#: Bookkeeping no API read returns: asking for their visibility is a programming error.
INTERNAL: frozenset[type[Model]] = frozenset({m.ApiToken, m.IdempotencyKey, m.Sequence, m.PersistedQuery})


def condition(model: type[Model], uid: int, prefix: str = "", *, include_deleted: bool = False) -> Q:
    """``visible`` for a user id (rules nest with prefixes: ``quote__account__...``)."""
    rule = RULES.get(model)
    if rule is None:
        raise LookupError(f"No visibility rule for {model.__name__}: add one to services.access.RULES.")
    alive = _EVERYTHING if include_deleted else _alive(model, prefix)
    if partner_of(uid) is not None:
        narrowed = PARTNER_RULES.get(model)
        if narrowed is None:
            raise LookupError(f"No partner rule for {model.__name__}: add one to services.access.PARTNER_RULES.")
        if narrowed is not unrestricted:
            return alive & rule(uid, prefix, include_deleted) & narrowed(uid, prefix, include_deleted)
    return alive & rule(uid, prefix, include_deleted)


def visible(model: type[Model], user: Actor | None, prefix: str = "", *, include_deleted: bool = False) -> Q:
    """A filter that keeps the rows of ``model`` that ``user`` may see.

    ``include_deleted`` keeps soft-deleted rows: documents keep resolving what they point
    at, which then shows ``isDeleted: true``.
    """
    return condition(model, viewer(user), prefix, include_deleted=include_deleted)


def visible_events(user: Actor | None, subjects: Iterable[type[Model]] = EVENT_SUBJECTS) -> Q:
    """``visible(TimelineEvent)`` narrowed to events about ``subjects`` (fewer subqueries)."""
    return typed_reference(viewer(user), "subject_type", "subject_id", [s for s in subjects if s in EVENT_SUBJECTS])


def scoped(
    model: type[M], user: Actor | None, conn: BaseDBAsyncClient | None = None, *, include_deleted: bool = False
) -> QuerySet[M]:
    """All rows of ``model`` that ``user`` may see."""
    qs = model.filter(visible(model, user, include_deleted=include_deleted))
    return qs.using_db(conn) if conn is not None else qs


async def get_visible(model: type[M], user: Actor | None, pk: int, conn: BaseDBAsyncClient | None = None) -> M | None:
    """The row with ``pk`` if ``user`` may see it, else None."""
    return await scoped(model, user, conn).filter(id=pk).first()


async def load_visible(conn: BaseDBAsyncClient, actor: Actor, model: type[M], pk: int, path: Path) -> M:
    """A record an input only refers to (visibility only); NOT_FOUND when missing or hidden."""
    row = await get_visible(model, actor, pk, conn)
    if row is None:
        raise NotFound(f"No {model.__name__} with this id.", path)
    return row


# --- writes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """Sales reps change a row when ``column`` names them, or nobody (``owner_id``, ``assignee_id``).
    ``granted``: users listed on the opportunity's access list count as assigned to it."""

    column: str
    granted: bool = False


@dataclass(frozen=True)
class OwnedBy:
    """A part of another record (a quote item, a document): whoever may change that record.
    ``either``: or whoever may change the record this other relation names (an account
    relation belongs to both of its accounts)."""

    relation: str
    parent: type[Model]
    either: str | None = None


@dataclass(frozen=True)
class Managed:
    """Catalog, stages, templates, users: only these roles change them."""

    roles: frozenset[Role]


@dataclass(frozen=True)
class ReadOnly:
    """Written by the services as a side effect only (history, lineage, bookkeeping)."""


WriteRule = Owned | OwnedBy | Managed | ReadOnly
_MANAGERS = Managed(frozenset({Role.ADMIN, Role.MANAGER}))

WRITE_RULES: dict[type[Model], WriteRule] = {
    m.Account: Owned("owner_id"),
    m.Contact: Owned("owner_id"),
    m.Lead: Owned("owner_id"),
    m.Opportunity: Owned("owner_id", granted=True),
    m.Quote: Owned("owner_id"),
    m.SalesOrder: Owned("owner_id"),
    m.Invoice: Owned("owner_id"),
    m.Contract: Owned("owner_id"),
    m.Activity: Owned("assignee_id"),
    m.OpportunityItem: OwnedBy("opportunity", m.Opportunity),
    m.QuoteItem: OwnedBy("quote", m.Quote),
    m.SalesOrderItem: OwnedBy("sales_order", m.SalesOrder),
    m.InvoiceItem: OwnedBy("invoice", m.Invoice),
    m.Document: OwnedBy("quote", m.Quote),
    m.DocumentFile: ReadOnly(),
    m.OpportunityAccess: OwnedBy("opportunity", m.Opportunity),
    m.OpportunityContactRole: OwnedBy("opportunity", m.Opportunity),
    m.AccountRelation: OwnedBy("account", m.Account, either="linked"),
    m.RevenueSplit: OwnedBy("opportunity", m.Opportunity),
    m.LeadShare: OwnedBy("lead", m.Lead),
    m.LeadSplitRule: _MANAGERS,
    m.Stage: _MANAGERS,
    m.Pipeline: _MANAGERS,
    m.Campaign: _MANAGERS,
    m.Product: _MANAGERS,
    m.Pricebook: _MANAGERS,
    m.PricebookEntry: _MANAGERS,
    m.Bundle: _MANAGERS,
    m.BundleItem: _MANAGERS,
    m.BundlePrice: _MANAGERS,
    m.ExchangeRate: _MANAGERS,
    m.DocumentTemplate: _MANAGERS,
    m.User: Managed(frozenset({Role.ADMIN})),
    m.TimelineEvent: ReadOnly(),
    m.LineageLink: ReadOnly(),
    m.ApiToken: ReadOnly(),
    m.IdempotencyKey: ReadOnly(),
    m.Sequence: ReadOnly(),
    m.PersistedQuery: ReadOnly(),
}

NOT_OWNER = "Sales reps may only change records they own."


async def _refusal(conn: BaseDBAsyncClient | None, actor: Actor, row: Model) -> str | None:
    """Why ``actor`` may not change the visible ``row``, or None when they may."""
    role = getattr(actor, "role", None)
    if role is None or role == Role.READ_ONLY:
        return "Your role may only read."
    rule = WRITE_RULES.get(type(row))
    if rule is None or isinstance(rule, ReadOnly):
        return f"A {type(row).__name__} cannot be changed directly."
    if isinstance(rule, Managed):
        if role in rule.roles:
            return None
        return (
            "Only an admin may do this."
            if rule.roles == {Role.ADMIN}
            else ("Only admins and managers manage the catalog, stages and users.")
        )
    if isinstance(rule, OwnedBy):
        parent = await rule.parent.filter(id=getattr(row, f"{rule.relation}_id")).using_db(conn).first()
        reason = NOT_OWNER if parent is None else await _refusal(conn, actor, parent)
        if reason is not None and rule.either is not None:
            other = await rule.parent.filter(id=getattr(row, f"{rule.either}_id")).using_db(conn).first()
            if other is not None and await _refusal(conn, actor, other) is None:
                return None
        return reason
    if role not in (Role.SALES_REP, Role.PARTNER):
        return None  # admins and managers change every record they can see
    owner = getattr(row, rule.column)
    if owner is None or owner == actor.id:
        return None
    partner = getattr(actor, "partner_account_id", None)
    if role == Role.PARTNER and partner is not None and getattr(row, "partner_id", None) == partner:
        return None  # a lead or deal assigned to their partner counts as theirs
    if (
        rule.granted
        and await m.OpportunityAccess.filter(opportunity_id=row.pk, user_id=actor.id).using_db(conn).exists()
    ):
        return None
    return NOT_OWNER


def ensure_may_assign(actor: Actor, row: Model, path: Path) -> None:
    """FORBIDDEN unless ``actor`` may assign the (writable) ``row``: DOMAIN.md 8, "assigning
    and unassigning is for admins, managers and the record's owner". Being on an
    opportunity's access list lets a user work on the deal, not change its owner or list."""
    role = getattr(actor, "role", None)
    if role in (Role.ADMIN, Role.MANAGER):
        return
    if getattr(row, "owner_id", None) != getattr(actor, "id", None):
        raise Forbidden("Only admins, managers and the record's owner may change its owner or access list.", path)


async def ensure_may_write(conn: BaseDBAsyncClient | None, actor: Actor, row: Model, path: Path) -> None:
    """FORBIDDEN unless ``actor`` may change the (visible) ``row``: role, then ownership."""
    reason = await _refusal(conn, actor, row)
    if reason is not None:
        raise Forbidden(reason, path)


async def may_write(conn: BaseDBAsyncClient | None, actor: Actor, row: Model) -> bool:
    return await _refusal(conn, actor, row) is None


async def load_for_write(
    conn: BaseDBAsyncClient | None,
    actor: Actor,
    model: type[M],
    pk: int,
    path: Path = ("input", "id"),
    *,
    include_deleted: bool = False,
) -> M:
    """The row a mutation is about to change: NOT_FOUND when missing or hidden, FORBIDDEN when
    the actor's role or ownership does not allow the change. The only way services load a
    write target (``include_deleted`` for restore and purge)."""
    row = await scoped(model, actor, conn, include_deleted=include_deleted).filter(id=pk).first()
    if row is None:
        raise NotFound(f"No {model.__name__} with this id.", path)
    await ensure_may_write(conn, actor, row, path)
    return row


# --- fail closed -----------------------------------------------------------------------------


def missing_rules(models: Iterable[type[Model]]) -> list[str]:
    """Names of ``models`` lacking a visibility or a write rule."""
    return sorted(
        model.__name__
        for model in models
        if (model not in INTERNAL and (model not in RULES or model not in PARTNER_RULES)) or model not in WRITE_RULES
    )


def check_complete(models: Iterable[type[Model]]) -> None:
    """Raise unless every one of ``models`` has a visibility and a write rule."""
    missing = missing_rules(models)
    if missing:
        raise LookupError(f"No access rule for {', '.join(missing)}: add them to services.access.")


check_complete(m.__models__)
