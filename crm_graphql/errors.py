"""Domain errors: raised inside services, turned into ``userErrors`` at the API edge.

    DomainError(code, message, field)
     ├── NotFound            NOT_FOUND
     ├── Invalid             INVALID
     ├── Required            REQUIRED
     ├── Duplicate           DUPLICATE
     ├── Locked              LOCKED
     ├── Conflict            CONFLICT
     ├── NotInPricebook      NOT_IN_PRICEBOOK
     ├── InvalidTransition   INVALID_TRANSITION
     ├── AlreadyConverted    ALREADY_CONVERTED
     ├── InUse               IN_USE
     ├── Forbidden           FORBIDDEN
     ├── IdempotencyKeyReused IDEMPOTENCY_KEY_REUSED
     ├── MissingExchangeRate MISSING_EXCHANGE_RATE
     └── ValidationErrors    several field errors at once

Services raise inside ``in_transaction()``, so raising is the rollback: nothing is written.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

Field = Sequence[str]


class ErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    DUPLICATE = "DUPLICATE"
    LOCKED = "LOCKED"
    CONFLICT = "CONFLICT"
    NOT_IN_PRICEBOOK = "NOT_IN_PRICEBOOK"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    ALREADY_CONVERTED = "ALREADY_CONVERTED"
    IN_USE = "IN_USE"
    FORBIDDEN = "FORBIDDEN"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    MISSING_EXCHANGE_RATE = "MISSING_EXCHANGE_RATE"


class DomainError(Exception):
    """A refusal the client caused; becomes one ``UserError``."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str, field: Field | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field: list[str] | None = [str(p) for p in field] if field is not None else None

    @property
    def errors(self) -> list[DomainError]:
        return [self]


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Invalid(DomainError):
    code = ErrorCode.INVALID


class Required(DomainError):
    code = ErrorCode.REQUIRED


class Duplicate(DomainError):
    code = ErrorCode.DUPLICATE


class Locked(DomainError):
    code = ErrorCode.LOCKED


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class NotInPricebook(DomainError):
    code = ErrorCode.NOT_IN_PRICEBOOK


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class AlreadyConverted(DomainError):
    code = ErrorCode.ALREADY_CONVERTED


class InUse(DomainError):
    code = ErrorCode.IN_USE


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class IdempotencyKeyReused(DomainError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class MissingExchangeRate(DomainError):
    """A currency conversion needs a rate nobody has set; ``currency`` names it."""

    code = ErrorCode.MISSING_EXCHANGE_RATE

    def __init__(self, currency: str, field: Field | None = None, message: str | None = None) -> None:
        super().__init__(message or f"No exchange rate for {currency}: set one with setExchangeRate first.", field)
        self.currency = currency


class ValidationErrors(DomainError):
    """Several field errors found in one pass over an input."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self._errors = list(errors)
        first = self._errors[0]
        super().__init__(first.message, first.field)
        self.code = first.code

    @property
    def errors(self) -> list[DomainError]:
        return self._errors


def raise_all(errors: list[DomainError]) -> None:
    """Raise the collected errors, if any, as one exception."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationErrors(errors)
