"""Expose the domain enums (crm_graphql.enums) as GraphQL enums."""

from __future__ import annotations

import strawberry

from crm_graphql import enums as e
from crm_graphql.errors import ErrorCode

_DESCRIPTIONS = {
    e.AccountType: "Kind of account.",
    e.StageKind: "OPEN stages are in progress; WON and LOST close the deal.",
    e.OpportunityStatus: "Where a deal stands.",
    e.AmountSource: "Where an opportunity's amount comes from: its active quote, its items, or the manual budget.",
    e.LeadStatus: "Progress of a lead.",
    e.ProductKind: "ONE_TIME (a purchase) or TIME_BASED (licence, support, subscription: has a term).",
    e.QuoteStatus: "Progress of a quote.",
    e.SalesOrderStatus: "Progress of a sales order.",
    e.InvoiceStatus: "Progress of an invoice.",
    e.ContractKind: "ONE_TIME or TIME_BASED, after the product.",
    e.ContractStatus: "ACTIVE, EXPIRED or CANCELLED.",
    e.ActivityType: "Kind of activity.",
    e.LineItemSource: "Where a line's price came from.",
    e.Role: "What a user may do.",
    e.ContactRoleKind: "A contact's business role on a deal.",
    e.AccountRelationKind: (
        "What `relatedAccount` is to `account` in an AccountRelation: SUPPLIER (it supplies the account), CUSTOMER "
        "(it buys from the account), PARTNER, COMPETITOR, AFFILIATE, OTHER. SUPPLIER and CUSTOMER swap when the "
        "relation is seen from the other account; the others are mutual."
    ),
    e.CampaignStatus: "Where a marketing campaign stands.",
    e.ConversionKind: "Which conversion created a record from another.",
    e.DocumentFormat: (
        "The file format of a rendered document: MARKDOWN (text/markdown), HTML (text/html), "
        "TEXT (text/plain) or PDF (application/pdf)."
    ),
    ErrorCode: "Why a mutation refused its input.",
}

for _enum, _description in _DESCRIPTIONS.items():
    if _enum is ErrorCode:
        strawberry.enum(_enum, name="UserErrorCode", description=_description)
    else:
        strawberry.enum(_enum, description=_description)
