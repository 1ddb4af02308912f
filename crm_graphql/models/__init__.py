"""Tortoise models, one module per aggregate; this module is the Tortoise app."""

from crm_graphql.models.accounts import Account, AccountRelation, Contact
from crm_graphql.models.activity import Activity, IdempotencyKey, LineageLink, Sequence, TimelineEvent
from crm_graphql.models.campaigns import Campaign
from crm_graphql.models.catalog import (
    Bundle,
    BundleItem,
    BundlePrice,
    ExchangeRate,
    Pricebook,
    PricebookEntry,
    Product,
)
from crm_graphql.models.contracts import Contract
from crm_graphql.models.documents import Document, DocumentFile, DocumentTemplate
from crm_graphql.models.leads import Lead
from crm_graphql.models.orders import Invoice, InvoiceItem, SalesOrder, SalesOrderItem
from crm_graphql.models.persisted import PersistedQuery
from crm_graphql.models.pipeline import (
    Opportunity,
    OpportunityAccess,
    OpportunityContactRole,
    OpportunityItem,
    Pipeline,
    Stage,
)
from crm_graphql.models.quotes import Quote, QuoteItem
from crm_graphql.models.splits import LeadShare, LeadSplitRule, RevenueSplit
from crm_graphql.models.users import ApiToken, User

__models__ = [
    Account,
    AccountRelation,
    Activity,
    ApiToken,
    Bundle,
    BundleItem,
    BundlePrice,
    Campaign,
    Contact,
    Contract,
    Document,
    DocumentFile,
    DocumentTemplate,
    ExchangeRate,
    IdempotencyKey,
    Invoice,
    InvoiceItem,
    Lead,
    LeadShare,
    LeadSplitRule,
    RevenueSplit,
    LineageLink,
    Opportunity,
    OpportunityAccess,
    OpportunityContactRole,
    OpportunityItem,
    PersistedQuery,
    Pipeline,
    Pricebook,
    PricebookEntry,
    Product,
    Quote,
    QuoteItem,
    SalesOrder,
    SalesOrderItem,
    Sequence,
    Stage,
    TimelineEvent,
    User,
]

__all__ = [
    "Account",
    "AccountRelation",
    "Activity",
    "ApiToken",
    "Bundle",
    "BundleItem",
    "BundlePrice",
    "Campaign",
    "Contact",
    "Contract",
    "Document",
    "DocumentFile",
    "DocumentTemplate",
    "ExchangeRate",
    "IdempotencyKey",
    "Invoice",
    "InvoiceItem",
    "Lead",
    "LeadShare",
    "LeadSplitRule",
    "LineageLink",
    "Opportunity",
    "OpportunityAccess",
    "OpportunityContactRole",
    "OpportunityItem",
    "PersistedQuery",
    "Pipeline",
    "Pricebook",
    "PricebookEntry",
    "Product",
    "Quote",
    "QuoteItem",
    "RevenueSplit",
    "SalesOrder",
    "SalesOrderItem",
    "Sequence",
    "Stage",
    "TimelineEvent",
    "User",
]
