"""Writable fields of every entity (plain CRUD), with the domain hooks that apply to them."""

from __future__ import annotations

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.services import campaigns, catalog_rules, documents, pipeline_rules, quote_rules
from crm_graphql.services.crud import EntityRules as E
from crm_graphql.services.crud import Hooks, K, Rule, register


def _s(name: str, *, required: bool = False, unique: bool = False) -> Rule:
    return Rule(name, K.STR, required=required, unique=unique)


def _ref(name: str, target: type, *, required: bool = False, create_only: bool = False, gated: bool = False) -> Rule:
    return Rule(f"{name}_id", K.REF, target=target, required=required, create_only=create_only, gated=gated)


ACCOUNT = register(E(m.Account, [
    Rule("type", K.ENUM, enum=e.AccountType), _s("name"), _s("first_name"), _s("last_name"),
    Rule("email", K.EMAIL), _s("phone"), _s("street"), _s("city"), _s("postal_code"), _s("country"),
    _s("registration_number"), _s("vat_number"), _s("industry"), _s("website"), Rule("is_private", K.BOOL),
    Rule("is_partner", K.BOOL),
    _ref("owner", m.User), _ref("parent", m.Account),
], Hooks(before_create=pipeline_rules.account_before_create, before_update=pipeline_rules.account_before_update,
         cascade=[(m.Contact, "account_id"), (m.Opportunity, "account_id"), (m.Quote, "account_id")])))  # fmt: skip

CONTACT = register(E(m.Contact, [
    _s("first_name"), _s("last_name", required=True), Rule("email", K.EMAIL), _s("phone"), _s("title"),
    _ref("account", m.Account), _ref("owner", m.User),
], Hooks(before_create=pipeline_rules.default_owner)))  # fmt: skip

LEAD = register(E(m.Lead, [
    _s("first_name"), _s("last_name", required=True), _s("company"), _s("title"), Rule("email", K.EMAIL),
    _s("phone"), _s("source"), Rule("description", K.TEXT), Rule("status", K.ENUM, enum=e.LeadStatus),
    _ref("owner", m.User), _ref("campaign", m.Campaign),
], Hooks(before_create=pipeline_rules.lead_before_create, before_update=pipeline_rules.lead_before_update,
         before_delete=pipeline_rules.lead_before_delete)))  # fmt: skip

PIPELINE = register(E(m.Pipeline, [
    _s("name", required=True, unique=True), Rule("is_default", K.BOOL),
], Hooks(before_create=pipeline_rules.pipeline_before_create, after_create=pipeline_rules.pipeline_after_create,
         before_update=pipeline_rules.pipeline_before_update)))  # fmt: skip

STAGE = register(E(m.Stage, [
    _ref("pipeline", m.Pipeline, create_only=True), _s("name", required=True), Rule("probability", K.PROBABILITY), Rule("position", K.INT),
    Rule("is_default", K.BOOL),
], Hooks(before_create=pipeline_rules.stage_before_create, before_update=pipeline_rules.stage_before_update,
         before_delete=pipeline_rules.stage_before_delete)))  # fmt: skip

OPPORTUNITY = register(E(m.Opportunity, [
    _s("title", required=True), _ref("account", m.Account, required=True), _ref("contact", m.Contact),
    _ref("owner", m.User), _ref("stage", m.Stage), _ref("pipeline", m.Pipeline, create_only=True),
    Rule("probability", K.PROBABILITY),
    Rule("currency", K.CURRENCY), _ref("pricebook", m.Pricebook), Rule("manual_amount", K.AMOUNT),
    Rule("close_date", K.DATE), _s("source"), _s("competitors"), Rule("description", K.TEXT),
    Rule("is_restricted", K.BOOL), _ref("campaign", m.Campaign),
], Hooks(before_create=pipeline_rules.opportunity_before_create,
         before_update=pipeline_rules.opportunity_before_update,
         after_update=pipeline_rules.opportunity_after_update,
         before_delete=pipeline_rules.opportunity_before_delete,
         cascade=[(m.Quote, "opportunity_id")])))  # fmt: skip

CAMPAIGN = register(E(m.Campaign, [
    _s("name", required=True), _s("type"), Rule("status", K.ENUM, enum=e.CampaignStatus),
    Rule("start_date", K.DATE), Rule("end_date", K.DATE), Rule("budget", K.AMOUNT), Rule("currency", K.CURRENCY),
    Rule("description", K.TEXT),
], Hooks(before_create=campaigns.before_create, before_update=campaigns.before_update)))  # fmt: skip

