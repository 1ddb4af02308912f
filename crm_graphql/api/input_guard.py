"""Bounds on what a request may carry, checked before execution (so before any SQL).

The literals of the document and the variables are walked once, without recursion:

- no NUL character in any string (PostgreSQL cannot store one; refused on both databases
  alike) -> ``INVALID``;
- no list longer than ``MAX_LIST`` values (API.md: at most 1,000 values in an ``in``; the
  same bound keeps every statement under PostgreSQL's 32,767 bind parameters) -> ``INVALID``;
- no string longer than ``MAX_STRING`` characters -> ``INVALID``.

Filter trees are bounded where they are translated (``api.filters``), values the columns
cannot hold in the model fields (``models.base``) and the filters.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import GraphQLError, ListValueNode, StringValueNode, Visitor, visit

MAX_LIST = 1_000
MAX_STRING = 100_000

__all__ = ["MAX_LIST", "MAX_STRING", "check_request", "invalid"]


def invalid(message: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": "INVALID"})


def _string_problem(value: str) -> str | None:
    if "\x00" in value:
        return "Strings may not contain a NUL character (U+0000)."
    if len(value) > MAX_STRING:
        return f"A string of {len(value)} characters is longer than the {MAX_STRING} allowed."
    return None


def _list_problem(size: int) -> str | None:
    if size > MAX_LIST:
        return f"A list of {size} values is longer than the {MAX_LIST} allowed."
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.errors: list[GraphQLError] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        problem = _string_problem(node.value)
        if problem:
            self.errors.append(invalid(problem, node))

    def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
        problem = _list_problem(len(node.values))
        if problem:
            self.errors.append(invalid(problem, node))


def check_request(document: Any, variables: dict[str, Any] | None) -> list[GraphQLError]:
    """The INVALID errors of the document's literals and of the variables (first of each kind)."""
    errors = _literal_errors(document)
    stack: list[Any] = [variables or {}]
    while stack and len(errors) < 2:
        value = stack.pop()
        problem = None
        if isinstance(value, str):
            problem = _string_problem(value)
        elif isinstance(value, list):
            problem = _list_problem(len(value))
            stack.extend(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = problem or (_string_problem(key) if isinstance(key, str) else None)
                stack.append(item)
        if problem:
            errors.append(invalid(f"Variables: {problem}"))
    return errors


#: id(document) -> (document, whether its literals break a bound): the parser cache hands the
#: same document object for the same text, so a document is walked once; a breaking one is
#: walked again each time (its error is a new object per response). Bounded LRU.
_CHECKED: OrderedDict[int, tuple[Any, bool]] = OrderedDict()
CHECKED_CACHE_SIZE = 512


def _literal_errors(document: Any) -> list[GraphQLError]:
    """The first INVALID error of the document's literals (empty when none)."""
    known = _CHECKED.get(id(document))
    if known is not None and known[0] is document:
        _CHECKED.move_to_end(id(document))
        if not known[1]:
            return []
    literals = _Literals()
    visit(document, literals)
    _CHECKED[id(document)] = (document, bool(literals.errors))
    if len(_CHECKED) > CHECKED_CACHE_SIZE:
        _CHECKED.popitem(last=False)
    return literals.errors[:1]
