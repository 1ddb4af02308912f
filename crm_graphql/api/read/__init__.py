"""The compiled read path: a query operation planned into one SQL statement per level and
answered straight from row tuples, without per-field resolvers.

graphql-core stays the reference executor. ``executor.CompiledExecutor`` runs after parsing,
validation, limits and authentication (it is the schema's executor class); for a query whose
every selected field the planner knows (``plan``) it answers from SQL (``fetch``) and builds
the response from rows (``build``); anything else (mutations, subscriptions, an unknown field,
any error) runs through graphql-core unchanged, so errors are the reference path's own.

``CRM_READ_PATH=reference`` in the environment (or ``set_enabled(False)``) turns it off.
"""

from __future__ import annotations

import os

_enabled = os.environ.get("CRM_READ_PATH", "compiled").strip().lower() != "reference"


def enabled() -> bool:
    return _enabled


def set_enabled(value: bool) -> None:
    """Switch the compiled path on or off for this process (the differential test uses it)."""
    global _enabled
    _enabled = value
