"""money.py: rounding table, strict parsing, storage units, formatting."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_graphql.money import (
    MoneyError,
    format_amount,
    format_price,
    from_units,
    is_currency,
    minor_units,
    parse_decimal,
    round_money,
    to_units,
)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("0.125", "EUR", "0.13"),
        ("2.675", "EUR", "2.68"),
        ("1.005", "EUR", "1.01"),
        ("-0.125", "EUR", "-0.13"),
        ("0.124", "EUR", "0.12"),
        ("-2.675", "USD", "-2.68"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "3"),
        ("-1.5", "JPY", "-2"),
        ("1.4999", "JPY", "1"),
        ("1.0005", "KWD", "1.001"),
        ("1.0004", "KWD", "1.000"),
        ("-1.0005", "KWD", "-1.001"),
        ("100", "EUR", "100.00"),
    ],
)
def test_round_money_is_half_up_to_minor_units(value: str, currency: str, expected: str) -> None:
    # when
    rounded = round_money(Decimal(value), currency)

    # then
    assert str(rounded) == expected


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert minor_units(currency) == places
    assert is_currency(currency)


@pytest.mark.parametrize("code", ["XYZ", "eur", "", "EURO"])
def test_unknown_currency_raises(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(MoneyError):
        minor_units(code)
    with pytest.raises(MoneyError):
        round_money(Decimal("1.00"), code)
    with pytest.raises(MoneyError):
        format_amount(Decimal("1.00"), code)


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e3",
        "1E3",
        "",
        "   ",
        "1.23456",
        "1_000",
        "abc",
        "1.2.3",
        "12,50",
    ],
)
def test_parse_decimal_refuses(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_decimal(text)


@pytest.mark.parametrize("value", [1.5, 2, None, Decimal("1.5")])
def test_parse_decimal_refuses_non_strings(value: object) -> None:
    with pytest.raises(MoneyError):
        parse_decimal(value)  # type: ignore[arg-type]


def test_parse_decimal_refuses_more_places_than_allowed() -> None:
    with pytest.raises(MoneyError):
        parse_decimal("1.234", max_places=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("0", Decimal(0)),
        ("-3.1415", Decimal("-3.1415")),
        (" 100 ", Decimal(100)),
        ("1.50000", Decimal("1.5")),
        ("1234567890.1234", Decimal("1234567890.1234")),
    ],
)
def test_parse_decimal_accepts_plain_numbers(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_units_round_trip(units: int) -> None:
    # when
    value = from_units(units)

    # then
    assert to_units(value) == units
    assert value.as_tuple().exponent == -4


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_decimal_round_trips_through_units(value: Decimal) -> None:
    assert from_units(to_units(value)) == value


def test_to_units_refuses_five_places() -> None:
    with pytest.raises(MoneyError):
        to_units(Decimal("1.00001"))


def test_units_sort_like_amounts() -> None:
    # given
    amounts = [Decimal("999.9999"), Decimal(1000), Decimal(-1), Decimal("0.0001")]

    # then
    assert sorted(amounts, key=to_units) == sorted(amounts)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal(100), "EUR", "100.00"),
        (Decimal("1E+2"), "EUR", "100.00"),
        (Decimal("1E+6"), "EUR", "1000000.00"),
        (Decimal("0.125"), "EUR", "0.13"),
        (Decimal("-0.125"), "EUR", "-0.13"),
        (Decimal(1500), "JPY", "1500"),
        (Decimal("1.5"), "JPY", "2"),
        (Decimal("1.5"), "KWD", "1.500"),
    ],
)
def test_format_amount_uses_minor_units_and_no_exponent(value: Decimal, currency: str, expected: str) -> None:
    assert format_amount(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("12.5"), "EUR", "12.50"),
        (Decimal("12.3456"), "EUR", "12.3456"),
        (Decimal("12.340"), "EUR", "12.34"),
        (Decimal("1E+2"), "EUR", "100.00"),
        (Decimal(1500), "JPY", "1500"),
        (Decimal("0.333"), "JPY", "0.333"),
        (Decimal("1.5"), "KWD", "1.500"),
    ],
)
def test_format_price_keeps_up_to_four_places(value: Decimal, currency: str, expected: str) -> None:
    assert format_price(value, currency) == expected
