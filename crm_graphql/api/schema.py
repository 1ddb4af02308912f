"""The schema: Query, Mutation, extensions (limits, masking, caches)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLObjectType
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import get_object_definition

from crm_graphql.api import internals, queries, subscriptions
from crm_graphql.api.limits import MAX_TOKENS, FastTokenLimit, QueryLimits, RequestMaskErrors
from crm_graphql.api.mutations import (
    account_relations,
    catalog,
    contact_roles,
    conversions,
    crud,
    documents,
    partners,
    pipeline,
    pipelines,
    quotes,
    sharing,
    splits,
)
from crm_graphql.api.queries import pipelines as queries_pipelines
from crm_graphql.api.queries import reporting
from crm_graphql.api.queries import splits as queries_splits
from crm_graphql.api.read.executor import CompiledExecutor
from crm_graphql.api.relay import MODELS
from crm_graphql.api.scalars import SCALAR_MAP
from crm_graphql.api.transport import tracing
from crm_graphql.api.transport.request import ObserveOperation
from crm_graphql.services import access

#: Our own client-facing error codes: kept readable by MaskErrors.
CLIENT_CODES = frozenset(
    {
        "INVALID_PAGINATION",
        "INVALID_FILTER",
        "MAX_DEPTH_EXCEEDED",
        "MAX_NODES_EXCEEDED",
        "MAX_ALIASES_EXCEEDED",
        "MAX_COMPLEXITY_EXCEEDED",
        "MAX_TOKENS_EXCEEDED",
        "UNAUTHENTICATED",
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
        "TIMEOUT",
        "MISSING_EXCHANGE_RATE",
        "INVALID",
        "OPERATION_NAME_REQUIRED",
    }
)


def should_mask_error(error: GraphQLError) -> bool:
    """Mask unexpected errors only: validation errors (no original error) and our own
    client-facing errors stay readable."""
    original = error.original_error
    if original is None:
        return False
    if isinstance(original, GraphQLError):
        if error.path is None and original.original_error is None:
            return False  # variable coercion (a Decimal sent as a JSON number, an unknown field): client input
        return (original.extensions or {}).get("code") not in CLIENT_CODES
    return not isinstance(original, ValueError | TypeError) or error.path is not None


#: The roots, merged from these lists in this order (the order fixes the SDL's field order).
#: A module adds its ``Query`` / ``Mutation`` / ``Subscription`` here; a field name declared
#: twice stops the build.
QUERIES: tuple[type, ...] = (queries.Query, reporting.Query, queries_pipelines.Query, queries_splits.Query)
MUTATIONS: tuple[type, ...] = (
    crud.CrudMutation,
    account_relations.Mutation,
    catalog.Mutation,
    contact_roles.Mutation,
    conversions.Mutation,
    documents.Mutation,
    partners.Mutation,
    pipeline.Mutation,
    pipelines.Mutation,
    quotes.Mutation,
    sharing.Mutation,
    splits.Mutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (subscriptions.Subscription,)


def merge(name: str, parts: tuple[type, ...], description: str) -> type:
    """One root type from the parts (``strawberry.tools.merge_types``, with a description, and
    a duplicate field an error rather than a warning)."""
    seen: set[str] = set()
    for part in parts:
        for f in get_object_definition(part, strict=True).fields:
            if f.python_name in seen:
                raise TypeError(f"{name}.{f.python_name} is declared twice")
            seen.add(f.python_name)
    return strawberry.type(type(name, parts, {}), name=name, description=description)


def _fast_path(schema: strawberry.Schema) -> None:
    """Resolve the hottest fields straight from graphql-core, skipping strawberry's per-field
    Info and extension wrapping (PITFALLS 10): global ids, money and number fields
    (``metadata={"fast": fn(root)}``) and to-one relations through the DataLoaders
    (``metadata={"fast_ref": (model, fk_attr)}``). Behaviour is the same; only the wrapping goes.
    """
    for gql_type in internals.graphql_schema(schema).type_map.values():
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        for gql_field in gql_type.fields.values():
            definition = (gql_field.extensions or {}).get("strawberry-definition")
            metadata = getattr(definition, "metadata", None) or {}
            if "fast" in metadata:
                gql_field.resolve = _plain(metadata["fast"])
            elif "fast_ref" in metadata:
                gql_field.resolve = _ref(*metadata["fast_ref"])


def _plain(fn: Any) -> Any:
    def resolve(root: Any, _info: Any) -> Any:
        return fn(root)

    return resolve


def _ref(model: Any, attr: str) -> Any:
    def resolve(root: Any, info: Any) -> Any:
        pk = getattr(root, attr)
        if pk is None:
            return None
        return info.context.by_id(model, include_deleted=True).load(pk)

    return resolve


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with the query's text around it and a traceback; the log
        never holds a query, variables or a token (README). A client's mistake is on the request's
        own line already, a database fault too (``crm_graphql.faults``), and an unexpected error
        is logged once, with the request id and its traceback but not the document, by
        ``RequestMaskErrors`` (api/limits.py): nothing is left to log here."""


def build_schema() -> strawberry.Schema:
    # fail closed: every type node(id:) can return needs a visibility and a write rule
    access.check_complete(MODELS.values())
    query = merge("Query", QUERIES, "Read the CRM graph.")
    mutation = merge("Mutation", MUTATIONS, "Change the CRM: CRUD and domain operations.")
    subscription = merge("Subscription", SUBSCRIPTIONS, "Live updates over graphql-transport-ws.")
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=CompiledExecutor,
        extensions=[
            lambda: FastTokenLimit(MAX_TOKENS),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            QueryLimits,
            lambda: RequestMaskErrors(should_mask_error=should_mask_error),
            ObserveOperation,
            *tracing.schema_extensions(),
        ],
    )
    _fast_path(schema)
    return schema
