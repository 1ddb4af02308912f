"""The hook: the schema's executor class. After parsing, validation, limits and
authentication, a query operation the planner covers is answered by the compiled path;
everything else, and any operation the compiled path cannot answer exactly as graphql-core
would (an unknown field, a paging or filter error, a hidden non-null relation), runs through
graphql-core unchanged. The decision is made per operation: never half of each."""

from __future__ import annotations

import logging
from typing import Any

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from crm_graphql.api import read
from crm_graphql.api.read.build import Builder
from crm_graphql.api.read.fetch import Fetcher
from crm_graphql.api.read.plan import ROOT_CONN, ROOT_NODE, Planner, Unsupported
from crm_graphql.api.relay import MalformedId, from_global_id

logger = logging.getLogger("crm_graphql.read")


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    #: How many operations ran compiled / fell back (tests and the bench read these).
    compiled = 0
    fallbacks = 0

    def execute_collected_root_fields(  # type: ignore[override]
        self, root_type: Any, root_value: Any, grouped_field_set: Any, serially: bool, new_defer_usages: Any
    ) -> Any:
        reference = super().execute_collected_root_fields
        if (
            not read.enabled()
            or self.operation.operation != OperationType.QUERY
            or getattr(self.middleware_manager, "middlewares", None)
        ):
            return reference(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        try:
            planner = Planner(self.schema, self.fragments, self.variable_values, self.operation)
            roots = planner.root(root_type, grouped_field_set)
        except Unsupported:
            type(self).fallbacks += 1
            return reference(root_type, root_value, grouped_field_set, serially, new_defer_usages)

        async def run() -> Any:
            try:
                data = await self._run(planner, roots)
            except Exception as exc:  # any doubt: the reference executor answers, errors and all
                logger.debug("compiled read path fell back: %r", exc)
                type(self).fallbacks += 1
                result = reference(root_type, root_value, grouped_field_set, serially, new_defer_usages)
                if self.is_awaitable(result):
                    result = await result
                return result
            type(self).compiled += 1
            return data

        return run()

    async def _run(self, planner: Planner, roots: list[tuple[str, int, Any]]) -> dict[str, Any]:
        user = getattr(self.context_value, "user", None)
        fetcher = Fetcher(self.schema, user, self.variable_values)
        builder = Builder(fetcher)
        nodes: dict[str, Any] = {}
        for key, kind, plan in roots:
            if kind == ROOT_CONN:
                await fetcher.root(plan)
            elif kind == ROOT_NODE:
                args = fetcher_args(fetcher, plan)
                try:
                    type_name, pk = from_global_id(args["id"])
                except MalformedId:
                    nodes[key] = None
                    continue
                if plan.expected is not None and type_name != plan.expected:
                    nodes[key] = None
                    continue
                obj = planner.runtime_obj(plan, type_name)
                row = await fetcher.node(obj, pk)
                nodes[key] = None if row is None else (obj, row)
        data: dict[str, Any] = {}
        for key, kind, plan in roots:
            if kind == ROOT_CONN:
                data[key] = builder.connection(plan, None)
            elif kind == ROOT_NODE:
                found = nodes[key]
                data[key] = None if found is None else builder.obj(*found)
            else:
                data[key] = plan
        return data


def fetcher_args(fetcher: Fetcher, plan: Any) -> dict[str, Any]:
    from crm_graphql.api.read.args import arguments

    return arguments(fetcher.schema, plan.field_def, plan.nodes[0], fetcher.variables)
