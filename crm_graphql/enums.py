"""Domain enums, stored by value and exposed through ``strawberry.enum`` in the API."""

from __future__ import annotations

import enum


class AccountType(enum.StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    OTHER = "OTHER"


class StageKind(enum.StrEnum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


class OpportunityStatus(enum.StrEnum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


class AmountSource(enum.StrEnum):
    QUOTE = "QUOTE"
    ITEMS = "ITEMS"
    MANUAL = "MANUAL"


class LeadStatus(enum.StrEnum):
    NEW = "NEW"
    WORKING = "WORKING"
    QUALIFIED = "QUALIFIED"
    DISQUALIFIED = "DISQUALIFIED"


class ProductKind(enum.StrEnum):
    ONE_TIME = "ONE_TIME"
    TIME_BASED = "TIME_BASED"


class QuoteStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class SalesOrderStatus(enum.StrEnum):
    CONFIRMED = "CONFIRMED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"


class InvoiceStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    ISSUED = "ISSUED"
    PAID = "PAID"
    VOID = "VOID"


class ContractKind(enum.StrEnum):
    ONE_TIME = "ONE_TIME"
    TIME_BASED = "TIME_BASED"


class ContractStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class ContactRoleKind(enum.StrEnum):
    """A contact's business role on a deal (DOMAIN.md 11)."""

    DECISION_MAKER = "DECISION_MAKER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    INFLUENCER = "INFLUENCER"
    TECHNICAL_EVALUATOR = "TECHNICAL_EVALUATOR"
    USER = "USER"
    OTHER = "OTHER"


class AccountRelationKind(enum.StrEnum):
    """What a related account is to an account (DOMAIN.md 11). SUPPLIER and CUSTOMER read the
    other way from the other side; the others are mutual."""

    PARTNER = "PARTNER"
    SUPPLIER = "SUPPLIER"
    CUSTOMER = "CUSTOMER"
    COMPETITOR = "COMPETITOR"
    AFFILIATE = "AFFILIATE"
    OTHER = "OTHER"

    @property
    def reverse(self) -> AccountRelationKind:
        """The kind seen from the related account's side."""
        return _REVERSE.get(self, self)


_REVERSE = {
    AccountRelationKind.SUPPLIER: AccountRelationKind.CUSTOMER,
    AccountRelationKind.CUSTOMER: AccountRelationKind.SUPPLIER,
}


class CampaignStatus(enum.StrEnum):
    """Where a marketing campaign stands (DOMAIN.md 11)."""

    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    ABORTED = "ABORTED"


class ActivityType(enum.StrEnum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    TASK = "TASK"
    NOTE = "NOTE"


class LineItemSource(enum.StrEnum):
    PRICEBOOK = "PRICEBOOK"
    MANUAL = "MANUAL"
    BUNDLE = "BUNDLE"
    ROUNDING = "ROUNDING"


class Role(enum.StrEnum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    SALES_REP = "SALES_REP"
    READ_ONLY = "READ_ONLY"
    #: Works only on the leads and deals assigned to their partner account (DOMAIN.md 8).
    PARTNER = "PARTNER"


class ConversionKind(enum.StrEnum):
    LEAD_TO_OPPORTUNITY = "LEAD_TO_OPPORTUNITY"
    LEAD_TO_ACCOUNT = "LEAD_TO_ACCOUNT"
    LEAD_TO_CONTACT = "LEAD_TO_CONTACT"
    OPPORTUNITY_TO_QUOTE = "OPPORTUNITY_TO_QUOTE"
    OPPORTUNITY_TO_INVOICE = "OPPORTUNITY_TO_INVOICE"
    QUOTE_TO_OPPORTUNITY = "QUOTE_TO_OPPORTUNITY"
    QUOTE_TO_ORDER = "QUOTE_TO_ORDER"
    QUOTE_TO_INVOICE = "QUOTE_TO_INVOICE"
    ORDER_TO_INVOICE = "ORDER_TO_INVOICE"
    OPPORTUNITY_TO_CONTRACT = "OPPORTUNITY_TO_CONTRACT"
    CONTRACT_TO_OPPORTUNITY = "CONTRACT_TO_OPPORTUNITY"
    QUOTE_DUPLICATE = "QUOTE_DUPLICATE"
    QUOTE_REVISION = "QUOTE_REVISION"


class DocumentFormat(enum.StrEnum):
    MARKDOWN = "MARKDOWN"
    HTML = "HTML"
    TEXT = "TEXT"
    PDF = "PDF"
