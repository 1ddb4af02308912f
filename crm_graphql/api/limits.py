"""Query limits checked before any SQL runs, and error hygiene.

``QueryLimits`` runs at validation time (after graphql-core's own rules passed): it walks
the operation once, each fragment once (memoized, so the time is linear in the document
however the fragments spread each other; strawberry's depth and alias limiters re-walk every
spread and are not used), and refuses

- more than ``MAX_FIELDS`` fields counted after expanding fragments ->
  ``MAX_COMPLEXITY_EXCEEDED``;
- more than ``MAX_ALIASES`` aliases (fragments expanded) -> ``MAX_ALIASES_EXCEEDED``;

- a depth above ``MAX_DEPTH`` (every field level counts, introspection included, so a
  circular introspection query is bounded too) -> ``MAX_DEPTH_EXCEEDED``;
- ``first``/``last`` outside 0..100 on any connection, literal or variable ->
  ``INVALID_PAGINATION``;
- more than ``MAX_NODES`` requested nodes by GitHub's formula (sum over connections of
  ``first`` (or ``last``, absent = 20) times the ``first``s of all enclosing connections)
  -> ``MAX_NODES_EXCEEDED``.

The cost lands in the response's ``extensions.cost`` on every response. The extension
also gives stock limit errors (depth, tokens, aliases) their ``extensions.code`` and strips
"Did you mean ...?" field suggestions unless ``settings.debug``.

``RequestMaskErrors`` masks unexpected errors as "Unexpected error." with
``INTERNAL_SERVER_ERROR`` and a request id, logged server side under that id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import MaskErrors, SchemaExtension

from crm_graphql import faults
from crm_graphql.api import input_guard, internals
from crm_graphql.api.transport.request import current_request_id

MAX_DEPTH = 20
MAX_ALIASES = 100
#: Tokens a document may have (checked before parsing, api.view and FastTokenLimit).
MAX_TOKENS = 20_000
#: Fields a document may select once its fragments are expanded (MAX_COMPLEXITY_EXCEEDED):
#: a document without fragments needs more tokens than MaxTokensLimiter allows to get there.
MAX_FIELDS = 10_000
MAX_NODES = 500_000
MAX_PAGE = 100
DEFAULT_PAGE = 20

logger = logging.getLogger("crm_graphql.errors")


def limit_error(message: str, code: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": code})


@dataclass
class Cost:
    requested_nodes: int = 0
    depth: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"requestedNodes": self.requested_nodes, "maxNodes": MAX_NODES, "depth": self.depth}


@dataclass(frozen=True)
class _Summary:
    """What a selection set costs, fragments expanded, at an enclosing multiplier of 1.

    Every count is linear in the enclosing multiplier, so a fragment's summary is computed
    once and reused at each spread: the walk is linear in the document, however often the
    fragments spread each other (PITFALLS 10c).
    """

    fields: int = 0
    aliases: int = 0
    depth: int = 0
    nodes: int = 0

    def __add__(self, other: _Summary) -> _Summary:
        return _Summary(
            self.fields + other.fields,
            self.aliases + other.aliases,
            max(self.depth, other.depth),
            self.nodes + other.nodes,
        )


_EMPTY = _Summary()


class _Walker:
    """One pass over an operation, each fragment walked once: depth, aliases, fields after
    expanding fragments, node budget and page-size checks."""

    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.errors: list[GraphQLError] = []
        self._memo: dict[str, _Summary] = {}
        self._active: set[str] = set()
        #: The variables the walk read (the page sizes given as variables).
        self.read: set[str] = set()

    def _page_arg(self, node: FieldNode, name: str) -> tuple[bool, int | None]:
        for arg in node.arguments or ():
            if arg.name.value != name:
                continue
            value = arg.value
            if isinstance(value, IntValueNode):
                return True, int(value.value)
            if isinstance(value, VariableNode):
                self.read.add(value.name.value)
                raw = self.variables.get(value.name.value)
                return True, raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            return True, None
        return False, None

    def _page_size(self, node: FieldNode) -> int:
        sizes = []
        for name in ("first", "last"):
            present, value = self._page_arg(node, name)
            if present and value is not None:
                if not 0 <= value <= MAX_PAGE:
                    self.errors.append(
                        limit_error(
                            f"`{name}` on `{node.name.value}` must be between 0 and {MAX_PAGE}; got {value}.",
                            "INVALID_PAGINATION",
                            node,
                        )
                    )
                sizes.append(max(value, 0))
        return max(sizes) if sizes else DEFAULT_PAGE

    def walk(self, selection_set: SelectionSetNode, parent: Any) -> _Summary:
        total = _EMPTY
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total = total + self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                total = total + self.walk(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total = total + self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> _Summary:
        known = self._memo.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self._active:  # unknown or cyclic: validation refuses those
            return _EMPTY
        self._active.add(name)
        target = self.schema.get_type(fragment.type_condition.name.value)
        summary = self._memo[name] = self.walk(fragment.selection_set, target)
        self._active.discard(name)
        return summary

    def _field(self, node: FieldNode, parent: Any) -> _Summary:
        name = node.name.value
        field_type = None
        if name == "__schema":
            field_type = SchemaMetaFieldDef.type
        elif name == "__type":
            field_type = TypeMetaFieldDef.type
        elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
            field_type = definition.type if definition is not None else None
        named = get_named_type(field_type) if field_type is not None else None
        size, multiplier = 0, 1
        if named is not None and named.name.endswith("Connection"):
            size = self._page_size(node)
            multiplier = max(size, 1)
        child = self.walk(node.selection_set, named) if node.selection_set is not None else _EMPTY
        return _Summary(
            fields=1 + child.fields,
            aliases=(1 if node.alias is not None else 0) + child.aliases,
            depth=1 + child.depth,
            nodes=size + multiplier * child.nodes,
        )


def analyse(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any] | None
) -> tuple[Cost, list[GraphQLError]]:
    """The cost of the operation that will run, and the limit errors it breaks.

    Cached per document (the parser cache hands the same document object for the same text),
    operation and the values of the variables the walk read (the page sizes given as
    variables): the cost does not depend on the user. Only an analysis without errors is kept,
    so a refusal is computed afresh each time (its errors are new objects per response).
    """
    entry = _ANALYSES.get(id(document))
    if entry is None or entry[0] is not document or entry[1] is not schema:
        entry = (document, schema, {})
        _ANALYSES[id(document)] = entry
        if len(_ANALYSES) > ANALYSIS_CACHE_SIZE:
            _ANALYSES.popitem(last=False)
    else:
        _ANALYSES.move_to_end(id(document))
    per_operation = entry[2]
    known = per_operation.get(operation_name)
    if known is not None:
        key = _values_key(known[0], variables)
        cost = known[1].get(key) if key is not None else None
        if cost is not None:
            return cost, []
    cost, errors, read = _analyse(schema, document, operation_name, variables)
    if not errors:
        names = tuple(sorted(read))
        key = _values_key(names, variables)
        if key is not None:
            costs = per_operation.setdefault(operation_name, (names, {}))[1]
            if len(costs) < VALUES_PER_DOCUMENT:
                costs[key] = cost
    return cost, errors


#: id(document) -> (document, schema, {operation name: (variables read, {their values: cost})});
#: a bounded LRU like the parser and validation caches. The entry keeps the document alive, so
#: its id is not reused meanwhile.
_ANALYSES: OrderedDict[int, tuple[Any, Any, dict[str | None, tuple[tuple[str, ...], dict[Any, Cost]]]]] = OrderedDict()
ANALYSIS_CACHE_SIZE = 512
#: Distinct page-size values kept per document and operation.
VALUES_PER_DOCUMENT = 64
_ABSENT = object()


def _values_key(names: tuple[str, ...], variables: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """The values of ``names`` as a key (typed: 1 and True differ), None when one is not a
    plain scalar (then the analysis runs every time)."""
    key = []
    for name in names:
        value = (variables or {}).get(name, _ABSENT)
        if value is not _ABSENT and value is not None and type(value) not in (int, bool, float, str):
            return None
        if type(value) is str and len(value) > 64:
            return None
        key.append((type(value), value))
    return tuple(key)


def _analyse(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any] | None
) -> tuple[Cost, list[GraphQLError], set[str]]:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if not operations:
        return Cost(), [], set()
    operation = operations[0]
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        key = definition.variable.name.value
        if key not in values and isinstance(definition.default_value, IntValueNode):
            values[key] = int(definition.default_value.value)
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    walker = _Walker(schema, fragments, values)
    try:
        summary = walker.walk(operation.selection_set, root)
    except RecursionError:  # fragments chained thousands deep: no real client sends that
        return Cost(), [limit_error("The document nests too deeply to analyse.", "MAX_COMPLEXITY_EXCEEDED")], set()
    cost = Cost(requested_nodes=summary.nodes, depth=summary.depth)
    errors = walker.errors
    if summary.fields > MAX_FIELDS:
        errors.insert(
            0,
            limit_error(
                f"The document selects {summary.fields} fields once its fragments are expanded; "
                f"at most {MAX_FIELDS} are allowed.",
                "MAX_COMPLEXITY_EXCEEDED",
            ),
        )
        cost = Cost(depth=summary.depth)  # a cost from an exploded document means nothing
    if summary.depth > MAX_DEPTH:
        errors.insert(
            0,
            limit_error(
                f"The query is {summary.depth} levels deep; at most {MAX_DEPTH} are allowed.", "MAX_DEPTH_EXCEEDED"
            ),
        )
    if summary.aliases > MAX_ALIASES:
        errors.append(
            limit_error(
                f"{summary.aliases} aliases found. Allowed: {MAX_ALIASES}.",
                "MAX_ALIASES_EXCEEDED",
            )
        )
    if summary.nodes > MAX_NODES and summary.fields <= MAX_FIELDS:
        errors.append(
            limit_error(
                f"The query may return {summary.nodes} nodes; at most {MAX_NODES} are allowed "
                "(sum over connections of `first` times the `first`s of enclosing connections).",
                "MAX_NODES_EXCEEDED",
            )
        )
    return cost, errors, walker.read


def operation_errors(document: Any, operation_name: str | None) -> list[GraphQLError]:
    """Several operations need ``operationName`` (GraphQL-over-HTTP): never run the first."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None and len(operations) > 1:
        return [
            limit_error(
                "The document holds several operations: say which to run with `operationName`.",
                "OPERATION_NAME_REQUIRED",
            )
        ]
    return []


