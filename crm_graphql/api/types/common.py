"""Field builders shared by every type module, and the shared interfaces.

Resolvers receive ORM rows as ``root``: plain attributes resolve synchronously through
strawberry's default resolver; relations go through the request's DataLoaders; lists are
keyset connections built by ``list_field``.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Optional

import strawberry
from strawberry.dataloader import DataLoader
from tortoise.models import Model

import crm_graphql.api.enums
import crm_graphql.api.specs  # noqa: F401 - builds the filter and order inputs
from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.api.connection import Connection, Page, paginate
from crm_graphql.api.context import Info
from crm_graphql.api.filters import DELETED, SPECS, asks_for_deleted, to_q
from crm_graphql.api.relay import MODELS, Node, register, resolve_model_type
from crm_graphql.services import loaders

#: GraphQL type name -> module defining its ``<Name>Type`` class.
TYPE_MODULES = {
    "Account": "accounts", "AccountRelation": "accounts", "Contact": "accounts", "Lead": "leads", "Pipeline": "pipeline", "Stage": "pipeline",
    "Opportunity": "pipeline", "OpportunityItem": "pipeline", "OpportunityContactRole": "pipeline", "Product": "catalog",
    "Pricebook": "catalog", "PricebookEntry": "catalog", "Bundle": "catalog",
    "BundleItem": "catalog", "BundlePrice": "catalog", "ExchangeRate": "catalog",
    "Quote": "quotes", "QuoteItem": "quotes", "SalesOrder": "orders", "SalesOrderItem": "orders",
    "Invoice": "orders", "InvoiceItem": "orders", "Contract": "contracts", "Activity": "activity",
    "TimelineEvent": "activity", "User": "users", "Document": "documents", "DocumentTemplate": "documents",
    "Campaign": "campaigns",
    "LeadSplitRule": "splits",
}  # fmt: skip

for _name in TYPE_MODULES:
    register(getattr(m, _name), _name)


def lazy(type_name: str) -> Any:
    module = f"crm_graphql.api.types.{TYPE_MODULES[type_name]}"
    return Annotated[f"{type_name}Type", strawberry.lazy(module)]


def lazy_list(type_name: str) -> Any:
    """``list[lazy(type_name)]``, as a field's ``graphql_type`` (spelled so mypy reads it as a value)."""
    return types.GenericAlias(list, (lazy(type_name),))


_PAGE_ARGS = {
    "first": Annotated[Optional[int], strawberry.argument(description="Page size from the start (default 20, at most 100).")],
    "after": Annotated[Optional[str], strawberry.argument(description="Cursor to start after.")],
    "last": Annotated[Optional[int], strawberry.argument(description="Page size from the end (at most 100).")],
    "before": Annotated[Optional[str], strawberry.argument(description="Cursor to end before.")],
}  # fmt: skip


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(p.title() for p in rest)


def _order_doc(spec_name: str) -> str:
    """The ``orderBy`` argument, with the order a list has without it (the spec's default)."""
    keys = [f"`{_camel(c)}` {'descending' if d else 'ascending'}" for c, d in SPECS[spec_name].default_order]
    if not any(k.startswith("`id`") for k in keys):
        keys.append("`id` ascending")
    return f"Sort keys, in order; the id breaks ties. Without it: {', then '.join(keys)}."


def _filter_doc(spec_name: str, top_level: bool) -> str:
    doc = "Conditions rows must meet; omitted, every row you may see."
    if top_level and DELETED in {f.name for f in SPECS[spec_name].fields}:
        doc += " Soft-deleted rows are left out unless the filter names `isDeleted` (the trash)."
    return doc


def _list_annotations(spec_name: str, top_level: bool) -> dict[str, Any]:
    spec = SPECS[spec_name]
    return {
        "info": Info,
        **_PAGE_ARGS,
        "filter": Annotated[
            Optional[spec.filter_input], strawberry.argument(description=_filter_doc(spec_name, top_level))
        ],
        "order_by": Annotated[
            Optional[list[spec.order_input]],  # type: ignore[name-defined]  # an input built at run time
            strawberry.argument(description=_order_doc(spec_name)),
        ],
        "return": Connection[lazy(spec_name)],  # type: ignore[misc]  # a lazy type, computed per list
    }