PRODUCT = register(E(m.Product, [
    _s("name", required=True), _s("code", required=True, unique=True), Rule("description", K.TEXT),
    Rule("is_active", K.BOOL), Rule("kind", K.ENUM, enum=e.ProductKind), Rule("term_months", K.POSITIVE_INT),
    _s("default_unit"),
], Hooks(before_create=catalog_rules.product_check, before_update=catalog_rules.product_check_update)))  # fmt: skip

PRICEBOOK = register(E(m.Pricebook, [
    _s("name", required=True), Rule("description", K.TEXT), Rule("is_active", K.BOOL), _s("version_label"),
    _ref("supersedes", m.Pricebook),
]))  # fmt: skip

PRICEBOOK_ENTRY = register(E(m.PricebookEntry, [
    _ref("pricebook", m.Pricebook, required=True, create_only=True),
    _ref("product", m.Product, required=True, create_only=True),
    Rule("currency", K.CURRENCY, required=True, create_only=True), _s("unit"),
    Rule("unit_price", K.AMOUNT, required=True), Rule("is_active", K.BOOL),
], Hooks(before_create=catalog_rules.entry_before_create, before_delete=catalog_rules.entry_before_delete)))  # fmt: skip

BUNDLE = register(E(m.Bundle, [
    _ref("pricebook", m.Pricebook, required=True, create_only=True), _s("name", required=True),
    _s("code", required=True, unique=True), Rule("description", K.TEXT), Rule("is_active", K.BOOL),
]))  # fmt: skip

BUNDLE_ITEM = register(E(m.BundleItem, [
    _ref("bundle", m.Bundle, required=True, create_only=True), _ref("product", m.Product, required=True),
    Rule("quantity", K.QUANTITY, required=True), Rule("weight", K.AMOUNT), Rule("position", K.INT),
], Hooks(before_create=catalog_rules.bundle_item_before_create)))  # fmt: skip

QUOTE = register(E(m.Quote, [
    _s("name"), _ref("account", m.Account), _ref("contact", m.Contact),
    _ref("opportunity", m.Opportunity, create_only=True, gated=True), _ref("pricebook", m.Pricebook),
    Rule("currency", K.CURRENCY, create_only=True), Rule("discount_percent", K.PERCENT),
    Rule("valid_from", K.DATE), Rule("valid_until", K.DATE), Rule("description", K.TEXT), _ref("owner", m.User),
], Hooks(before_create=quote_rules.quote_before_create, after_create=quote_rules.quote_after_create,
         before_update=quote_rules.quote_before_update, after_update=quote_rules.quote_after_update,
         before_delete=quote_rules.quote_before_delete)))  # fmt: skip

ACTIVITY = register(E(m.Activity, [
    Rule("type", K.ENUM, enum=e.ActivityType, required=True), _s("subject", required=True),
    Rule("description", K.TEXT), Rule("due_at", K.DATETIME), _ref("assignee", m.User),
    _ref("lead", m.Lead), _ref("opportunity", m.Opportunity), _ref("account", m.Account),
    _ref("contact", m.Contact), _ref("quote", m.Quote),
], Hooks(before_create=pipeline_rules.activity_before_create, after_create=pipeline_rules.activity_after_create)))  # fmt: skip

USER = register(E(m.User, [
    Rule("email", K.EMAIL, required=True, unique=True), _s("name", required=True),
    Rule("role", K.ENUM, enum=e.Role), Rule("is_active", K.BOOL), _ref("partner_account", m.Account),
], Hooks(before_create=pipeline_rules.user_before_create, before_update=pipeline_rules.user_before_update)))  # fmt: skip

EXCHANGE_RATE = register(E(m.ExchangeRate, [
    Rule("currency", K.CURRENCY, required=True, unique=True, create_only=True), Rule("rate", K.RATE, required=True),
]))  # fmt: skip

DOCUMENT_TEMPLATE = register(E(m.DocumentTemplate, [
    _s("name", required=True), Rule("content_type", K.STR), Rule("body", K.TEXT, required=True),
], Hooks(before_create=documents.template_before_create, before_update=documents.template_before_update)))  # fmt: skip
