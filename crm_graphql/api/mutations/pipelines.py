"""Pipelines (DOMAIN.md 11): ``deletePipeline`` and ``moveOpportunityToPipeline``
(``createPipeline``/``updatePipeline`` are plain CRUD; the queries are in api.queries.pipelines)."""

from typing import Annotated, Any, Optional

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, decode_optional, make_payload, run
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.common import lazy
from crm_graphql.services import opportunities as svc
from crm_graphql.services import permissions

OpportunityT = lazy("Opportunity")


@strawberry.input(description="One stage of a deleted pipeline and the stage of the replacement it maps to.")
class StageMapInput:
    from_stage_id: strawberry.ID = strawberry.field(description="A stage of the pipeline being deleted.")
    to_stage_id: strawberry.ID = strawberry.field(description="A stage of the replacement pipeline, of the same kind.")


@strawberry.input(description="Delete a pipeline; its opportunities move to the replacement's mapped stages.")
class DeletePipelineInput:
    id: strawberry.ID = strawberry.field(description="The pipeline to delete (not the default one).")
    replacement_pipeline_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="Pipeline that receives its opportunities; required when it has some."
    )
    stage_map: Optional[list[StageMapInput]] = strawberry.field(
        default=None,
        description="Where the opportunities of each stage land; every open stage in use must be mapped (WON and "
        "LOST stages default to the replacement's WON and LOST stages).",
    )


DeletePipelinePayload = make_payload(
    "DeletePipelinePayload",
    {"deleted_id": (strawberry.ID, "Global ID of the deleted pipeline.")},
    "Result of deletePipeline.",
)


@strawberry.input(description="Move an open opportunity to another pipeline.")
class MoveOpportunityToPipelineInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity.")
    stage_id: strawberry.ID = strawberry.field(description="The open stage it lands on in the other pipeline.")


MoveOpportunityToPipelinePayload = make_payload(
    "MoveOpportunityToPipelinePayload",
    {"opportunity": (OpportunityT, "The opportunity in its new pipeline and stage.")},
    "Result of moveOpportunityToPipeline.",
)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Delete a pipeline and its stages, moving its opportunities to a replacement.")
    async def delete_pipeline(
        self,
        info: Info,
        input: Annotated[DeletePipelineInput, strawberry.argument(description="Pipeline, replacement, stage map.")],
    ) -> DeletePipelinePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            permissions.authorize(actor, "deletePipeline", "Pipeline")
            pk = decode_id(input.id, "Pipeline", ("input", "id"))
            repl = decode_optional(input.replacement_pipeline_id, "Pipeline", ("input", "replacementPipelineId"))
            pairs = []
            for i, entry in enumerate(input.stage_map or []):
                path = ("input", "stageMap", str(i))
                pairs.append((decode_id(entry.from_stage_id, "Stage", (*path, "fromStageId")),
                              decode_id(entry.to_stage_id, "Stage", (*path, "toStageId"))))  # fmt: skip
            return {"deleted_id": to_global_id("Pipeline", await svc.delete_pipeline(actor, pk, repl, pairs))}

        return await run(DeletePipelinePayload, call)

    @strawberry.mutation(description="Move an open opportunity into a stage of another pipeline.")
    async def move_opportunity_to_pipeline(
        self,
        info: Info,
        input: Annotated[MoveOpportunityToPipelineInput, strawberry.argument(description="Opportunity and stage.")],
    ) -> MoveOpportunityToPipelinePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = info.context.user
            permissions.authorize(actor, "moveOpportunityToPipeline", "Opportunity")
            opp = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            stage = decode_id(input.stage_id, "Stage", ("input", "stageId"))
            return {"opportunity": await svc.move_opportunity_to_pipeline(actor, opp, stage)}

        return await run(MoveOpportunityToPipelinePayload, call)