def list_field(spec_name: str, *, fk: str | None = None, description: str, name: str | None = None) -> Any:
    """A connection of ``spec_name`` rows: the whole (visible) table, or the rows whose
    ``fk`` points at the parent row (batched across parents by one DataLoader)."""
    spec = SPECS[spec_name]

    if fk is None:

        async def resolver(
            info: Info,
            first: Any = None,
            after: Any = None,
            last: Any = None,
            before: Any = None,
            filter: Any = None,
            order_by: Any = None,
        ) -> Any:
            page = Page.from_args(first, after, last, before)
            user = info.context.user
            where = to_q(spec_name, filter, user)
            qs = loaders.matching(user, spec.model, where, include_deleted=asks_for_deleted(filter))
            return await paginate(qs, spec_name, page, order_by)

        resolver.__annotations__ = _list_annotations(spec_name, top_level=True)
        return strawberry.field(
            resolver=resolver, description=description, name=name, metadata={"read": ("list", spec_name, None)}
        )

    async def child_resolver(
        root: Any,
        info: Info,
        first: Any = None,
        after: Any = None,
        last: Any = None,
        before: Any = None,
        filter: Any = None,
        order_by: Any = None,
    ) -> Any:
        page = Page.from_args(first, after, last, before)
        return await info.context.children(spec_name, fk, page, filter, order_by).load(root.id)

    child_resolver.__annotations__ = {"root": Any, **_list_annotations(spec_name, top_level=False)}
    return strawberry.field(
        resolver=child_resolver, description=description, name=name, metadata={"read": ("list", spec_name, fk)}
    )


def ref_field(type_name: str, attr: str, *, description: str, required: bool = False) -> Any:
    """A to-one relation through the foreign key column ``attr`` (``account_id``)."""
    model: type[Model] = MODELS[type_name]

    async def resolver(root: Any, info: Info) -> Any:
        return await info.context.load(model, getattr(root, attr))

    target = lazy(type_name)
    resolver.__annotations__ = {"root": Any, "info": Info, "return": target if required else Optional[target]}
    return strawberry.field(resolver=resolver, description=description, metadata={"fast_ref": (model, attr)})


def child_ref_field(type_name: str, fk: str, where: dict[str, Any], *, description: str) -> Any:
    """The one visible ``type_name`` row whose ``fk`` points at the parent and that
    matches ``where`` (``Opportunity.activeQuote``), batched across parents."""
    model: type[Model] = MODELS[type_name]
    key = ("child_ref", type_name, fk, tuple(sorted(where.items())))

    async def resolver(root: Any, info: Info) -> Any:
        ctx = info.context
        loader = ctx._loaders.get(key)
        if loader is None:
            user = ctx.user

            async def load(ids: Any) -> list[Any]:
                rows = await loaders.children_where(user, model, fk, where, ids)
                found = {getattr(r, fk): r for r in rows}
                return [found.get(i) for i in ids]

            loader = ctx._loaders[key] = DataLoader(load_fn=load)
        return await loader.load(root.id)

    resolver.__annotations__ = {"root": Any, "info": Info, "return": Optional[lazy(type_name)]}
    return strawberry.field(
        resolver=resolver, description=description, metadata={"child_ref": (model, fk, tuple(sorted(where.items())))}
    )


def _decimal_field(
    attr: str, description: str, nullable: bool, shape: Callable[[Decimal, Any], Decimal], *, currency: bool = True
) -> Any:
    """``metadata``: ``fast`` (the resolver, applied to rows by the compiled read path too) and
    the ``columns`` it reads."""

    def resolver(root: Any) -> Any:
        value = getattr(root, attr)
        return None if value is None else shape(value, root)

    resolver.__annotations__ = {"root": Any, "return": Optional[Decimal] if nullable else Decimal}
    columns = (attr, "currency") if currency else (attr,)
    return strawberry.field(resolver=resolver, description=description, metadata={"fast": resolver, "columns": columns})


