"""The one place that leans on what strawberry and graphql-core do not promise.

Everything else uses their public extension points (schema and field extensions, the custom
execution context, ``GraphQLField.resolve``). What is here may change with an upgrade;
``tests/test_upgrade_canaries.py`` checks each item against the installed versions and fails
loudly when one moves:

- ``graphql_schema``: strawberry keeps the graphql-core schema it built in ``Schema._schema``
  (no public accessor); the limits walk, the subscription cost check and the resolver fast
  path read it.
- ``input_from_json``: turning a stored JSON value back into a strawberry input object uses
  ``strawberry.types.arguments.convert_argument`` and the schema's scalar registry (and
  graphql-core 3.3's ``coerce_input_value`` answers ``Undefined``, not an error, for a misfit).
- ``SUGGESTION`` and ``STOCK_CODES``: graphql-core and strawberry put no code on some of their
  errors (a field suggestion, a depth or alias limit, the token limit, a scalar that does not
  parse); we recognise them by their message text.
"""

from __future__ import annotations

import re
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema, Undefined, coerce_input_value

#: "Did you mean ...?" that graphql-core appends to a validation message (hidden in production).
SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*$", re.DOTALL)

#: Stock errors without a code, by their message, and the code they get.
STOCK_CODES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"exceeds maximum operation depth|Maximum introspection depth exceeded"), "MAX_DEPTH_EXCEEDED"),
    (re.compile(r"aliases found\. Allowed"), "MAX_ALIASES_EXCEEDED"),
    (re.compile(r"Document contains more than \d+ tokens"), "MAX_TOKENS_EXCEEDED"),
    # a scalar that does not parse (an id, a decimal, a date), as a literal or a variable
    (re.compile(r"Value cannot represent a"), "INVALID"),
)


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built."""
    built = schema._schema
    assert isinstance(built, GraphQLSchema)
    return built


def input_from_json(schema: strawberry.Schema, value: Any, type_name: str, cls: type) -> Any:
    """A strawberry input object (``cls``, the SDL input ``type_name``) from the JSON a client
    once sent for it, coerced and checked as graphql-core checks a variable (raises
    GraphQLError when it no longer fits the schema)."""
    from strawberry.types.arguments import convert_argument

    input_type = graphql_schema(schema).get_type(type_name)
    assert input_type is not None

    # graphql-core 3.3 answers Undefined (no error) for a value that does not fit
    coerced = coerce_input_value(value, input_type)  # type: ignore[arg-type]  # an input type by name
    if coerced is Undefined:
        raise GraphQLError(f"The stored value does not fit {type_name} any more.")
    return convert_argument(coerced, cls, schema.schema_converter.scalar_registry, schema.config)


__all__ = ["STOCK_CODES", "SUGGESTION", "graphql_schema", "input_from_json"]
