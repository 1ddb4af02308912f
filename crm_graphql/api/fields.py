"""Typed decorators for resolver fields.

``strawberry.field(description=...)`` and ``strawberry.subscription(description=...)``, called
without a resolver, are typed to return ``Any`` (strawberry 0.341's overloads), so mypy strict
reports every resolver they decorate as made untyped by its decorator. These wrappers say what
mypy needs: the decorated function keeps its own signature (at run time strawberry turns it
into a ``StrawberryField``, read only by strawberry). Same arguments as strawberry's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def field(*, description: str, **options: Any) -> Callable[[F], F]:
    """``@strawberry.field(description=..., ...)`` with the resolver's type kept."""
    decorate: Callable[[F], F] = strawberry.field(description=description, **options)
    return decorate


def subscription(*, description: str, **options: Any) -> Callable[[F], F]:
    """``@strawberry.subscription(description=..., ...)`` with the resolver's type kept."""
    decorate: Callable[[F], F] = strawberry.subscription(description=description, **options)
    return decorate