def tidy(error: GraphQLError, debug: bool) -> None:
    """Give stock limit errors their code; hide field suggestions in production."""
    if not debug and internals.SUGGESTION.search(error.message):
        error.message = internals.SUGGESTION.sub("", error.message)
    if error.extensions and "code" in error.extensions:
        return
    for pattern, code in internals.STOCK_CODES:
        if pattern.search(error.message):
            error.extensions = {**(error.extensions or {}), "code": code}
            return


class QueryLimits(SchemaExtension):
    """Depth, page size and node budget, before execution; the cost in ``extensions``."""

    def __init__(self, *, execution_context: Any = None) -> None:
        self.cost = Cost()

    def _debug(self) -> bool:
        settings = getattr(self.execution_context.context, "settings", None)
        return bool(getattr(settings, "debug", False))

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.pre_execution_errors is None and ctx.graphql_document is not None:
            from strawberry.schema.schema import validate_document

            ctx.pre_execution_errors = validate_document(
                internals.graphql_schema(ctx.schema), ctx.graphql_document, tuple(ctx.validation_rules)
            )
        if not ctx.pre_execution_errors and ctx.graphql_document is not None:
            self.cost, errors = analyse(
                internals.graphql_schema(ctx.schema), ctx.graphql_document, ctx.operation_name, ctx.variables
            )
            # strawberry's ``operation_name`` falls back to the first operation's name: ask
            # for the one the client sent
            provided = getattr(ctx, "_provided_operation_name", ctx.operation_name)
            errors = operation_errors(ctx.graphql_document, provided) + errors
            if not errors:
                errors = input_guard.check_request(ctx.graphql_document, ctx.variables)
            if errors:
                ctx.pre_execution_errors = errors
        yield

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as exc:  # ParserCache lets parse errors (tokens) escape the operation
            tidy(exc, self._debug())
            raise
        result = self.execution_context.result
        debug = self._debug()
        for error in getattr(result, "errors", None) or ():
            tidy(error, debug)

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost.as_dict()}


