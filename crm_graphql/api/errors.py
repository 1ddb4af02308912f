"""``UserError`` and the one place domain errors become payload data."""

from __future__ import annotations

import strawberry

import crm_graphql.api.enums  # noqa: F401 - registers ErrorCode as UserErrorCode
from crm_graphql.errors import DomainError, ErrorCode


@strawberry.type(description="Why a mutation refused its input. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "items", "2", "quantity"].'
    )
    message: str = strawberry.field(description="What is wrong, for a person.")
    code: ErrorCode = strawberry.field(description="What is wrong, for a program.")


def user_errors(exc: DomainError) -> list[UserError]:
    return [UserError(field=e.field, message=e.message, code=e.code) for e in exc.errors]
