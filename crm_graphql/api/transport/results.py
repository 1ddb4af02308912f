"""Which execution results are request errors: nothing was executed.

The GraphQL spec: "If an error was raised before execution begins, the data entry should
not be present in the result." That is a document that does not parse or validate, a limit
that refused it before any SQL, or a variable that does not coerce. A timeout or an
unexpected error happens during execution: ``data`` stays (as null).
"""

from __future__ import annotations

from typing import Any

#: Errors without a path that still come from execution.
_EXECUTION_CODES = frozenset({"TIMEOUT", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"})


def is_request_error(result: Any) -> bool:
    """True when ``result`` (an ExecutionResult) carries only errors raised before execution."""
    if result.data is not None or not result.errors:
        return False
    return all(
        error.path is None and (error.extensions or {}).get("code") not in _EXECUTION_CODES for error in result.errors
    )