class RequestMaskErrors(MaskErrors):
    """Unexpected errors become "Unexpected error." with a request id, logged with it."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        found = faults.classify(original) if original is not None else None
        if found is not None:  # the database is down or busy: 503, one log line, no traceback
            faults.note(found)
            return GraphQLError(
                message=found.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
                extensions={"code": faults.CODE, "fault": found.kind},
            )
        request_id = current_request_id() or uuid.uuid4().hex
        logger.error(
            "Unexpected error request_id=%s at %s: %r",
            request_id,
            error.path,
            original,
            exc_info=(type(original), original, original.__traceback__) if original is not None else None,
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


#: The lexemes of a GraphQL document, found by one C-level regex scan: comments and strings
#: (unterminated ones up to the end of their line or document), spreads, punctuators, names
#: and numbers. Each match is at least one token of graphql-core's lexer (which counts
#: comments toward ``max_tokens`` too), so the count is a lower bound.
_LEXEME = re.compile(
    r'#[^\n\r]*|"""(?:\\"""|[^"]|"(?!""))*(?:"""|\Z)|"(?:[^"\\\n\r]|\\.)*"?'
    r"|\.\.\.|[!$&()\[\]{}:=@|]|[_A-Za-z][_0-9A-Za-z]*|-?[0-9][0-9.eE+\-]*|\S"
)


def token_limit_position(query: str, max_tokens: int) -> int | None:
    """Where the document passes ``max_tokens`` tokens (the offset of token ``max_tokens + 1``),
    or None: found by a regex scan that stops there, so refusing a huge document costs
    milliseconds rather than a pure-Python tokenisation of its first ``max_tokens`` tokens."""
    if len(query) <= max_tokens:  # every token is at least one character
        return None
    for count, match in enumerate(_LEXEME.finditer(query), start=1):
        if count > max_tokens:
            return match.start()
    return None


class FastTokenLimit(SchemaExtension):
    """Refuse a document over ``max_tokens`` tokens before graphql-core parses it, with
    graphql-core's own error (``MAX_TOKENS_EXCEEDED``); the parser's ``max_tokens`` still
    stops the lexer for documents this scan counts short."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if isinstance(query, str) and self.execution_context.graphql_document is None:
            position = token_limit_position(query, self.max_tokens)
            if position is not None:
                raise GraphQLSyntaxError(
                    Source(query),
                    position,
                    f"Document contains more than {self.max_tokens} tokens. Parsing aborted.",
                )
        yield
