"""Writable fields of every entity (plain CRUD), with the domain hooks that apply to them."""

from __future__ import annotations

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.services import campaigns, catalog_rules, documents, pipeline_rules, quote_rules
from crm_graphql.services.crud import EntityRules as E
from crm_graphql.services.crud import Hooks, K, Rule, register


def _s(
    name: str,
    *,
    required: bool = False,
    unique: bool = False,
    description: str | None = None,
    default: str | None = None,
) -> Rule:
    return Rule(name, K.STR, required=required, unique=unique, description=description, default=default)


def _ref(
    name: str,
    target: type,
    *,
    required: bool = False,
    create_only: bool = False,
    gated: bool = False,
    description: str | None = None,
    default: str | None = None,
) -> Rule:
    return Rule(
        f"{name}_id",
        K.REF,
        target=target,
        required=required,
        create_only=create_only,
        gated=gated,
        description=description,
        default=default,
    )


#: Defaults that create hooks fill in (pipeline_rules, quote_rules, campaigns).
_YOU = "you (the caller)."
_BASE = "the base currency (EUR unless configured)."


ACCOUNT = register(
    E(
        m.Account,
        [
            Rule("type", K.ENUM, enum=e.AccountType),
            _s(
                "name",
                description="Company or display name.",
                default="the first and last name joined, making it a PERSON account (with another type, or neither name, it is REQUIRED).",
            ),
            _s("first_name", description="A PERSON account's first name."),
            _s("last_name", description="A PERSON account's last name."),
            Rule("email", K.EMAIL),
            _s("phone"),
            _s("street"),
            _s("city"),
            _s("postal_code"),
            _s("country"),
            _s("registration_number"),
            _s("vat_number"),
            _s("industry"),
            _s("website"),
            Rule(
                "is_private",
                K.BOOL,
                description="Visible to its owner alone, with everything under it (admins included).",
            ),
            Rule(
                "is_partner",
                K.BOOL,
                description="A partner company: PARTNER users belong to it and deals are assigned to it.",
            ),
            _ref("owner", m.User, default=_YOU),
            _ref("parent", m.Account, description="The parent account (this one becomes its sub-account)."),
        ],
        Hooks(
            before_create=pipeline_rules.account_before_create,
            before_update=pipeline_rules.account_before_update,
            cascade=[(m.Contact, "account_id"), (m.Opportunity, "account_id"), (m.Quote, "account_id")],
        ),
    )
)

CONTACT = register(
    E(
        m.Contact,
        [
            _s("first_name"),
            _s("last_name", required=True),
            Rule("email", K.EMAIL),
            _s("phone"),
            _s("title"),
            _ref("account", m.Account, description="The employer."),
            _ref("owner", m.User, default=_YOU),
        ],
        Hooks(before_create=pipeline_rules.default_owner),
    )
)

LEAD = register(
    E(
        m.Lead,
        [
            _s("first_name"),
            _s("last_name", required=True),
            _s("company"),
            _s("title"),
            Rule("email", K.EMAIL),
            _s("phone"),
            _s("source"),
            Rule("description", K.TEXT),
            Rule(
                "status",
                K.ENUM,
                enum=e.LeadStatus,
                description="QUALIFIED and DISQUALIFIED are set by qualifyLead and disqualifyLead only.",
            ),
            _ref("owner", m.User, default=_YOU),
            _ref("campaign", m.Campaign, description="The campaign it came from."),
        ],
        Hooks(
            before_create=pipeline_rules.lead_before_create,
            before_update=pipeline_rules.lead_before_update,
            before_delete=pipeline_rules.lead_before_delete,
        ),
    )
)

PIPELINE = register(
    E(
        m.Pipeline,
        [
            _s("name", required=True, unique=True),
            Rule(
                "is_default",
                K.BOOL,
                description="The pipeline new opportunities and `stages` use; setting it takes the flag from the previous default, which cannot be switched off by itself.",
            ),
        ],
        Hooks(
            before_create=pipeline_rules.pipeline_before_create,
            after_create=pipeline_rules.pipeline_after_create,
            before_update=pipeline_rules.pipeline_before_update,
        ),
    )
)

