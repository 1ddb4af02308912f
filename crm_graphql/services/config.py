"""Process-wide domain settings, set once at start-up from Settings."""

from __future__ import annotations

#: Exchange rates say "1 unit of X = r units of BASE_CURRENCY".
BASE_CURRENCY = "EUR"


def configure(base_currency: str) -> None:
    global BASE_CURRENCY
    BASE_CURRENCY = base_currency
