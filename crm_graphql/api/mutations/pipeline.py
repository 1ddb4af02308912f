"""Pipeline mutations: stages, the opportunity lifecycle, leads, activities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, echo, given, idempotency_field, mutation, out, ref, refs
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.accounts import AccountType, ContactType
from crm_graphql.api.types.activity import ActivityType
from crm_graphql.api.types.contracts import ContractType
from crm_graphql.api.types.leads import LeadType
from crm_graphql.api.types.pipeline import OpportunityType, StageType
from crm_graphql.services import crud, leads
from crm_graphql.services import opportunities as svc

# --- stages -------------------------------------------------------------------------------------


@strawberry.input(description="The open stages in their new pipeline order (WON and LOST stay last).")
class ReorderStagesInput:
    stage_ids: list[int] = refs("Stage", "Every open stage exactly once, in order.")


@strawberry.type(description="Result of reorderStages.")
class ReorderStagesPayload(Payload):
    stages: list[m.Stage] | None = out("All stages in pipeline order.", of=list[StageType])


@strawberry.input(description="Delete an open stage; opportunities in it move to the replacement.")
class DeleteStageInput:
    id: int = ref("Stage", "The stage to delete (not the WON or LOST stage).")
    replacement_stage_id: int | None = ref(
        "Stage", "Open stage that receives the stage's opportunities; required when it has some.", default=None
    )


@strawberry.type(description="Result of deleteStage.")
class DeleteStagePayload(Payload):
    deleted_id: strawberry.ID | None = out("Global ID of the deleted stage.")


# --- opportunity lifecycle ---------------------------------------------------------------------


@strawberry.input(description="Move an opportunity to a stage (a WON or LOST stage wins or loses it).")
class MoveOpportunityToStageInput:
    opportunity_id: int = ref("Opportunity", "The opportunity.")
    stage_id: int = ref("Stage", "The target stage.")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="For a WON or LOST stage: the actual close date (default today, UTC); closedAt becomes that "
        "day at 00:00 UTC. Ignored for an open stage.",
    )


@strawberry.type(description="Result of moveOpportunityToStage.")
class MoveOpportunityToStagePayload(Payload):
    opportunity: m.Opportunity | None = out("The opportunity after the move.", of=OpportunityType)


@strawberry.input(description="Win an open opportunity; its product lines become contracts.")
class WinOpportunityInput:
    opportunity_id: int = ref("Opportunity", "The opportunity.")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="The actual close date and the contracts' start (default today, UTC); closedAt becomes that "
        "day at 00:00 UTC, so a back-dated win keeps its date.",
    )
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of winOpportunity.")
class WinOpportunityPayload(Payload):
    opportunity: m.Opportunity | None = out("The won opportunity.", of=OpportunityType)
    contracts: list[m.Contract] | None = out("The contracts made, one per product line.", of=list[ContractType])


@strawberry.input(description="Lose an open opportunity.")
class LoseOpportunityInput:
    opportunity_id: int = ref("Opportunity", "The opportunity.")
    reason: Optional[str] = strawberry.field(default=None, description="Why it was lost (at most 500 characters).")
    close_date: Optional[dt.date] = strawberry.field(
        default=None,
        description="The actual close date (default today, UTC); closedAt becomes that day at 00:00 UTC, so a "
        "back-dated loss keeps its date.",
    )


@strawberry.type(description="Result of loseOpportunity.")
class LoseOpportunityPayload(Payload):
    opportunity: m.Opportunity | None = out("The lost opportunity.", of=OpportunityType)


@strawberry.input(
    description="Move a won or lost opportunity back to an open stage; closedAt and the lost reason are cleared and "
    "its contracts cancelled."
)
class ReopenOpportunityInput:
    opportunity_id: int = ref("Opportunity", "The opportunity.")
    stage_id: int | None = ref("Stage", "Open stage (default: the default).", default=None)


@strawberry.type(description="Result of reopenOpportunity.")
class ReopenOpportunityPayload(Payload):
    opportunity: m.Opportunity | None = out("The reopened opportunity.", of=OpportunityType)


# --- leads ---------------------------------------------------------------------------------------


@strawberry.input(description="A new account; every field defaults from the lead (company, or the person).")
class QualifyAccountInput:
    name: Optional[str] = strawberry.field(default=None, description="Default: the lead's company, else its name.")
    type: Optional[e.AccountType] = strawberry.field(
        default=None, description="Default: ORGANIZATION with a company, else PERSON."
    )
    email: Optional[str] = strawberry.field(default=None, description="E-mail address.")
    phone: Optional[str] = strawberry.field(default=None, description="Phone number.")
    website: Optional[str] = strawberry.field(
        default=None, description="Web site of the new account; the lead has none, so omitted leaves it empty."
    )
    industry: Optional[str] = strawberry.field(
        default=None, description="Line of business of the new account; the lead has none, so omitted leaves it empty."
    )


@strawberry.input(description="A new contact; every field defaults from the lead.")
class QualifyContactInput:
    first_name: Optional[str] = strawberry.field(default=None, description="Default: the lead's first name.")
    last_name: Optional[str] = strawberry.field(default=None, description="Default: the lead's last name.")
    email: Optional[str] = strawberry.field(default=None, description="Default: the lead's e-mail.")
    phone: Optional[str] = strawberry.field(default=None, description="Default: the lead's phone.")
    title: Optional[str] = strawberry.field(default=None, description="Default: the lead's title.")


@strawberry.input(one_of=True, description="Link an existing account or create one: exactly one of the two.")
class AccountChoice:
    existing_id: int | None = ref(
        "Account", "Link this account (only its empty fields are filled from the lead).", default=strawberry.UNSET
    )
    create: Optional[QualifyAccountInput] = strawberry.field(
        default=strawberry.UNSET, description="Create an account (`{}` takes every field from the lead)."
    )


@strawberry.input(one_of=True, description="Link an existing contact or create one: exactly one of the two.")
class ContactChoice:
    existing_id: int | None = ref(
        "Contact",
        "Link this contact; it must belong to the chosen account. Only empty fields are filled.",
        default=strawberry.UNSET,
    )
    create: Optional[QualifyContactInput] = strawberry.field(
        default=strawberry.UNSET, description="Create a contact (`{}` takes every field from the lead)."
    )


@strawberry.input(description="The opportunity to create; every field has a default.")
class QualifyOpportunityInput:
    title: Optional[str] = strawberry.field(default=None, description='Default: "<company> opportunity".')
    stage_id: int | None = ref("Stage", "Default: the default stage.", default=None)
    currency: Optional[str] = strawberry.field(default=None, description="Default: the base currency.")
    manual_amount: Optional[Decimal] = strawberry.field(default=None, description="The budget, if known.")
    close_date: Optional[dt.date] = strawberry.field(default=None, description="Expected close date.")


@strawberry.input(description="Qualify a lead into an account and/or contact, and optionally an opportunity.")
class QualifyLeadInput:
    lead_id: int = ref("Lead", "The lead (NEW or WORKING).")
    account: Optional[AccountChoice] = strawberry.field(default=None, description="The account: link or create.")
    contact: Optional[ContactChoice] = strawberry.field(default=None, description="The contact: link or create.")
    opportunity: Optional[QualifyOpportunityInput] = strawberry.field(
        default=None,
        description="Omitted or null: no opportunity; `{}`: one with defaults. Its account is the chosen account; "
        "with a contact but no account, the contact's own account, else a new PERSON account made from the lead's "
        "person (a lead without a company can still become a deal).",
    )
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of qualifyLead.")
class QualifyLeadPayload(Payload):
    lead: m.Lead | None = out("The qualified lead.", of=LeadType)
    account: m.Account | None = out("The linked or created account.", of=AccountType)
    contact: m.Contact | None = out("The linked or created contact.", of=ContactType)
    opportunity: m.Opportunity | None = out("The created opportunity.", of=OpportunityType)


@strawberry.input(description="Disqualify a lead that is not qualified.")
class DisqualifyLeadInput:
    lead_id: int = ref("Lead", "The lead.")
    reason: Optional[str] = strawberry.field(default=None, description="Why (at most 500 characters).")


@strawberry.input(description="The lead to act on.")
class LeadIdInput:
    lead_id: int = ref("Lead", "The lead.")


@strawberry.type(description="Result of disqualifyLead.")
class DisqualifyLeadPayload(Payload):
    lead: m.Lead | None = out("The lead after the change.", of=LeadType)


@strawberry.type(description="Result of archiveLead.")
class ArchiveLeadPayload(Payload):
    lead: m.Lead | None = out("The lead after the change.", of=LeadType)


@strawberry.type(description="Result of unarchiveLead.")
class UnarchiveLeadPayload(Payload):
    lead: m.Lead | None = out("The lead after the change.", of=LeadType)


@strawberry.type(description="Result of anonymizeLead.")
class AnonymizeLeadPayload(Payload):
    lead: m.Lead | None = out("The lead after the change.", of=LeadType)


def _choice(value: AccountChoice | ContactChoice | None) -> leads.Choice | None:
    if value is None:
        return None
    if value.existing_id is not strawberry.UNSET and value.existing_id is not None:
        return leads.Choice(existing_id=value.existing_id)
    create = value.create
    return leads.Choice(create=given(create) if create not in (None, strawberry.UNSET) else {})


def _qualification(input: QualifyLeadInput) -> leads.Qualification:
    return leads.Qualification(
        account=_choice(input.account),
        contact=_choice(input.contact),
        opportunity=given(input.opportunity) if input.opportunity is not None else None,
        # the input as sent, for the idempotency fingerprint
        payload={
            "account": echo(input.account),
            "contact": echo(input.contact),
            "opportunity": echo(input.opportunity),
        },
    )


# --- activities ----------------------------------------------------------------------------------


@strawberry.input(description="Log an activity on a lead, opportunity, account, contact or quote.")
class LogActivityInput:
    type: e.ActivityType = strawberry.field(description="CALL, EMAIL, MEETING, TASK or NOTE.")
    subject: str = strawberry.field(description="What it is about.")
    description: Optional[str] = strawberry.field(default=None, description="Details.")
    due_at: Optional[dt.datetime] = strawberry.field(default=None, description="When it is due.")
    assignee_id: int | None = ref("User", "Assignee (default: you).", default=None)
    lead_id: int | None = ref("Lead", "The lead.", default=None)
    opportunity_id: int | None = ref("Opportunity", "The opportunity.", default=None)
    account_id: int | None = ref("Account", "The account.", default=None)
    contact_id: int | None = ref("Contact", "The contact.", default=None)
    quote_id: int | None = ref("Quote", "The quote.", default=None)
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of logActivity.")
class LogActivityPayload(Payload):
    activity: m.Activity | None = out("The logged activity.", of=ActivityType)


@strawberry.input(description="Mark an activity done.")
class CompleteActivityInput:
    activity_id: int = ref("Activity", "The activity.")


@strawberry.type(description="Result of completeActivity.")
class CompleteActivityPayload(Payload):
    activity: m.Activity | None = out("The activity, now done.", of=ActivityType)


@strawberry.type
class Mutation:
    @mutation(on="Stage", description="Reorder the open stages (ADMIN or MANAGER).", input_doc="The new order.")
    async def reorder_stages(self, info: Info, input: ReorderStagesInput) -> ReorderStagesPayload:
        return ReorderStagesPayload(stages=await svc.reorder_stages(info.context.actor, input.stage_ids))

    @mutation(
        on="Stage",
        description="Delete an open stage, moving its opportunities to a replacement.",
        input_doc="Stage and replacement.",
    )
    async def delete_stage(self, info: Info, input: DeleteStageInput) -> DeleteStagePayload:
        pk = await svc.delete_stage(info.context.actor, input.id, input.replacement_stage_id)
        return DeleteStagePayload(deleted_id=strawberry.ID(to_global_id("Stage", pk)))

    @mutation(
        on="Opportunity",
        description="Move an opportunity to a stage; WON/LOST stages win or lose it.",
        input_doc="Target.",
    )
    async def move_opportunity_to_stage(
        self, info: Info, input: MoveOpportunityToStageInput
    ) -> MoveOpportunityToStagePayload:
        opportunity = await svc.move_opportunity_to_stage(
            info.context.actor, input.opportunity_id, input.stage_id, input.close_date
        )
        return MoveOpportunityToStagePayload(opportunity=opportunity)

    @mutation(
        on="Opportunity",
        description="Win an opportunity: WON, probability 100, contracts for its product lines.",
        input_doc="The deal.",
    )
    async def win_opportunity(self, info: Info, input: WinOpportunityInput) -> WinOpportunityPayload:
        opp, made = await svc.win_opportunity(
            info.context.actor, input.opportunity_id, input.close_date, idempotency_key=input.idempotency_key
        )
        return WinOpportunityPayload(opportunity=opp, contracts=made)

    @mutation(on="Opportunity", description="Lose an opportunity: LOST, probability 0.", input_doc="The deal.")
    async def lose_opportunity(self, info: Info, input: LoseOpportunityInput) -> LoseOpportunityPayload:
        opportunity = await svc.lose_opportunity(
            info.context.actor, input.opportunity_id, input.reason, input.close_date
        )
        return LoseOpportunityPayload(opportunity=opportunity)

    @mutation(
        on="Opportunity",
        description="Reopen a won or lost opportunity; its contracts are cancelled.",
        input_doc="The deal.",
    )
    async def reopen_opportunity(self, info: Info, input: ReopenOpportunityInput) -> ReopenOpportunityPayload:
        opportunity = await svc.reopen_opportunity(info.context.actor, input.opportunity_id, input.stage_id)
        return ReopenOpportunityPayload(opportunity=opportunity)

    @mutation(
        on="Lead",
        description="Qualify a lead into an account, a contact and optionally an opportunity.",
        input_doc="The choices.",
    )
    async def qualify_lead(self, info: Info, input: QualifyLeadInput) -> QualifyLeadPayload:
        done = await leads.qualify_lead(
            info.context.actor, input.lead_id, _qualification(input), idempotency_key=input.idempotency_key
        )
        return QualifyLeadPayload(**done)

    @mutation(on="Lead", description="Disqualify a lead (not a qualified one).", input_doc="Lead and reason.")
    async def disqualify_lead(self, info: Info, input: DisqualifyLeadInput) -> DisqualifyLeadPayload:
        return DisqualifyLeadPayload(lead=await leads.disqualify_lead(info.context.actor, input.lead_id, input.reason))

    @mutation(on="Lead", description="Archive a lead.", input_doc="The lead.")
    async def archive_lead(self, info: Info, input: LeadIdInput) -> ArchiveLeadPayload:
        return ArchiveLeadPayload(lead=await leads.set_archived(info.context.actor, input.lead_id, True))

    @mutation(on="Lead", description="Unarchive a lead.", input_doc="The lead.")
    async def unarchive_lead(self, info: Info, input: LeadIdInput) -> UnarchiveLeadPayload:
        return UnarchiveLeadPayload(lead=await leads.set_archived(info.context.actor, input.lead_id, False))

    @mutation(
        on="Lead", description="Erase a lead's personal fields for good (timeline included).", input_doc="The lead."
    )
    async def anonymize_lead(self, info: Info, input: LeadIdInput) -> AnonymizeLeadPayload:
        return AnonymizeLeadPayload(lead=await leads.anonymize_lead(info.context.actor, input.lead_id))

    @mutation(
        on="Activity",
        description="Log an activity on a record (it shows on the record's timeline).",
        input_doc="The activity.",
    )
    async def log_activity(self, info: Info, input: LogActivityInput) -> LogActivityPayload:
        raw = {k: v for k, v in given(input).items() if v is not None}
        key = raw.pop("idempotency_key", None)
        activity = await crud.create(info.context.actor, "Activity", raw, idempotency_key=key)
        return LogActivityPayload(activity=activity)

    @mutation(on="Activity", description="Mark an activity done.", input_doc="The activity.")
    async def complete_activity(self, info: Info, input: CompleteActivityInput) -> CompleteActivityPayload:
        return CompleteActivityPayload(activity=await svc.complete_activity(info.context.actor, input.activity_id))
