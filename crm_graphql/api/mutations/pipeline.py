"""Pipeline mutations: stages, the opportunity lifecycle, leads, activities; and pipelineSummary."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Optional

import strawberry
from tortoise.expressions import Q

import crm_graphql.api.specs  # noqa: F401 - builds OpportunityFilter
from crm_graphql import enums as e
from crm_graphql.api.context import Info
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.mutations.base import decode_id, decode_optional, given, make_payload, run
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.common import lazy
from crm_graphql.errors import DomainError, MissingExchangeRate, raise_all
from crm_graphql.services import crud, leads, permissions, reporting
from crm_graphql.services import opportunities as svc

OpportunityT = lazy("Opportunity")
StageT = lazy("Stage")
LeadT = lazy("Lead")
AccountT = lazy("Account")
ContactT = lazy("Contact")
ContractT = lazy("Contract")
ActivityT = lazy("Activity")
OpportunityFilter = SPECS["Opportunity"].filter_input

_KEY_DOC = "1 to 200 characters; repeating a call with the same key and input returns the first result."


def _auth(info: Info, operation: str, type_name: str) -> Any:
    actor = info.context.user
    permissions.authorize(actor, operation, type_name)
    return actor


def _opp_id(value: Any) -> int:
    return decode_id(value, "Opportunity", ("input", "opportunityId"))


def _lead_id(value: Any) -> int:
    return decode_id(value, "Lead", ("input", "leadId"))


# --- stages -------------------------------------------------------------------------------------


@strawberry.input(description="The open stages in their new pipeline order (WON and LOST stay last).")
class ReorderStagesInput:
    stage_ids: list[strawberry.ID] = strawberry.field(description="Every open stage exactly once, in order.")


ReorderStagesPayload = make_payload(
    "ReorderStagesPayload", {"stages": (list[StageT], "All stages in pipeline order.")}, "Result of reorderStages."
)


@strawberry.input(description="Delete an open stage; opportunities in it move to the replacement.")
class DeleteStageInput:
    id: strawberry.ID = strawberry.field(description="The stage to delete (not the WON or LOST stage).")
    replacement_stage_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="Open stage that receives the stage's opportunities; required when it has some."
    )


DeleteStagePayload = make_payload(
    "DeleteStagePayload", {"deleted_id": (strawberry.ID, "Global ID of the deleted stage.")}, "Result of deleteStage."
)

# --- opportunity lifecycle ---------------------------------------------------------------------


@strawberry.input(description="Move an opportunity to a stage (a WON or LOST stage wins or loses it).")
class MoveOpportunityToStageInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity.")
    stage_id: strawberry.ID = strawberry.field(description="The target stage.")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="For a WON or LOST stage: the actual close date (default today, UTC); closedAt becomes that "
        "day at 00:00 UTC. Ignored for an open stage.",
    )


OpportunityPayload = make_payload(
    "MoveOpportunityToStagePayload",
    {"opportunity": (OpportunityT, "The opportunity after the move.")},
    "Result of moveOpportunityToStage.",
)


@strawberry.input(description="Win an open opportunity; its product lines become contracts.")
class WinOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity.")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="The actual close date and the contracts' start (default today, UTC); closedAt becomes that "
        "day at 00:00 UTC, so a back-dated win keeps its date.",
    )
    idempotency_key: Optional[str] = strawberry.field(default=None, description=_KEY_DOC)


WinOpportunityPayload = make_payload(
    "WinOpportunityPayload",
    {"opportunity": (OpportunityT, "The won opportunity."),
     "contracts": (list[ContractT], "The contracts made, one per product line.")},
    "Result of winOpportunity.",
)  # fmt: skip


@strawberry.input(description="Lose an open opportunity.")
class LoseOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity.")
    reason: Optional[str] = strawberry.field(default=None, description="Why it was lost (at most 500 characters).")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="The actual close date (default today, UTC); closedAt becomes that day at 00:00 UTC, so a "
        "back-dated loss keeps its date.",
    )


LoseOpportunityPayload = make_payload(
    "LoseOpportunityPayload", {"opportunity": (OpportunityT, "The lost opportunity.")}, "Result of loseOpportunity."
)


@strawberry.input(
    description="Move a won or lost opportunity back to an open stage; closedAt and the lost reason are cleared and "
    "its contracts cancelled."
)
class ReopenOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity.")
    stage_id: Optional[strawberry.ID] = strawberry.field(default=None, description="Open stage (default: the default).")


ReopenOpportunityPayload = make_payload(
    "ReopenOpportunityPayload",
    {"opportunity": (OpportunityT, "The reopened opportunity.")},
    "Result of reopenOpportunity.",
)

# --- leads ---------------------------------------------------------------------------------------


@strawberry.input(description="A new account; every field defaults from the lead (company, or the person).")
class QualifyAccountInput:
    name: Optional[str] = strawberry.field(default=None, description="Default: the lead's company, else its name.")
    type: Optional[e.AccountType] = strawberry.field(
        default=None, description="Default: ORGANIZATION with a company, else PERSON."
    )
    email: Optional[str] = strawberry.field(default=None, description="E-mail address.")
    phone: Optional[str] = strawberry.field(default=None, description="Phone number.")
    website: Optional[str] = strawberry.field(default=None, description="Website.")
    industry: Optional[str] = strawberry.field(default=None, description="Industry.")


@strawberry.input(description="A new contact; every field defaults from the lead.")
class QualifyContactInput:
    first_name: Optional[str] = strawberry.field(default=None, description="Default: the lead's first name.")
    last_name: Optional[str] = strawberry.field(default=None, description="Default: the lead's last name.")
    email: Optional[str] = strawberry.field(default=None, description="Default: the lead's e-mail.")
    phone: Optional[str] = strawberry.field(default=None, description="Default: the lead's phone.")
    title: Optional[str] = strawberry.field(default=None, description="Default: the lead's title.")


@strawberry.input(one_of=True, description="Link an existing account or create one: exactly one of the two.")
class AccountChoice:
    existing_id: Optional[strawberry.ID] = strawberry.field(
        default=strawberry.UNSET, description="Link this account (only its empty fields are filled from the lead)."
    )
    create: Optional[QualifyAccountInput] = strawberry.field(
        default=strawberry.UNSET, description="Create an account (`{}` takes every field from the lead)."
    )


@strawberry.input(one_of=True, description="Link an existing contact or create one: exactly one of the two.")
class ContactChoice:
    existing_id: Optional[strawberry.ID] = strawberry.field(
        default=strawberry.UNSET,
        description="Link this contact; it must belong to the chosen account. Only empty fields are filled.",
    )
    create: Optional[QualifyContactInput] = strawberry.field(
        default=strawberry.UNSET, description="Create a contact (`{}` takes every field from the lead)."
    )


@strawberry.input(description="The opportunity to create; every field has a default.")
class QualifyOpportunityInput:
    title: Optional[str] = strawberry.field(default=None, description='Default: "<company> opportunity".')
    stage_id: Optional[strawberry.ID] = strawberry.field(default=None, description="Default: the default stage.")
    currency: Optional[str] = strawberry.field(default=None, description="Default: the base currency.")
    manual_amount: Optional[Decimal] = strawberry.field(default=None, description="The budget, if known.")
    close_date: Optional[dt.date] = strawberry.field(default=None, description="Expected close date.")


@strawberry.input(description="Qualify a lead into an account and/or contact, and optionally an opportunity.")
class QualifyLeadInput:
    lead_id: strawberry.ID = strawberry.field(description="The lead (NEW or WORKING).")
    account: Optional[AccountChoice] = strawberry.field(default=None, description="The account: link or create.")
    contact: Optional[ContactChoice] = strawberry.field(default=None, description="The contact: link or create.")
    opportunity: Optional[QualifyOpportunityInput] = strawberry.field(
        default=None,
        description="Omitted or null: no opportunity; `{}`: one with defaults. Its account is the chosen account; "
        "with a contact but no account, the contact's own account, else a new PERSON account made from the lead's "
        "person (a lead without a company can still become a deal).",
    )
    idempotency_key: Optional[str] = strawberry.field(default=None, description=_KEY_DOC)


QualifyLeadPayload = make_payload(
    "QualifyLeadPayload",
    {"lead": (LeadT, "The qualified lead."), "account": (AccountT, "The linked or created account."),
     "contact": (ContactT, "The linked or created contact."),
     "opportunity": (OpportunityT, "The created opportunity.")},
    "Result of qualifyLead.",
)  # fmt: skip


@strawberry.input(description="Disqualify a lead that is not qualified.")
class DisqualifyLeadInput:
    lead_id: strawberry.ID = strawberry.field(description="The lead.")
    reason: Optional[str] = strawberry.field(default=None, description="Why (at most 500 characters).")


@strawberry.input(description="The lead to act on.")
class LeadIdInput:
    lead_id: strawberry.ID = strawberry.field(description="The lead.")


def _lead_payload(name: str) -> Any:
    return make_payload(f"{name}Payload", {"lead": (LeadT, "The lead after the change.")}, f"Result of {name}.")


DisqualifyLeadPayload = _lead_payload("DisqualifyLead")
ArchiveLeadPayload = _lead_payload("ArchiveLead")
UnarchiveLeadPayload = _lead_payload("UnarchiveLead")
AnonymizeLeadPayload = _lead_payload("AnonymizeLead")


def _choice(value: Any, type_name: str, path: str) -> leads.Choice | None:
    if value is None:
        return None
    existing = getattr(value, "existing_id", strawberry.UNSET)
    if existing is not strawberry.UNSET and existing is not None:
        return leads.Choice(existing_id=decode_id(existing, type_name, ("input", path, "existingId")))
    create = getattr(value, "create", strawberry.UNSET)
    return leads.Choice(create=given(create) if create not in (None, strawberry.UNSET) else {})


def _qualification(input: QualifyLeadInput) -> leads.Qualification:
    errors: list[DomainError] = []
    q = leads.Qualification()
    try:
        q.account = _choice(input.account, "Account", "account")
    except DomainError as exc:
        errors.append(exc)
    try:
        q.contact = _choice(input.contact, "Contact", "contact")
    except DomainError as exc:
        errors.append(exc)
    if input.opportunity is not None:
        opp = given(input.opportunity)
        try:
            if opp.get("stage_id") is not None:
                opp["stage_id"] = decode_id(opp["stage_id"], "Stage", ("input", "opportunity", "stageId"))
        except DomainError as exc:
            errors.append(exc)
        q.opportunity = opp
    raise_all(errors)
    q.payload = {
        "account": _plain(input.account),
        "contact": _plain(input.contact),
        "opportunity": _plain(input.opportunity),
    }
    return q


def _plain(value: Any) -> Any:
    if value is None or value is strawberry.UNSET:
        return None
    return {k: _plain(v) if hasattr(v, "__dataclass_fields__") else v for k, v in given(value).items()}


# --- activities ----------------------------------------------------------------------------------


@strawberry.input(description="Log an activity on a lead, opportunity, account, contact or quote.")
class LogActivityInput:
    type: e.ActivityType = strawberry.field(description="CALL, EMAIL, MEETING, TASK or NOTE.")
    subject: str = strawberry.field(description="What it is about.")
    description: Optional[str] = strawberry.field(default=None, description="Details.")
    due_at: Optional[dt.datetime] = strawberry.field(default=None, description="When it is due.")
    assignee_id: Optional[strawberry.ID] = strawberry.field(default=None, description="Assignee (default: you).")
    lead_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The lead.")
    opportunity_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The opportunity.")
    account_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The account.")
    contact_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The contact.")
    quote_id: Optional[strawberry.ID] = strawberry.field(default=None, description="The quote.")
    idempotency_key: Optional[str] = strawberry.field(default=None, description=_KEY_DOC)


LogActivityPayload = make_payload(
    "LogActivityPayload", {"activity": (ActivityT, "The logged activity.")}, "Result of logActivity."
)


@strawberry.input(description="Mark an activity done.")
class CompleteActivityInput:
    activity_id: strawberry.ID = strawberry.field(description="The activity.")


CompleteActivityPayload = make_payload(
    "CompleteActivityPayload", {"activity": (ActivityT, "The activity, now done.")}, "Result of completeActivity."
)

_ACTIVITY_REFS = {"assignee_id": "User", "lead_id": "Lead", "opportunity_id": "Opportunity",
                  "account_id": "Account", "contact_id": "Contact", "quote_id": "Quote"}  # fmt: skip


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Reorder the open stages (ADMIN or MANAGER).")
    async def reorder_stages(
        self, info: Info, input: Annotated[ReorderStagesInput, strawberry.argument(description="The new order.")]
    ) -> ReorderStagesPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "reorderStages", "Stage")
            ids = [decode_id(v, "Stage", ("input", "stageIds", str(i))) for i, v in enumerate(input.stage_ids)]
            return {"stages": await svc.reorder_stages(actor, ids)}

        return await run(ReorderStagesPayload, call)

    @strawberry.mutation(description="Delete an open stage, moving its opportunities to a replacement.")
    async def delete_stage(
        self, info: Info, input: Annotated[DeleteStageInput, strawberry.argument(description="Stage and replacement.")]
    ) -> DeleteStagePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "deleteStage", "Stage")
            pk = decode_id(input.id, "Stage", ("input", "id"))
            repl = decode_optional(input.replacement_stage_id, "Stage", ("input", "replacementStageId"))
            return {"deleted_id": to_global_id("Stage", await svc.delete_stage(actor, pk, repl))}

        return await run(DeleteStagePayload, call)

    @strawberry.mutation(description="Move an opportunity to a stage; WON/LOST stages win or lose it.")
    async def move_opportunity_to_stage(
        self, info: Info, input: Annotated[MoveOpportunityToStageInput, strawberry.argument(description="Target.")]
    ) -> OpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "moveOpportunityToStage", "Opportunity")
            stage = decode_id(input.stage_id, "Stage", ("input", "stageId"))
            opportunity = await svc.move_opportunity_to_stage(
                actor, _opp_id(input.opportunity_id), stage, input.close_date
            )
            return {"opportunity": opportunity}

        return await run(OpportunityPayload, call)

    @strawberry.mutation(description="Win an opportunity: WON, probability 100, contracts for its product lines.")
    async def win_opportunity(
        self, info: Info, input: Annotated[WinOpportunityInput, strawberry.argument(description="The deal.")]
    ) -> WinOpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "winOpportunity", "Opportunity")
            opp, made = await svc.win_opportunity(
                actor, _opp_id(input.opportunity_id), input.close_date, idempotency_key=input.idempotency_key
            )
            return {"opportunity": opp, "contracts": made}

        return await run(WinOpportunityPayload, call)

    @strawberry.mutation(description="Lose an opportunity: LOST, probability 0.")
    async def lose_opportunity(
        self, info: Info, input: Annotated[LoseOpportunityInput, strawberry.argument(description="The deal.")]
    ) -> LoseOpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "loseOpportunity", "Opportunity")
            opportunity = await svc.lose_opportunity(
                actor, _opp_id(input.opportunity_id), input.reason, input.close_date
            )
            return {"opportunity": opportunity}

        return await run(LoseOpportunityPayload, call)

    @strawberry.mutation(description="Reopen a won or lost opportunity; its contracts are cancelled.")
    async def reopen_opportunity(
        self, info: Info, input: Annotated[ReopenOpportunityInput, strawberry.argument(description="The deal.")]
    ) -> ReopenOpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "reopenOpportunity", "Opportunity")
            stage = decode_optional(input.stage_id, "Stage", ("input", "stageId"))
            return {"opportunity": await svc.reopen_opportunity(actor, _opp_id(input.opportunity_id), stage)}

        return await run(ReopenOpportunityPayload, call)

    @strawberry.mutation(description="Qualify a lead into an account, a contact and optionally an opportunity.")
    async def qualify_lead(
        self, info: Info, input: Annotated[QualifyLeadInput, strawberry.argument(description="The choices.")]
    ) -> QualifyLeadPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "qualifyLead", "Lead")
            pk = _lead_id(input.lead_id)
            q = _qualification(input)
            return await leads.qualify_lead(actor, pk, q, idempotency_key=input.idempotency_key)

        return await run(QualifyLeadPayload, call)

    @strawberry.mutation(description="Disqualify a lead (not a qualified one).")
    async def disqualify_lead(
        self, info: Info, input: Annotated[DisqualifyLeadInput, strawberry.argument(description="Lead and reason.")]
    ) -> DisqualifyLeadPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "disqualifyLead", "Lead")
            return {"lead": await leads.disqualify_lead(actor, _lead_id(input.lead_id), input.reason)}

        return await run(DisqualifyLeadPayload, call)

    @strawberry.mutation(description="Archive a lead.")
    async def archive_lead(
        self, info: Info, input: Annotated[LeadIdInput, strawberry.argument(description="The lead.")]
    ) -> ArchiveLeadPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "archiveLead", "Lead")
            return {"lead": await leads.set_archived(actor, _lead_id(input.lead_id), True)}

        return await run(ArchiveLeadPayload, call)

    @strawberry.mutation(description="Unarchive a lead.")
    async def unarchive_lead(
        self, info: Info, input: Annotated[LeadIdInput, strawberry.argument(description="The lead.")]
    ) -> UnarchiveLeadPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "unarchiveLead", "Lead")
            return {"lead": await leads.set_archived(actor, _lead_id(input.lead_id), False)}

        return await run(UnarchiveLeadPayload, call)

    @strawberry.mutation(description="Erase a lead's personal fields for good (timeline included).")
    async def anonymize_lead(
        self, info: Info, input: Annotated[LeadIdInput, strawberry.argument(description="The lead.")]
    ) -> AnonymizeLeadPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "anonymizeLead", "Lead")
            return {"lead": await leads.anonymize_lead(actor, _lead_id(input.lead_id))}

        return await run(AnonymizeLeadPayload, call)

    @strawberry.mutation(description="Log an activity on a record (it shows on the record's timeline).")
    async def log_activity(
        self, info: Info, input: Annotated[LogActivityInput, strawberry.argument(description="The activity.")]
    ) -> LogActivityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "logActivity", "Activity")
            raw = given(input)
            key = raw.pop("idempotency_key", None)
            errors: list[DomainError] = []
            for name, type_name in _ACTIVITY_REFS.items():
                try:
                    raw[name] = decode_optional(raw.get(name), type_name, ("input", crud.camel(name)))
                except DomainError as exc:
                    errors.append(exc)
            raise_all(errors)
            raw = {k: v for k, v in raw.items() if v is not None}
            return {"activity": await crud.create(actor, "Activity", raw, idempotency_key=key)}

        return await run(LogActivityPayload, call)

    @strawberry.mutation(description="Mark an activity done.")
    async def complete_activity(
        self, info: Info, input: Annotated[CompleteActivityInput, strawberry.argument(description="The activity.")]
    ) -> CompleteActivityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "completeActivity", "Activity")
            pk = decode_id(input.activity_id, "Activity", ("input", "activityId"))
            return {"activity": await svc.complete_activity(actor, pk)}

        return await run(CompleteActivityPayload, call)


# --- pipelineSummary ------------------------------------------------------------------------------

PipelineGroupBy = strawberry.enum(
    reporting.GroupBy,
    name="PipelineGroupBy",
    description="How pipelineSummary groups opportunities. SPLIT_OWNER adds each user's revenue split amounts (the "
    "amount divided by the splits' percents to the cent by largest remainder); a deal without revenue splits counts "
    "wholly for its owner, and `count` is the number of deals a user has a part of.",
)


@strawberry.type(description="One group of pipelineSummary.")
class PipelineGroup:
    key: Optional[str] = strawberry.field(
        description='Global ID of the stage, owner (or split owner), account or pipeline, or "YYYY-MM"; null for no '
        "owner / no close date."
    )
    label: str = strawberry.field(description="Stage, owner, account or pipeline name, or the month.")
    count: int = strawberry.field(description="Number of opportunities.")
    amount: Decimal = strawberry.field(description="Sum of their amounts, in `currency`.")
    weighted_amount: Decimal = strawberry.field(description="Sum of their expected revenue, in `currency`.")
    currency: str = strawberry.field(description="The currency of the sums.")


_KEY_TYPES = {reporting.GroupBy.STAGE: "Stage", reporting.GroupBy.OWNER: "User", reporting.GroupBy.ACCOUNT: "Account",
              reporting.GroupBy.PIPELINE: "Pipeline", reporting.GroupBy.SPLIT_OWNER: "User"}  # fmt: skip


@strawberry.type
class Query:
    @strawberry.field(description="Opportunities you can see, grouped, with amounts converted into one currency.")
    async def pipeline_summary(
        self,
        info: Info,
        group_by: Annotated[PipelineGroupBy, strawberry.argument(description="The grouping.")],  # type: ignore[valid-type]
        filter: Annotated[
            Optional[OpportunityFilter],  # type: ignore[valid-type]
            strawberry.argument(description="Which opportunities to count."),
        ] = None,
        currency: Annotated[
            Optional[str], strawberry.argument(description="Currency of the sums (default: the base currency).")
        ] = None,
        pipeline_id: Annotated[
            Optional[strawberry.ID],
            strawberry.argument(
                description="The pipeline summed (DOMAIN.md 11: summaries never mix pipelines unless grouped by "
                "PIPELINE). Default: the pipeline `filter.pipeline` names, else the default pipeline. Ignored when "
                "grouping by PIPELINE."
            ),
        ] = None,
    ) -> list[PipelineGroup]:
        from graphql import GraphQLError

        from crm_graphql import models as m
        from crm_graphql.api.relay import MalformedId, from_global_id

        user = info.context.user
        where = to_q("Opportunity", filter, user)
        if reporting.GroupBy(group_by) is not reporting.GroupBy.PIPELINE:
            if pipeline_id is not None:
                try:
                    type_name, pk = from_global_id(pipeline_id)
                except MalformedId:
                    type_name, pk = "", 0
                if type_name != "Pipeline":
                    raise GraphQLError("pipelineId is not a pipeline's ID.", extensions={"code": "BAD_USER_INPUT"})
                where &= Q(pipeline_id=pk)
            elif filter is None or getattr(filter, "pipeline", None) is None:
                default = await m.Pipeline.filter(is_default=True).first()
                where &= Q(pipeline_id=default.id if default is not None else 0)
        try:
            groups = await reporting.pipeline_summary(user, where, reporting.GroupBy(group_by), currency)
        except MissingExchangeRate as exc:
            raise GraphQLError(exc.message, extensions={"code": exc.code.value, "currency": exc.currency}) from None
        except DomainError as exc:
            raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None
        type_name = _KEY_TYPES.get(reporting.GroupBy(group_by))
        out = []
        for g in groups:
            key = None if g.key is None else (to_global_id(type_name, g.key) if type_name else str(g.key))
            out.append(PipelineGroup(key=key, label=g.label, count=g.count, amount=g.amount,
                                     weighted_amount=g.weighted_amount,
                                     currency=(currency or "").strip() or reporting.config.BASE_CURRENCY))  # fmt: skip
        return out
