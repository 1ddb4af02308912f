"""Pipelines (DOMAIN.md 11): ``pipelines`` and ``pipeline``."""

from __future__ import annotations

from typing import Annotated, Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api import queries
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.types.pipeline import PipelineType
from crm_graphql.services import reads


@strawberry.type
class Query:
    @field(description="Every pipeline, the default one first, then by name.", graphql_type=list[PipelineType])
    async def pipelines(self, info: Info) -> list[m.Pipeline]:
        return await reads.pipelines(info.context.user)

    @field(description="A pipeline by ID.", graphql_type=Optional[PipelineType])
    async def pipeline(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> m.Pipeline | None:
        row: m.Pipeline | None = await queries.load_node(info, id, "Pipeline")
        return row
