"""Pipelines (DOMAIN.md 11): ``deletePipeline`` and ``moveOpportunityToPipeline``
(``createPipeline``/``updatePipeline`` are plain CRUD; the queries are in api.queries.pipelines)."""

from __future__ import annotations

from typing import Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import opportunities as svc


@strawberry.input(description="One stage of a deleted pipeline and the stage of the replacement it maps to.")
class StageMapInput:
    from_stage_id: int = ref("Stage", "A stage of the pipeline being deleted.")
    to_stage_id: int = ref("Stage", "A stage of the replacement pipeline, of the same kind.")


@strawberry.input(description="Delete a pipeline; its opportunities move to the replacement's mapped stages.")
class DeletePipelineInput:
    id: int = ref("Pipeline", "The pipeline to delete (not the default one).")
    replacement_pipeline_id: int | None = ref(
        "Pipeline", "Pipeline that receives its opportunities; required when it has some.", default=None
    )
    stage_map: Optional[list[StageMapInput]] = strawberry.field(
        default=None,
        description="Where the opportunities of each stage land; every open stage in use must be mapped (WON and "
        "LOST stages default to the replacement's WON and LOST stages).",
    )


@strawberry.type(description="Result of deletePipeline.")
class DeletePipelinePayload(Payload):
    deleted_id: strawberry.ID | None = out("Global ID of the deleted pipeline.")


@strawberry.input(description="Move an open opportunity to another pipeline.")
class MoveOpportunityToPipelineInput:
    opportunity_id: int = ref("Opportunity", "The opportunity.")
    stage_id: int = ref("Stage", "The open stage it lands on in the other pipeline.")


@strawberry.type(description="Result of moveOpportunityToPipeline.")
class MoveOpportunityToPipelinePayload(Payload):
    opportunity: m.Opportunity | None = out("The opportunity in its new pipeline and stage.", of=OpportunityType)


@strawberry.type
class Mutation:
    @mutation(
        on="Pipeline",
        description="Delete a pipeline and its stages, moving its opportunities to a replacement.",
        input_doc="Pipeline, replacement, stage map.",
    )
    async def delete_pipeline(self, info: Info, input: DeletePipelineInput) -> DeletePipelinePayload:
        pairs = [(entry.from_stage_id, entry.to_stage_id) for entry in input.stage_map or []]
        pk = await svc.delete_pipeline(info.context.actor, input.id, input.replacement_pipeline_id, pairs)
        return DeletePipelinePayload(deleted_id=strawberry.ID(to_global_id("Pipeline", pk)))

    @mutation(
        on="Opportunity",
        description="Move an open opportunity into a stage of another pipeline.",
        input_doc="Opportunity and stage.",
    )
    async def move_opportunity_to_pipeline(
        self, info: Info, input: MoveOpportunityToPipelineInput
    ) -> MoveOpportunityToPipelinePayload:
        opportunity = await svc.move_opportunity_to_pipeline(info.context.actor, input.opportunity_id, input.stage_id)
        return MoveOpportunityToPipelinePayload(opportunity=opportunity)