STAGE = register(
    E(
        m.Stage,
        [
            _ref("pipeline", m.Pipeline, create_only=True, default="the default pipeline."),
            _s("name", required=True),
            Rule(
                "probability", K.PROBABILITY, description="Win probability an opportunity takes on entering the stage."
            ),
            Rule(
                "position",
                K.INT,
                description="1-based place among the open stages; the others shift, WON and LOST stay last.",
                default="after the last open stage.",
            ),
            Rule(
                "is_default",
                K.BOOL,
                description="The open stage new opportunities of its pipeline start in; setting it unsets the previous one.",
            ),
        ],
        Hooks(
            before_create=pipeline_rules.stage_before_create,
            before_update=pipeline_rules.stage_before_update,
            before_delete=pipeline_rules.stage_before_delete,
        ),
    )
)

OPPORTUNITY = register(
    E(
        m.Opportunity,
        [
            _s("title", required=True),
            _ref("account", m.Account, required=True),
            _ref("contact", m.Contact),
            _ref("owner", m.User, default=_YOU),
            _ref(
                "stage",
                m.Stage,
                description="The pipeline stage; a new opportunity starts in an open one (else INVALID_TRANSITION).",
                default="the default stage of the pipeline.",
            ),
            _ref(
                "pipeline",
                m.Pipeline,
                create_only=True,
                description="Must be the stage's pipeline.",
                default="the stage's pipeline, else the default pipeline.",
            ),
            Rule(
                "probability",
                K.PROBABILITY,
                description="Win probability; a stage move resets it to the stage's.",
                default="the stage's probability.",
            ),
            Rule(
                "currency",
                K.CURRENCY,
                description="Changing it reprices price-book items and converts the rest.",
                default=_BASE,
            ),
            _ref("pricebook", m.Pricebook, description="The price book its items are priced from."),
            Rule(
                "manual_amount",
                K.AMOUNT,
                description="The budget entered by hand, in the deal's currency; `amount` uses it only without items or an active quote.",
            ),
            Rule("close_date", K.DATE, description="Expected close date."),
            _s("source", description="Lead source."),
            _s("competitors", description="Competitors in the deal."),
            Rule("description", K.TEXT, description="Notes."),
            Rule("is_restricted", K.BOOL, description="Visible only to its owner and the users granted access."),
            _ref("campaign", m.Campaign, description="The campaign it came from."),
        ],
        Hooks(
            before_create=pipeline_rules.opportunity_before_create,
            before_update=pipeline_rules.opportunity_before_update,
            after_update=pipeline_rules.opportunity_after_update,
            before_delete=pipeline_rules.opportunity_before_delete,
            cascade=[(m.Quote, "opportunity_id")],
        ),
    )
)

CAMPAIGN = register(
    E(
        m.Campaign,
        [
            _s("name", required=True),
            _s("type"),
            Rule("status", K.ENUM, enum=e.CampaignStatus),
            Rule("start_date", K.DATE),
            Rule("end_date", K.DATE, description="On or after startDate."),
            Rule(
                "budget",
                K.AMOUNT,
                description="In the campaign's currency, with at most its minor units; converted when only the currency changes.",
            ),
            Rule("currency", K.CURRENCY, default=_BASE),
            Rule("description", K.TEXT, description="Notes."),
        ],
        Hooks(before_create=campaigns.before_create, before_update=campaigns.before_update),
    )
)

PRODUCT = register(
    E(
        m.Product,
        [
            _s("name", required=True),
            _s("code", required=True, unique=True, description="The SKU."),
            Rule("description", K.TEXT, description="Longer text for documents."),
            Rule("is_active", K.BOOL),
            Rule("kind", K.ENUM, enum=e.ProductKind),
            Rule(
                "term_months",
                K.POSITIVE_INT,
                description="Contract term of a TIME_BASED product; a ONE_TIME product has none.",
            ),
            _s("default_unit", description="Unit of measure new items take (pcs, h, month...)."),
        ],
        Hooks(before_create=catalog_rules.product_check, before_update=catalog_rules.product_check_update),
    )
)

PRICEBOOK = register(
    E(
        m.Pricebook,
        [
            _s("name", required=True),
            Rule("description", K.TEXT, description="Notes."),
            Rule("is_active", K.BOOL),
            _s("version_label", description='Label of this version ("2027").'),
            _ref("supersedes", m.Pricebook, description="The earlier price book this version replaces."),
        ],
    )
)

PRICEBOOK_ENTRY = register(
    E(
        m.PricebookEntry,
        [
            _ref("pricebook", m.Pricebook, required=True, create_only=True),
            _ref("product", m.Product, required=True, create_only=True),
            Rule("currency", K.CURRENCY, required=True, create_only=True),
            _s("unit", description="Unit of measure; unique with price book, product and currency.", default="pcs."),
            Rule("unit_price", K.AMOUNT, required=True, description="Price per unit in the entry's currency."),
            Rule(
                "is_active",
                K.BOOL,
                description="Only active entries price new items; an entry in use is deactivated, not deleted.",
            ),
        ],
        Hooks(before_create=catalog_rules.entry_before_create, before_delete=catalog_rules.entry_before_delete),
    )
)

