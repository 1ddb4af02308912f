"""services.splits.split_amounts: revenue split amounts by largest remainder (DOMAIN.md 11)."""

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_graphql.money import minor_units
from crm_graphql.services.splits import split_amounts

D = Decimal


@pytest.mark.parametrize(
    ("amount", "percents", "currency", "expected"),
    [
        ("100.00", [33, 33, 34], "EUR", ["33.00", "33.00", "34.00"]),
        ("100.01", [50, 50], "EUR", ["50.01", "50.00"]),
        ("100", [33, 33, 34], "JPY", ["33", "33", "34"]),
        ("100", [34, 33, 33], "JPY", ["34", "33", "33"]),
        ("1.00", [33, 33, 34], "EUR", ["0.33", "0.33", "0.34"]),
        ("0.01", [50, 50], "EUR", ["0.01", "0.00"]),
        ("10.00", [100], "EUR", ["10.00"]),
        ("0", [25, 75], "EUR", ["0.00", "0.00"]),
        ("1.005", [50, 50], "EUR", ["0.51", "0.50"]),  # the amount is rounded half-up to the cent first
        ("1.000", [33, 33, 34], "KWD", ["0.330", "0.330", "0.340"]),
    ],
)
def test_examples(amount: str, percents: list[int], currency: str, expected: list[str]) -> None:
    assert [str(a) for a in split_amounts(D(amount), percents, currency)] == expected


def _percents() -> st.SearchStrategy[list[int]]:
    """1 to 20 whole percents >= 1 adding up to 100."""

    @st.composite
    def build(draw: st.DrawFn) -> list[int]:
        n = draw(st.integers(1, 20))
        cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
        bounds = [0, *cuts, 100]
        return [b - a for a, b in itertools.pairwise(bounds)]

    return build()


@given(
    units=st.integers(-(10**14), 10**14),
    percents=_percents(),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "USD"]),
)
def test_parts_add_up_each_within_one_minor_unit_ties_to_the_earlier(
    units: int, percents: list[int], currency: str
) -> None:
    places = minor_units(currency)
    amount = D(units).scaleb(-places)
    parts = split_amounts(amount, percents, currency)
    # the parts add up to the amount exactly, in the currency's minor units
    assert sum(parts, D(0)) == amount
    assert all(-p.as_tuple().exponent == places for p in parts)  # type: ignore[operator]
    step = Fraction(1, 10**places)
    for part, percent in zip(parts, percents, strict=True):
        exact = Fraction(amount) * percent / 100
        # each within one minor unit of its exact share, never more than one unit above or below
        assert abs(Fraction(part) - exact) < step
    # the same percents in the same order always give the same parts (deterministic), and
    # between equal percents the earlier never gets less
    assert split_amounts(amount, percents, currency) == parts
    for i in range(len(percents)):
        for j in range(i + 1, len(percents)):
            if percents[i] == percents[j]:
                assert abs(parts[i]) >= abs(parts[j])
