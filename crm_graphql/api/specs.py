"""What every list can be filtered and sorted by: one spec per entity.

``build_inputs`` turns each spec into ``XFilter``, ``XListFilter``, ``XOrderField`` and
``XOrder``; ``filters.to_q`` turns a filter into SQL conditions.
"""

from __future__ import annotations

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.filters import FilterField, FilterSpec, Kind, Scalar, ToMany, ToOne, build_inputs

S, D, I, B = Kind.STRING, Kind.DECIMAL, Kind.INT, Kind.BOOL  # noqa: E741


def _id(target: str, column: str = "id") -> Scalar:
    return Scalar("id", Kind.ID, column=column, target=target)


def _stamps() -> list[Scalar]:
    return [
        Scalar("created_at", Kind.DATETIME, description="When the record was created."),
        Scalar("updated_at", Kind.DATETIME, description="When the record last changed."),
    ]


def _line_fields(target: str) -> list[FilterField]:
    return [
        _id(target),
        Scalar("name", S),
        Scalar("quantity", D),
        Scalar("unit_price", D),
        Scalar("line_total", D),
        Scalar("source", Kind.ENUM, enum=e.LineItemSource),
        ToOne("product", "Product"),
    ]


def _totals() -> list[Scalar]:
    return [
        Scalar(n, D) for n in ("subtotal", "discount_total", "net_total", "tax_total", "rounding_total", "total")
    ] + [Scalar("currency", S)]


_LINE_ORDER = {"POSITION": "position", "NAME": "name", "LINE_TOTAL": "line_total"}
_STAMP_ORDER = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}