BUNDLE = register(
    E(
        m.Bundle,
        [
            _ref("pricebook", m.Pricebook, required=True, create_only=True),
            _s("name", required=True),
            _s("code", required=True, unique=True),
            Rule("description", K.TEXT, description="Notes."),
            Rule("is_active", K.BOOL),
        ],
    )
)

BUNDLE_ITEM = register(
    E(
        m.BundleItem,
        [
            _ref("bundle", m.Bundle, required=True, create_only=True),
            _ref("product", m.Product, required=True),
            Rule("quantity", K.QUANTITY, required=True),
            Rule(
                "weight",
                K.AMOUNT,
                description="Share of the bundle price this component carries, relative to the other weights.",
            ),
            Rule("position", K.INT, description="Order of the component in the bundle."),
        ],
        Hooks(before_create=catalog_rules.bundle_item_before_create),
    )
)

QUOTE = register(
    E(
        m.Quote,
        [
            _s("name", default="the opportunity's title, else the quote number."),
            _ref("account", m.Account, default="the opportunity's account (required without an opportunity)."),
            _ref("contact", m.Contact, default="the opportunity's contact."),
            _ref(
                "opportunity",
                m.Opportunity,
                create_only=True,
                gated=True,
                description="Its first quote becomes the active one.",
            ),
            _ref("pricebook", m.Pricebook, default="the opportunity's price book."),
            Rule(
                "currency",
                K.CURRENCY,
                create_only=True,
                description="Change it later with changeQuoteCurrency.",
                default="the opportunity's currency, else " + _BASE,
            ),
            Rule(
                "discount_percent",
                K.PERCENT,
                description="The document discount: reduces the subtotal and the tax base.",
            ),
            Rule("valid_from", K.DATE, description="First day of validity."),
            Rule("valid_until", K.DATE, description="Last day of validity."),
            Rule("description", K.TEXT, description="Notes."),
            _ref("owner", m.User, default=_YOU),
        ],
        Hooks(
            before_create=quote_rules.quote_before_create,
            after_create=quote_rules.quote_after_create,
            before_update=quote_rules.quote_before_update,
            after_update=quote_rules.quote_after_update,
            before_delete=quote_rules.quote_before_delete,
        ),
    )
)

ACTIVITY = register(
    E(
        m.Activity,
        [
            Rule("type", K.ENUM, enum=e.ActivityType, required=True),
            _s("subject", required=True),
            Rule("description", K.TEXT, description="Notes."),
            Rule("due_at", K.DATETIME, description="When it is due."),
            _ref("assignee", m.User, default=_YOU),
            _ref("lead", m.Lead),
            _ref("opportunity", m.Opportunity),
            _ref("account", m.Account),
            _ref("contact", m.Contact),
            _ref("quote", m.Quote),
        ],
        Hooks(before_create=pipeline_rules.activity_before_create, after_create=pipeline_rules.activity_after_create),
    )
)

USER = register(
    E(
        m.User,
        [
            Rule("email", K.EMAIL, required=True, unique=True),
            _s("name", required=True),
            Rule(
                "role",
                K.ENUM,
                enum=e.Role,
                description="What the user may do (DOMAIN.md 8); PARTNER needs partnerAccountId.",
            ),
            Rule("is_active", K.BOOL, description="An inactive user's API tokens stop working."),
            _ref(
                "partner_account",
                m.Account,
                description="The partner account a PARTNER user belongs to (only for that role).",
            ),
        ],
        Hooks(before_create=pipeline_rules.user_before_create, before_update=pipeline_rules.user_before_update),
    )
)

EXCHANGE_RATE = register(
    E(
        m.ExchangeRate,
        [
            Rule("currency", K.CURRENCY, required=True, unique=True, create_only=True),
            Rule("rate", K.RATE, required=True),
        ],
    )
)

DOCUMENT_TEMPLATE = register(
    E(
        m.DocumentTemplate,
        [
            _s("name", required=True),
            Rule("content_type", K.STR, description="Media type of the body (text/markdown, text/html, text/plain)."),
            Rule("body", K.TEXT, required=True, description="The template text with tokens; it cannot run code."),
        ],
        Hooks(before_create=documents.template_before_create, before_update=documents.template_before_update),
    )
)