def amount_field(attr: str, description: str, *, nullable: bool = False) -> Any:
    """A total in the row's currency, rounded to its minor units ("100.00")."""
    return _decimal_field(attr, description, nullable, lambda v, row: money.round_money(v, row.currency))


def price_field(attr: str, description: str, *, nullable: bool = False) -> Any:
    """A unit price: the currency's places, up to four ("12.50", "0.1234")."""
    return _decimal_field(attr, description, nullable, lambda v, row: Decimal(money.format_price(v, row.currency)))


def number_field(attr: str, description: str, *, nullable: bool = False, places: int = money.STORAGE_PLACES) -> Any:
    """A quantity, weight, percent or rate, without trailing zeros ("2", "7.5")."""
    return _decimal_field(
        attr, description, nullable, lambda v, _row: Decimal(money.plain(v, max_places=places)), currency=False
    )


def is_deleted(root: Any) -> bool:
    return getattr(root, "deleted_at", None) is not None


@strawberry.interface(description="Fields every record has: version and timestamps.")
class Entity(Node):
    version: int = strawberry.field(description="Incremented by every write; pass it to updates to detect conflicts.")
    created_at: dt.datetime = strawberry.field(description="When the record was created.")
    updated_at: dt.datetime = strawberry.field(description="When the record last changed.")

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str | None:
        return resolve_model_type(obj)


@strawberry.interface(description="A priced line of an opportunity, quote, sales order or invoice.")
class LineItem(Entity):
    position: int = strawberry.field(description="Order of the line in its document, from 0.")
    name: str = strawberry.field(description="What the line sells.")
    description: str | None = strawberry.field(description="Longer text for the document.")
    unit: str = strawberry.field(description="Unit of measure (pcs, h, month...).")
    source: e.LineItemSource = strawberry.field(description="Where the price came from.")
    currency: str = strawberry.field(description="ISO 4217 code of the document's currency.")
    quantity = number_field("quantity", "Quantity, up to four decimals, > 0.")
    unit_price = price_field("unit_price", "Price per unit, up to four decimals.")
    discount_percent = number_field("discount_percent", "Line discount in percent (0-100).")
    tax_rate = number_field("tax_rate", "Tax rate in percent; 0 by default.")
    line_total = amount_field(
        "line_total", "quantity x unitPrice x (1 - discount/100), rounded half-up to the currency's minor units."
    )
    product = ref_field(
        "Product", "product_id", description="The product sold, if any (a deleted product shows isDeleted)."
    )

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str | None:
        return resolve_model_type(obj)


@strawberry.interface(description="A quote, sales order or invoice: a numbered document with totals.")
class SalesDocument(Entity):
    number: str = strawberry.field(description="Human-readable sequential number.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    discount_percent = number_field("discount_percent", "The document discount, in percent.")
    subtotal = amount_field("subtotal", "Sum of the line totals.")
    discount_total = amount_field("discount_total", "subtotal x documentDiscount, rounded.")
    net_total = amount_field(
        "net_total",
        "subtotal - discountTotal (before tax, rounding left out): what opportunities, contracts and reports use.",
    )
    tax_total = amount_field("tax_total", "Sum of the line taxes, on the discounted base.")
    rounding_total = amount_field(
        "rounding_total",
        "The rounding line (roundQuoteTotal), reported apart: it is no revenue, so neither subtotal nor netTotal "
        "includes it. 0 without one.",
    )
    total = amount_field("total", "subtotal - discountTotal + taxTotal + roundingTotal.")
    account = ref_field("Account", "account_id", description="The customer.", required=True)

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str | None:
        return resolve_model_type(obj)
