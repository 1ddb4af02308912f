"""Field arguments as the resolvers receive them: graphql-core's coercion, then strawberry's
conversion into input objects and enums."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments


def arguments(schema: Any, field_def: GraphQLField, node: Any, variables: Any) -> dict[str, Any]:
    raw = get_argument_values(field_def, node, variables)
    definition = (field_def.extensions or {}).get("strawberry-definition")
    assert definition is not None, f"{field_def} is not a strawberry field"
    strawberry_schema = schema._strawberry_schema
    return convert_arguments(
        raw,
        definition.arguments,
        scalar_registry=strawberry_schema.schema_converter.scalar_registry,
        config=strawberry_schema.config,
    )
