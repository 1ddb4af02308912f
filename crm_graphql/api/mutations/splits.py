"""The lead splitter and revenue splits (DOMAIN.md 11):
``createLeadSplitRule`` / ``updateLeadSplitRule`` / ``deleteLeadSplitRule``,
``runLeadSplitRule`` and ``setOpportunitySplits``.

A rule's filter is a ``LeadFilter`` input: checked as every list filter is (``filters.to_q``:
bounds, decimals, lengths), stored as JSON with its GraphQL field names, and turned back into
a ``LeadFilter`` by the schema's own input coercion when the rule runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

import strawberry
from graphql import GraphQLError
from strawberry.types.base import get_object_definition
from tortoise.expressions import Q

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.api import internals
from crm_graphql.api.context import Info
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.mutations.base import Payload, idempotency_field, mutation, out, ref
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.api.types.splits import LeadSplitRuleType
from crm_graphql.errors import Invalid
from crm_graphql.services import splits

if TYPE_CHECKING:
    LeadFilter = Any  # built at import from the filter spec (api/specs): no class mypy can read
else:
    LeadFilter = SPECS["Lead"].filter_input
_FILTER_PATH = ("input", "filter")


@strawberry.input(description="A user's share of a lead.")
class LeadShareInput:
    user_id: int = ref("User", "The user (any active user you can see).")
    percent: Optional[int] = strawberry.field(
        default=None,
        description="Whole percent, 1-100; the shares add up to 100. One share may leave it out: it takes what the "
        "others leave.",
    )


@strawberry.input(description="A user's share of a deal's revenue.")
class RevenueSplitInput:
    user_id: int = ref("User", "The user credited (any active user you can see).")
    percent: Optional[int] = strawberry.field(
        default=None,
        description="Whole percent, 1-100; the splits add up to 100. One split may leave it out: it takes what the "
        "others leave.",
    )


@strawberry.input(description="A new lead split rule (admins and managers).")
class CreateLeadSplitRuleInput:
    name: Optional[str] = strawberry.field(default=None, description="Rule name. Required.")
    filter: Optional[LeadFilter] = strawberry.field(
        default=None, description="The leads it applies to (omitted: every lead)."
    )
    shares: Optional[list[LeadShareInput]] = strawberry.field(
        default=None, description="Who shares each matching lead, in order (1 to 20 users). Required."
    )
    is_active: Optional[bool] = strawberry.field(default=None, description="Only active rules run (default true).")
    idempotency_key: Optional[str] = idempotency_field(
        "Repeat a request safely: the same key with the same input returns the first result."
    )


@strawberry.input(description="Change a lead split rule; omitted fields stay. Leads shared before keep their shares.")
class UpdateLeadSplitRuleInput:
    id: int = ref("LeadSplitRule", "The rule.")
    version: Optional[int] = strawberry.field(
        default=None, description="The version you read; a stale one is refused with CONFLICT."
    )
    name: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Rule name.")
    filter: Optional[LeadFilter] = strawberry.field(
        default=strawberry.UNSET, description="The leads it applies to (null: every lead)."
    )
    shares: Optional[list[LeadShareInput]] = strawberry.field(
        default=strawberry.UNSET, description="Who shares each matching lead, in order."
    )
    is_active: Optional[bool] = strawberry.field(default=strawberry.UNSET, description="Only active rules run.")


@strawberry.input(description="The lead split rule to delete (the shares it gave stay).")
class DeleteLeadSplitRuleInput:
    id: int = ref("LeadSplitRule", "The rule.")


@strawberry.input(description="Run a lead split rule.")
class RunLeadSplitRuleInput:
    rule_id: int = ref("LeadSplitRule", "The (active) rule.")


@strawberry.input(description="Replace a deal's revenue splits.")
class SetOpportunitySplitsInput:
    opportunity_id: int = ref("Opportunity", "The (open) deal.")
    splits: Optional[list[RevenueSplitInput]] = strawberry.field(
        default=None,
        description="Who is credited, in order (1 to 20 users, percents adding up to 100); empty or null removes "
        "the splits (the deal then counts wholly for its owner).",
    )


@strawberry.type(description="Result of createLeadSplitRule.")
class CreateLeadSplitRulePayload(Payload):
    lead_split_rule: m.LeadSplitRule | None = out("The new rule.", of=LeadSplitRuleType)


@strawberry.type(description="Result of updateLeadSplitRule.")
class UpdateLeadSplitRulePayload(Payload):
    lead_split_rule: m.LeadSplitRule | None = out("The rule after the change.", of=LeadSplitRuleType)


@strawberry.type(description="Result of deleteLeadSplitRule.")
class DeleteLeadSplitRulePayload(Payload):
    lead_split_rule: m.LeadSplitRule | None = out("The deleted rule.", of=LeadSplitRuleType)
    deleted_id: strawberry.ID | None = out("Global ID of the deleted rule.")


@strawberry.type(description="Result of runLeadSplitRule.")
class RunLeadSplitRulePayload(Payload):
    rule: m.LeadSplitRule | None = out("The rule.", of=LeadSplitRuleType)
    processed_count: int | None = out("How many leads this run gave shares (matching leads that had none).")


@strawberry.type(description="Result of setOpportunitySplits.")
class SetOpportunitySplitsPayload(Payload):
    opportunity: m.Opportunity | None = out("The deal with its new splits.", of=OpportunityType)


# --- the stored filter -------------------------------------------------------------------------


def filter_json(flt: Any, info: Info) -> dict[str, Any]:
    """A filter input as JSON with its GraphQL field names, after the checks every list filter
    gets (a refused filter is an INVALID user error on ``input.filter``)."""
    if flt is None:
        return {}
    try:
        to_q("Lead", flt, info.context.actor)
    except GraphQLError as exc:
        raise Invalid(exc.message, _FILTER_PATH) from None
    converter = info.schema.config.name_converter
    value = _to_json(flt, converter)
    return value if isinstance(value, dict) else {}


def _to_json(value: Any, converter: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        definition = get_object_definition(type(value), strict=True)
        out = {}
        for f in definition.fields:
            item = getattr(value, f.python_name)
            if item is None or item is strawberry.UNSET:
                continue
            out[converter.get_graphql_name(f)] = _to_json(item, converter)
        return out
    if isinstance(value, list):
        return [_to_json(v, converter) for v in value]
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def stored_filter_to_q(info: Info) -> splits.LeadFilterToQ:
    """The stored JSON -> a LeadFilter (the schema's coercion) -> SQL, for the running user."""
    schema = info.schema

    def convert(data: dict[str, Any], user: Actor | None) -> Q:
        if not data:
            return Q()
        try:
            flt = internals.input_from_json(schema, data, "LeadFilter", LeadFilter)
            return to_q("Lead", flt, user)
        except GraphQLError as exc:
            raise Invalid(f"The rule's stored filter is no longer valid: {exc.message}", ("input", "ruleId")) from None

    return convert


def _shares(items: list[LeadShareInput] | list[RevenueSplitInput] | None) -> list[splits.Share]:
    return [(item.user_id, item.percent) for item in items or []]


@strawberry.type
class Mutation:
    @mutation(
        on="LeadSplitRule",
        description="Create a lead split rule: a lead filter and the shares matching leads get.",
        input_doc="The rule.",
    )
    async def create_lead_split_rule(self, info: Info, input: CreateLeadSplitRuleInput) -> CreateLeadSplitRulePayload:
        rule = await splits.create_lead_split_rule(
            info.context.actor,
            name=input.name,
            lead_filter=filter_json(input.filter, info),
            shares=_shares(input.shares),
            is_active=input.is_active,
            idempotency_key=input.idempotency_key,
        )
        return CreateLeadSplitRulePayload(lead_split_rule=rule)

    @mutation(on="LeadSplitRule", description="Change a lead split rule.", input_doc="The change.")
    async def update_lead_split_rule(self, info: Info, input: UpdateLeadSplitRuleInput) -> UpdateLeadSplitRulePayload:
        changes: dict[str, Any] = {}
        if input.name is not strawberry.UNSET:
            changes["name"] = input.name
        if input.is_active is not strawberry.UNSET:
            changes["is_active"] = input.is_active
        if input.filter is not strawberry.UNSET:
            changes["lead_filter"] = filter_json(input.filter, info)
        if input.shares is not strawberry.UNSET:
            changes["shares"] = _shares(input.shares)
        rule = await splits.update_lead_split_rule(info.context.actor, input.id, version=input.version, changes=changes)
        return UpdateLeadSplitRulePayload(lead_split_rule=rule)

    @mutation(
        on="LeadSplitRule", description="Delete a lead split rule (the shares it gave stay).", input_doc="The rule."
    )
    async def delete_lead_split_rule(self, info: Info, input: DeleteLeadSplitRuleInput) -> DeleteLeadSplitRulePayload:
        rule = await splits.delete_lead_split_rule(info.context.actor, input.id)
        deleted_id = strawberry.ID(to_global_id("LeadSplitRule", input.id))
        return DeleteLeadSplitRulePayload(lead_split_rule=rule, deleted_id=deleted_id)

    @mutation(
        on="LeadSplitRule",
        description="Run a lead split rule: every lead its filter matches (as you see leads) that has no shares and "
        "is not qualified gets the rule's shares; `processedCount` says how many. Concurrent runs never share a "
        "lead twice.",
        input_doc="The rule.",
    )
    async def run_lead_split_rule(self, info: Info, input: RunLeadSplitRuleInput) -> RunLeadSplitRulePayload:
        rule, count = await splits.run_lead_split_rule(info.context.actor, input.rule_id, stored_filter_to_q(info))
        return RunLeadSplitRulePayload(rule=rule, processed_count=count)

    @mutation(
        on="Opportunity",
        description="Replace a deal's revenue splits (whoever may change the deal; the deal must be open).",
        input_doc="The splits.",
    )
    async def set_opportunity_splits(self, info: Info, input: SetOpportunitySplitsInput) -> SetOpportunitySplitsPayload:
        opportunity = await splits.set_opportunity_splits(
            info.context.actor, input.opportunity_id, _shares(input.splits)
        )
        return SetOpportunitySplitsPayload(opportunity=opportunity)
