"""The visibility a child level need not repeat: what its parent level already enforced.

A child connection's statement reads the rows whose foreign key ``relation_id`` is one of the
parent rows' ids, and those parent rows were read with the parent's full visibility
condition (``access.condition(parent, uid)``: live and visible). The child's own condition
(``access.condition(child, uid)``) is a conjunction; many of its conjuncts test the parent
through the relation, e.g. a quote item's ``child_of("quote", Quote)`` rule is the quote's
whole condition under the prefix ``quote__``, an opportunity's rule tests its account as an
account's rule does, and a quote's tests its opportunity (``opportunity__id IS NULL OR`` the
opportunity's own rule).

``implied(child, relation, parent, uid)`` returns the child's condition without each conjunct
that one conjunct of ``access.condition(parent, uid, "<relation>__")`` implies. The test is
structural and exact: both conditions are flattened (AND of ORs, through nested ``Q``s), and
a child conjunct ``OR(d...)`` is dropped when some parent conjunct ``OR(e...)`` has every
``e`` among the ``d`` (the same filter key and the same value; a subquery by its SQL with its
parameters). A parent conjunct under the prefix holds for every child row the statement can
return, because the row's ``relation_id`` is the id of a parent row that satisfied it (the
prefix joins exactly that row). Anything not recognised is kept: negations, values of
unknown types, a different relation, a partner's narrowing that is not the parent's. So the
rule definitions in ``services/access.py`` stay the only source, and a rule that changes is
followed (or no longer dropped) without touching this module.

The caller must only use it when the parent rows were read with the full condition: not
for rows read with soft-deleted ones (a ``filter: {deleted: ...}`` root list, to-one
references, which keep deleted targets).
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.models import Model

from crm_graphql.actor import Actor
from crm_graphql.services import access

_TRUE = ("true",)


def _value(value: Any) -> Any:
    """A filter value as a hashable canonical form; an unknown type never equals anything."""
    if value is None:
        return ("none",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list | tuple):
        return ("seq", tuple(_value(v) for v in value))
    if isinstance(value, Subquery):
        return ("subquery", value.query.sql(params_inline=True))
    return ("opaque", object())


def _leaf(key: str, value: Any) -> tuple[Any, ...]:
    return ("leaf", key, _value(value))


def form(q: Q) -> tuple[Any, ...]:
    """``q`` as a canonical, hashable formula: ("leaf", key, value), ("not", f),
    ("and"|"or", frozenset of operands, nested same-kind nodes flattened) or ("true",)."""
    if q._is_negated:
        positive = Q(*q.children, join_type=q.join_type, **q.filters)
        return ("not", form(positive))
    kind = "and" if q.join_type == Q.AND else "or"
    operands: set[tuple[Any, ...]] = set()
    for key, value in q.filters.items():
        operands.add(_leaf(key, value))
    for child in q.children:
        f = form(child)
        if f[0] == kind:
            operands |= f[1]
        else:
            operands.add(f)
    if kind == "and":
        operands.discard(_TRUE)
    elif _TRUE in operands:
        return _TRUE
    if not operands:
        return _TRUE
    if len(operands) == 1:
        return next(iter(operands))
    return (kind, frozenset(operands))


def conjuncts(q: Q) -> list[tuple[tuple[Any, ...], Q]]:
    """``q``'s top-level AND operands, each with a ``Q`` that states it alone."""
    if q._is_negated or q.join_type != Q.AND:
        f = form(q)
        return [] if f == _TRUE else [(f, q)]
    out: list[tuple[tuple[Any, ...], Q]] = [(_leaf(k, v), access.lookup(k, v)) for k, v in q.filters.items()]
    for child in q.children:
        out.extend(conjuncts(child))
    return out


def _disjuncts(f: tuple[Any, ...]) -> frozenset[tuple[Any, ...]]:
    return f[1] if f[0] == "or" else frozenset((f,))


def reduce(child: Q, enforced: Q) -> tuple[Q, int]:
    """``child`` without the conjuncts some conjunct of ``enforced`` implies, and how many
    were dropped."""
    known = [_disjuncts(f) for f, _ in conjuncts(enforced)]
    kept: list[Q] = []
    dropped = 0
    for f, q in conjuncts(child):
        ors = _disjuncts(f)
        if any(k <= ors for k in known):
            dropped += 1
        else:
            kept.append(q)
    return Q(*kept), dropped


def relation_of(model: type[Model], fk: str) -> tuple[str, type[Model]] | None:
    """The forward relation whose column is ``fk`` (``quote`` for ``quote_id``) and its model."""
    meta = model._meta
    for name in meta.fk_fields:
        field = meta.fields_map[name]
        if isinstance(field, ForeignKeyFieldInstance) and field.source_field == fk:
            return name, field.related_model
    return None


def implied(child: type[Model], fk: str, parent: type[Model], user: Actor | None) -> tuple[Q, int] | None:
    """The condition for ``child`` rows whose ``fk`` is the id of a live row of ``parent``
    that ``user`` sees (see the module's docstring), and how many conjuncts it dropped; None
    when ``fk`` is not a relation to ``parent``."""
    found = relation_of(child, fk)
    if found is None or found[1] is not parent:
        return None
    uid = access.viewer(user)
    return reduce(access.condition(child, uid), access.condition(parent, uid, f"{found[0]}__"))