SPEC_LIST = [
    FilterSpec(
        "User",
        m.User,
        [
            _id("User"),
            Scalar("email", S),
            Scalar("name", S),
            Scalar("role", Kind.ENUM, enum=e.Role),
            Scalar("is_active", B),
            ToOne("partner_account", "Account", description="A PARTNER user's partner account."),
        ],
        order={"NAME": "name", "EMAIL": "email", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Account",
        m.Account,
        [
            _id("Account"),
            Scalar("name", S),
            Scalar("type", Kind.ENUM, enum=e.AccountType),
            Scalar("email", S),
            Scalar("phone", S),
            Scalar("city", S),
            Scalar("country", S),
            Scalar("postal_code", S),
            Scalar("industry", S),
            Scalar("vat_number", S),
            Scalar("registration_number", S),
            Scalar("is_private", B),
            Scalar("is_partner", B),
            *_stamps(),
            ToOne("owner", "User"),
            ToOne("parent", "Account", description="The parent account."),
            ToMany("children", "Account", "parent_id", description="Sub-accounts."),
            ToMany("contacts", "Contact", "account_id"),
            ToMany("opportunities", "Opportunity", "account_id"),
            ToMany("quotes", "Quote", "account_id"),
            ToMany("sales_orders", "SalesOrder", "account_id"),
            ToMany("invoices", "Invoice", "account_id"),
            ToMany("contracts", "Contract", "account_id"),
        ],
        order={"NAME": "name", "CITY": "city", "COUNTRY": "country", "INDUSTRY": "industry", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Contact",
        m.Contact,
        [
            _id("Contact"),
            Scalar("first_name", S),
            Scalar("last_name", S),
            Scalar("email", S),
            Scalar("phone", S),
            Scalar("title", S),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("owner", "User"),
            ToMany("opportunities", "Opportunity", "contact_id"),
        ],
        order={"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "EMAIL": "email", **_STAMP_ORDER},
        default_order=[("last_name", False), ("first_name", False)],
    ),
    FilterSpec(
        "Lead",
        m.Lead,
        [
            _id("Lead"),
            Scalar("first_name", S),
            Scalar("last_name", S),
            Scalar("company", S),
            Scalar("title", S),
            Scalar("email", S),
            Scalar("phone", S),
            Scalar("source", S),
            Scalar("status", Kind.ENUM, enum=e.LeadStatus),
            Scalar("is_archived", B),
            *_stamps(),
            ToOne("owner", "User"),
            ToOne("partner", "Account", description="The partner account it is assigned to."),
            ToOne("campaign", "Campaign", description="The campaign it came from."),
        ],
        order={"LAST_NAME": "last_name", "COMPANY": "company", "STATUS": "status", **_STAMP_ORDER},
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "LeadSplitRule",
        m.LeadSplitRule,
        [_id("LeadSplitRule"), Scalar("name", S), Scalar("is_active", B), *_stamps()],
        order={"NAME": "name", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Pipeline",
        m.Pipeline,
        [_id("Pipeline"), Scalar("name", S), Scalar("is_default", B), *_stamps()],
        order={"NAME": "name", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Campaign",
        m.Campaign,
        [
            _id("Campaign"),
            Scalar("name", S),
            Scalar("type", S),
            Scalar("status", Kind.ENUM, enum=e.CampaignStatus),
            Scalar("start_date", Kind.DATE),
            Scalar("end_date", Kind.DATE),
            Scalar("budget", D),
            Scalar("currency", S),
            *_stamps(),
            ToMany("leads", "Lead", "campaign_id"),
            ToMany("opportunities", "Opportunity", "campaign_id"),
        ],
        order={
            "NAME": "name",
            "START_DATE": "start_date",
            "END_DATE": "end_date",
            "BUDGET": "budget",
            "STATUS": "status",
            **_STAMP_ORDER,
        },
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "Stage",
        m.Stage,
        [
            _id("Stage"),
            Scalar("name", S),
            Scalar("kind", Kind.ENUM, enum=e.StageKind),
            Scalar("probability", I),
            Scalar("position", I),
            ToOne("pipeline", "Pipeline"),
        ],
        order={"POSITION": "position", "NAME": "name"},
        default_order=[("position", False)],
    ),
    FilterSpec(
        "Opportunity",
        m.Opportunity,
        [
            _id("Opportunity"),
            Scalar("title", S),
            Scalar("amount", D),
            Scalar("expected_revenue", D),
            Scalar("probability", I),
            Scalar("currency", S),
            Scalar("close_date", Kind.DATE),
            Scalar("closed_at", Kind.DATETIME),
            Scalar("status", Kind.ENUM, enum=e.OpportunityStatus),
            Scalar("amount_source", Kind.ENUM, enum=e.AmountSource),
            Scalar("source", S),
            Scalar("is_restricted", B),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("contact", "Contact"),
            ToOne("owner", "User"),
            ToOne("stage", "Stage"),
            ToOne("pipeline", "Pipeline", description="The pipeline (sales process) the deal is in."),
            ToOne("partner", "Account", description="The partner account it is assigned to."),
            ToOne("pricebook", "Pricebook"),
            ToOne("campaign", "Campaign", description="The campaign it came from."),
            ToMany("quotes", "Quote", "opportunity_id"),
            ToMany("items", "OpportunityItem", "opportunity_id"),
            ToMany("contracts", "Contract", "opportunity_id"),
        ],
        order={
            "TITLE": "title",
            "AMOUNT": "amount",
            "EXPECTED_REVENUE": "expected_revenue",
            "PROBABILITY": "probability",
            "CLOSE_DATE": "close_date",
            "CLOSED_AT": "closed_at",
            **_STAMP_ORDER,
        },
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "OpportunityItem",
        m.OpportunityItem,
        _line_fields("OpportunityItem"),
        order=_LINE_ORDER,
        default_order=[("position", False)],
    ),
    FilterSpec(
        "Product",
        m.Product,
        [
            _id("Product"),
            Scalar("name", S),
            Scalar("code", S),
            Scalar("kind", Kind.ENUM, enum=e.ProductKind),
            Scalar("is_active", B),
            Scalar("term_months", I),
            *_stamps(),
            ToMany("prices", "PricebookEntry", "product_id"),
        ],
        order={"NAME": "name", "CODE": "code", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Pricebook",
        m.Pricebook,
        [
            _id("Pricebook"),
            Scalar("name", S),
            Scalar("is_active", B),
            Scalar("version_label", S),
            *_stamps(),
            ToOne("supersedes", "Pricebook"),
            ToMany("entries", "PricebookEntry", "pricebook_id"),
            ToMany("bundles", "Bundle", "pricebook_id"),
        ],
        order={"NAME": "name", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "PricebookEntry",
        m.PricebookEntry,
        [
            _id("PricebookEntry"),
            Scalar("currency", S),
            Scalar("unit", S),
            Scalar("unit_price", D),
            Scalar("is_active", B),
            ToOne("product", "Product"),
            ToOne("pricebook", "Pricebook"),
        ],
        order={"UNIT_PRICE": "unit_price", "CURRENCY": "currency", **_STAMP_ORDER},
    ),
    FilterSpec(
        "Bundle",
        m.Bundle,
        [
            _id("Bundle"),
            Scalar("name", S),
            Scalar("code", S),
            Scalar("is_active", B),
            *_stamps(),
            ToOne("pricebook", "Pricebook"),
            ToMany("items", "BundleItem", "bundle_id"),
        ],
        order={"NAME": "name", "CODE": "code", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "BundleItem",
        m.BundleItem,
        [
            _id("BundleItem"),
            Scalar("quantity", D),
            Scalar("weight", D),
            ToOne("product", "Product"),
        ],
        order={"POSITION": "position"},
        default_order=[("position", False)],
    ),
    FilterSpec(
        "BundlePrice",
        m.BundlePrice,
        [_id("BundlePrice"), Scalar("currency", S), Scalar("price", D)],
        order={"CURRENCY": "currency"},
        default_order=[("currency", False)],
    ),
    FilterSpec(
        "Quote",
        m.Quote,
        [
            _id("Quote"),
            Scalar("number", S),
            Scalar("revision", I),
            Scalar("name", S),
            Scalar("status", Kind.ENUM, enum=e.QuoteStatus),
            Scalar("is_active", B),
            Scalar("valid_from", Kind.DATE),
            Scalar("valid_until", Kind.DATE),
            *_totals(),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("contact", "Contact"),
            ToOne("opportunity", "Opportunity"),
            ToOne("pricebook", "Pricebook"),
            ToOne("owner", "User"),
            ToMany("items", "QuoteItem", "quote_id"),
        ],
        order={"NUMBER": "number", "TOTAL": "total", "VALID_UNTIL": "valid_until", **_STAMP_ORDER},
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "QuoteItem",
        m.QuoteItem,
        [*_line_fields("QuoteItem"), ToOne("bundle", "Bundle")],
        order=_LINE_ORDER,
        default_order=[("position", False)],
    ),
    FilterSpec(
        "SalesOrder",
        m.SalesOrder,
        [
            _id("SalesOrder"),
            Scalar("number", S),
            Scalar("status", Kind.ENUM, enum=e.SalesOrderStatus),
            *_totals(),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("opportunity", "Opportunity"),
            ToOne("quote", "Quote"),
            ToMany("items", "SalesOrderItem", "sales_order_id"),
        ],
        order={"NUMBER": "number", "TOTAL": "total", **_STAMP_ORDER},
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "SalesOrderItem",
        m.SalesOrderItem,
        _line_fields("SalesOrderItem"),
        order=_LINE_ORDER,
        default_order=[("position", False)],
    ),
    FilterSpec(
        "Invoice",
        m.Invoice,
        [
            _id("Invoice"),
            Scalar("number", S),
            Scalar("status", Kind.ENUM, enum=e.InvoiceStatus),
            Scalar("due_date", Kind.DATE),
            *_totals(),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("opportunity", "Opportunity"),
            ToOne("quote", "Quote"),
            ToOne("sales_order", "SalesOrder"),
            ToMany("items", "InvoiceItem", "invoice_id"),
        ],
        order={"NUMBER": "number", "TOTAL": "total", "DUE_DATE": "due_date", **_STAMP_ORDER},
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "InvoiceItem",
        m.InvoiceItem,
        _line_fields("InvoiceItem"),
        order=_LINE_ORDER,
        default_order=[("position", False)],
    ),
    FilterSpec(
        "Contract",
        m.Contract,
        [
            _id("Contract"),
            Scalar("number", S),
            Scalar("name", S),
            Scalar("kind", Kind.ENUM, enum=e.ContractKind),
            Scalar("status", Kind.ENUM, enum=e.ContractStatus),
            Scalar("start_date", Kind.DATE),
            Scalar("end_date", Kind.DATE),
            Scalar("value", D),
            Scalar("currency", S),
            *_stamps(),
            ToOne("account", "Account"),
            ToOne("opportunity", "Opportunity"),
            ToOne("product", "Product"),
        ],
        order={
            "NUMBER": "number",
            "START_DATE": "start_date",
            "END_DATE": "end_date",
            "VALUE": "value",
            **_STAMP_ORDER,
        },
        default_order=[("created_at", True)],
    ),
    FilterSpec(
        "Activity",
        m.Activity,
        [
            _id("Activity"),
            Scalar("type", Kind.ENUM, enum=e.ActivityType),
            Scalar("subject", S),
            Scalar("is_done", B),
            Scalar("due_at", Kind.DATETIME),
            Scalar("done_at", Kind.DATETIME),
            *_stamps(),
            ToOne("assignee", "User"),
            ToOne("account", "Account"),
            ToOne("opportunity", "Opportunity"),
            ToOne("lead", "Lead"),
            ToOne("contact", "Contact"),
            ToOne("quote", "Quote"),
        ],
        order={"DUE_AT": "due_at", "SUBJECT": "subject", **_STAMP_ORDER},
        default_order=[("due_at", False)],
    ),
    FilterSpec(
        "TimelineEvent",
        m.TimelineEvent,
        [
            _id("TimelineEvent"),
            Scalar("kind", S),
            Scalar("subject_type", S),
            *_stamps(),
            ToOne("actor", "User"),
        ],
        order={"CREATED_AT": "created_at"},
        default_order=[("created_at", True), ("id", True)],
    ),
    FilterSpec(
        "ExchangeRate",
        m.ExchangeRate,
        [_id("ExchangeRate"), Scalar("currency", S), *_stamps()],
        order={"CURRENCY": "currency"},
        default_order=[("currency", False)],
    ),
    FilterSpec(
        "DocumentTemplate",
        m.DocumentTemplate,
        [_id("DocumentTemplate"), Scalar("name", S), *_stamps()],
        order={"NAME": "name", **_STAMP_ORDER},
        default_order=[("name", False)],
    ),
    FilterSpec(
        "Document",
        m.Document,
        [
            _id("Document"),
            Scalar("name", S),
            Scalar("content_type", S),
            *_stamps(),
            ToOne("quote", "Quote"),
            ToOne("opportunity", "Opportunity"),
        ],
        order={"NAME": "name", **_STAMP_ORDER},
        default_order=[("created_at", True)],
    ),
]

for _spec in SPEC_LIST:
    if "deleted_at" in _spec.model._meta.fields_map:
        _spec.fields.append(
            Scalar(
                "is_deleted",
                B,
                description="Soft-deleted (the trash): `{eq: true}` on a top-level list shows deleted records you "
                "may see, to restore them; without it lists show live records only.",
            )
        )
    build_inputs(_spec)
