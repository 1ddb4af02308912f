"""The lead splitter and revenue splits (DOMAIN.md 11): ``leadSplitRules``,
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
from typing import Annotated, Any, Optional

import strawberry
from graphql import GraphQLError
from graphql.utilities import coerce_input_value
from tortoise.expressions import Q

from crm_graphql.api.context import Info
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.mutations.base import decode_id, make_payload, run
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.common import lazy, list_field
from crm_graphql.api.types.splits import LeadSplitRuleType
from crm_graphql.errors import Invalid
from crm_graphql.services import permissions, splits

LeadFilter = SPECS["Lead"].filter_input
RuleT = lazy("LeadSplitRule")
OpportunityT = lazy("Opportunity")
_FILTER_PATH = ("input", "filter")


@strawberry.input(description="A user's share of a lead.")
class LeadShareInput:
    user_id: strawberry.ID = strawberry.field(description="The user (any active user you can see).")
    percent: Optional[int] = strawberry.field(
        default=None,
        description="Whole percent, 1-100; the shares add up to 100. One share may leave it out: it takes what the "
        "others leave.",
    )


@strawberry.input(description="A user's share of a deal's revenue.")
class RevenueSplitInput:
    user_id: strawberry.ID = strawberry.field(description="The user credited (any active user you can see).")
    percent: Optional[int] = strawberry.field(
        default=None,
        description="Whole percent, 1-100; the splits add up to 100. One split may leave it out: it takes what the "
        "others leave.",
    )


@strawberry.input(description="A new lead split rule (admins and managers).")
class CreateLeadSplitRuleInput:
    name: Optional[str] = strawberry.field(default=None, description="Rule name. Required.")
    filter: Optional[LeadFilter] = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The leads it applies to (omitted: every lead)."
    )
    shares: Optional[list[LeadShareInput]] = strawberry.field(
        default=None, description="Who shares each matching lead, in order (1 to 20 users). Required."
    )
    is_active: Optional[bool] = strawberry.field(default=None, description="Only active rules run (default true).")
    idempotency_key: Optional[str] = strawberry.field(
        default=None, description="Repeat a request safely: the same key with the same input returns the first result."
    )


@strawberry.input(description="Change a lead split rule; omitted fields stay. Leads shared before keep their shares.")
class UpdateLeadSplitRuleInput:
    id: strawberry.ID = strawberry.field(description="The rule.")
    version: Optional[int] = strawberry.field(
        default=None, description="The version you read; a stale one is refused with CONFLICT."
    )
    name: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Rule name.")
    filter: Optional[LeadFilter] = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="The leads it applies to (null: every lead)."
    )
    shares: Optional[list[LeadShareInput]] = strawberry.field(
        default=strawberry.UNSET, description="Who shares each matching lead, in order."
    )
    is_active: Optional[bool] = strawberry.field(default=strawberry.UNSET, description="Only active rules run.")


@strawberry.input(description="The lead split rule to delete (the shares it gave stay).")
class DeleteLeadSplitRuleInput:
    id: strawberry.ID = strawberry.field(description="The rule.")


@strawberry.input(description="Run a lead split rule.")
class RunLeadSplitRuleInput:
    rule_id: strawberry.ID = strawberry.field(description="The (active) rule.")


@strawberry.input(description="Replace a deal's revenue splits.")
class SetOpportunitySplitsInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The (open) deal.")
    splits: Optional[list[RevenueSplitInput]] = strawberry.field(
        default=None,
        description="Who is credited, in order (1 to 20 users, percents adding up to 100); empty or null removes "
        "the splits (the deal then counts wholly for its owner).",
    )


CreateLeadSplitRulePayload = make_payload(
    "CreateLeadSplitRulePayload", {"lead_split_rule": (RuleT, "The new rule.")}, "Result of createLeadSplitRule."
)
UpdateLeadSplitRulePayload = make_payload(
    "UpdateLeadSplitRulePayload", {"lead_split_rule": (RuleT, "The rule after the change.")},
    "Result of updateLeadSplitRule.",
)  # fmt: skip
DeleteLeadSplitRulePayload = make_payload(
    "DeleteLeadSplitRulePayload",
    {"lead_split_rule": (RuleT, "The deleted rule."), "deleted_id": (strawberry.ID, "Global ID of the deleted rule.")},
    "Result of deleteLeadSplitRule.",
)
RunLeadSplitRulePayload = make_payload(
    "RunLeadSplitRulePayload",
    {"rule": (RuleT, "The rule."),
     "processed_count": (int, "How many leads this run gave shares (matching leads that had none).")},
    "Result of runLeadSplitRule.",
)  # fmt: skip
SetOpportunitySplitsPayload = make_payload(
    "SetOpportunitySplitsPayload", {"opportunity": (OpportunityT, "The deal with its new splits.")},
    "Result of setOpportunitySplits.",
)  # fmt: skip


# --- the stored filter -------------------------------------------------------------------------


def filter_json(flt: Any, info: Info) -> dict[str, Any]:
    """A filter input as JSON with its GraphQL field names, after the checks every list filter
    gets (a refused filter is an INVALID user error on ``input.filter``)."""
    if flt is None:
        return {}
    try:
        to_q("Lead", flt, info.context.user)
    except GraphQLError as exc:
        raise Invalid(exc.message, _FILTER_PATH) from None
    converter = info.schema.config.name_converter
    value = _to_json(flt, converter)
    return value if isinstance(value, dict) else {}


def _to_json(value: Any, converter: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        definition = type(value).__strawberry_definition__  # type: ignore[attr-defined]
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

    def convert(data: dict[str, Any], user: Any) -> Q:
        if not data:
            return Q()
        from strawberry.types.arguments import convert_argument

        try:
            coerced = coerce_input_value(data, schema._schema.get_type("LeadFilter"))  # type: ignore[arg-type]
            flt = convert_argument(coerced, LeadFilter, schema.schema_converter.scalar_registry, schema.config)
            return to_q("Lead", flt, user)
        except GraphQLError as exc:
            raise Invalid(f"The rule's stored filter is no longer valid: {exc.message}", ("input", "ruleId")) from None

    return convert


def _shares(items: Any, field: str) -> list[splits.Share]:
    out: list[splits.Share] = []
    for i, item in enumerate(items or []):
        user = decode_id(item.user_id, "User", ("input", field, str(i), "userId"))
        out.append((user, item.percent))
    return out


@strawberry.type
class Query:
    lead_split_rules = list_field("LeadSplitRule", description="Lead split rules (partners see none).")

    @strawberry.field(description="A lead split rule by ID.")
    async def lead_split_rule(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> Optional[LeadSplitRuleType]:
        from crm_graphql.api.queries import load_node

        return await load_node(info, id, "LeadSplitRule")  # type: ignore[no-any-return]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a lead split rule: a lead filter and the shares matching leads get.")
    async def create_lead_split_rule(
        self, info: Info, input: Annotated[CreateLeadSplitRuleInput, strawberry.argument(description="The rule.")]
    ) -> CreateLeadSplitRulePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            splits.ensure_manager(actor)
            rule = await splits.create_lead_split_rule(
                actor, name=input.name, lead_filter=filter_json(input.filter, info),
                shares=_shares(input.shares, "shares"), is_active=input.is_active,
                idempotency_key=input.idempotency_key,
            )  # fmt: skip
            return {"lead_split_rule": rule}

        return await run(CreateLeadSplitRulePayload, call)

    @strawberry.mutation(description="Change a lead split rule.")
    async def update_lead_split_rule(
        self, info: Info, input: Annotated[UpdateLeadSplitRuleInput, strawberry.argument(description="The change.")]
    ) -> UpdateLeadSplitRulePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            splits.ensure_manager(actor)
            pk = decode_id(input.id, "LeadSplitRule", ("input", "id"))
            changes: dict[str, Any] = {}
            if input.name is not strawberry.UNSET:
                changes["name"] = input.name
            if input.is_active is not strawberry.UNSET:
                changes["is_active"] = input.is_active
            if input.filter is not strawberry.UNSET:
                changes["lead_filter"] = filter_json(input.filter, info)
            if input.shares is not strawberry.UNSET:
                changes["shares"] = _shares(input.shares, "shares")
            rule = await splits.update_lead_split_rule(actor, pk, version=input.version, changes=changes)
            return {"lead_split_rule": rule}

        return await run(UpdateLeadSplitRulePayload, call)

    @strawberry.mutation(description="Delete a lead split rule (the shares it gave stay).")
    async def delete_lead_split_rule(
        self, info: Info, input: Annotated[DeleteLeadSplitRuleInput, strawberry.argument(description="The rule.")]
    ) -> DeleteLeadSplitRulePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            splits.ensure_manager(actor)
            pk = decode_id(input.id, "LeadSplitRule", ("input", "id"))
            rule = await splits.delete_lead_split_rule(actor, pk)
            return {"lead_split_rule": rule, "deleted_id": to_global_id("LeadSplitRule", pk)}

        return await run(DeleteLeadSplitRulePayload, call)

    @strawberry.mutation(
        description="Run a lead split rule: every lead its filter matches (as you see leads) that has no shares and "
        "is not qualified gets the rule's shares; `processedCount` says how many. Concurrent runs never share a "
        "lead twice."
    )
    async def run_lead_split_rule(
        self, info: Info, input: Annotated[RunLeadSplitRuleInput, strawberry.argument(description="The rule.")]
    ) -> RunLeadSplitRulePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            splits.ensure_manager(actor)
            pk = decode_id(input.rule_id, "LeadSplitRule", ("input", "ruleId"))
            rule, count = await splits.run_lead_split_rule(actor, pk, stored_filter_to_q(info))
            return {"rule": rule, "processed_count": count}

        return await run(RunLeadSplitRulePayload, call)

    @strawberry.mutation(
        description="Replace a deal's revenue splits (whoever may change the deal; the deal must be open)."
    )
    async def set_opportunity_splits(
        self, info: Info, input: Annotated[SetOpportunitySplitsInput, strawberry.argument(description="The splits.")]
    ) -> SetOpportunitySplitsPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            permissions.authorize(actor, "setOpportunitySplits", "Opportunity")
            pk = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            opportunity = await splits.set_opportunity_splits(actor, pk, _shares(input.splits, "splits"))
            return {"opportunity": opportunity}

        return await run(SetOpportunitySplitsPayload, call)
