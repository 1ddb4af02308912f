"""The hook: the schema's executor class. After parsing, validation, limits and
authentication, a query operation the planner covers is answered by the compiled path;
everything else, and any operation the compiled path cannot answer exactly as graphql-core
would (an unknown field, a paging or filter error, a hidden non-null relation), runs through
graphql-core unchanged. The decision is made per operation: never half of each."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from graphql import DirectiveNode, OperationType, VariableNode, visit
from graphql import Visitor as GraphQLVisitor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from crm_graphql.api import read
from crm_graphql.api.read.args import arguments
from crm_graphql.api.read.build import Builder
from crm_graphql.api.read.fetch import Fetcher
from crm_graphql.api.read.plan import ROOT_CONN, ROOT_NODE, Planner, Unsupported
from crm_graphql.api.relay import MalformedId, from_global_id

logger = logging.getLogger("crm_graphql.read")


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    #: How many operations ran compiled / fell back (tests and the bench read these).
    compiled = 0
    fallbacks = 0

    def execute_collected_root_fields(
        self, root_type: Any, root_value: Any, grouped_field_set: Any, serially: bool, new_defer_usages: Any
    ) -> Any:
        reference = super().execute_collected_root_fields
        if (
            not read.enabled()
            or self.operation.operation != OperationType.QUERY
            or getattr(self.middleware_manager, "middlewares", None)
        ):
            return reference(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        planned = self._plan(root_type, grouped_field_set)
        if planned is None:
            type(self).fallbacks += 1
            return reference(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        planner, roots = planned

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

    def _plan(self, root_type: Any, grouped_field_set: Any) -> tuple[Planner, list[tuple[str, int, Any]]] | None:
        """The operation's plan (None: not covered), cached per operation document and the
        values of the variables its ``@skip``/``@include`` read. Plans hold no user: visibility
        is applied when the statements are built, with the request's user."""
        operation = self.operation
        entry = _PLANS.get(id(operation))
        if entry is None or entry[0] is not operation or entry[3] is not self.schema:
            entry = (operation, _directive_variables(operation, self.fragment_definitions), {}, self.schema)
            _PLANS[id(operation)] = entry
            if len(_PLANS) > PLAN_CACHE_SIZE:
                _PLANS.popitem(last=False)
        else:
            _PLANS.move_to_end(id(operation))
        _, names, by_values, _ = entry
        coerced = self.variable_values.coerced
        key = tuple(repr(coerced.get(n)) for n in names)
        if key not in by_values:
            planner = Planner(self.schema, self.fragments, self.variable_values, operation)
            try:
                by_values[key] = (planner, planner.root(root_type, grouped_field_set))
            except Unsupported:
                by_values[key] = None
        return by_values[key]  # type: ignore[no-any-return]  # the cache holds what the builder made, typed Any

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


#: id(operation) -> (operation, directive variable names, plans by their values, schema);
#: bounded LRU. The entry keeps the operation alive, so its id is not reused meanwhile.
_PLANS: OrderedDict[int, tuple[Any, tuple[str, ...], dict[tuple[str, ...], Any], Any]] = OrderedDict()
PLAN_CACHE_SIZE = 256


def _directive_variables(operation: Any, fragments: dict[str, Any]) -> tuple[str, ...]:
    """Names of the variables ``@skip``/``@include`` read in the operation and its fragments."""
    names: set[str] = set()

    class Visitor(GraphQLVisitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            for arg in node.arguments or ():
                if isinstance(arg.value, VariableNode):
                    names.add(arg.value.name.value)

    for node in (operation, *fragments.values()):
        visit(node, Visitor())
    return tuple(sorted(names))


def fetcher_args(fetcher: Fetcher, plan: Any) -> dict[str, Any]:
    return arguments(fetcher.schema, plan.field_def, plan.nodes[0], fetcher.variables)
