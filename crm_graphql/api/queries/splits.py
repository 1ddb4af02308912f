"""Lead split rules (DOMAIN.md 11): ``leadSplitRules`` and ``leadSplitRule``."""

from __future__ import annotations

from typing import Annotated, Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api import queries
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.types.common import list_field
from crm_graphql.api.types.splits import LeadSplitRuleType


@strawberry.type
class Query:
    lead_split_rules = list_field("LeadSplitRule", description="Lead split rules (partners see none).")

    @field(description="A lead split rule by ID.", graphql_type=Optional[LeadSplitRuleType])
    async def lead_split_rule(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> m.LeadSplitRule | None:
        row: m.LeadSplitRule | None = await queries.load_node(info, id, "LeadSplitRule")
        return row
