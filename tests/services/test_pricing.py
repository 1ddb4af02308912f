"""services.pricing: DOMAIN.md 1 (order of operations) and 2 (exact bundle split)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_graphql.money import MoneyError, minor_units
from crm_graphql.services.pricing import (
    Line,
    MissingRate,
    Totals,
    allocate,
    convert,
    document_totals,
    expected_revenue,
    line_total,
    rounding_adjustment,
    unit_price_from_total,
)

D = Decimal
RATES = {"USD": D("0.9"), "GBP": D("1.15"), "JPY": D("0.0062"), "KWD": D("2.98")}


def amounts(totals: Totals) -> dict[str, str]:
    return {
        "subtotal": str(totals.subtotal),
        "discount": str(totals.discount_total),
        "net": str(totals.net_total),
        "tax": str(totals.tax_total),
        "total": str(totals.total),
    }


def minor(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_units(currency))


def half_up(value: Fraction, places: int) -> Fraction:
    """Reference rounding on exact fractions, independent of the decimal module."""
    scaled = abs(value) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if value >= 0 else -whole, 10**places)


# line_total -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit_price", "discount", "currency", "expected"),
    [
        ("1", "0.125", "0", "EUR", "0.13"),
        ("1", "2.675", "0", "EUR", "2.68"),
        ("1", "-0.125", "0", "EUR", "-0.13"),
        ("3", "1.005", "0", "EUR", "3.02"),  # 3-decimal unit price: 3.015 -> 3.02
        ("7", "1.2345", "10", "EUR", "7.78"),  # 7.77735
        ("2.5", "19.99", "15", "EUR", "42.48"),  # 42.47875
        ("1", "100", "100", "EUR", "0.00"),
        ("3", "333.3333", "0", "JPY", "1000"),  # 999.9999
        ("1", "1500", "12.5", "JPY", "1313"),  # 1312.5
        ("1", "1.0005", "0", "KWD", "1.001"),
    ],
)
def test_line_total_rounds_once_half_up(
    quantity: str, unit_price: str, discount: str, currency: str, expected: str
) -> None:
    assert str(line_total(D(quantity), D(unit_price), D(discount), currency)) == expected


@pytest.mark.parametrize("discount", ["-1", "100.01", "NaN"])
def test_line_total_refuses_discount_outside_0_to_100(discount: str) -> None:
    with pytest.raises(MoneyError):
        line_total(D(1), D(10), D(discount), "EUR")


def test_line_total_refuses_unknown_currency() -> None:
    with pytest.raises(MoneyError):
        line_total(D(1), D(10), D(0), "XYZ")


# document_totals --------------------------------------------------------------------------


def test_worked_example_from_domain() -> None:
    # given
    lines = [Line(quantity=D(1), unit_price=D("100.00"), tax_rate=D(21))]

    # when
    totals = document_totals(lines, D(10), "EUR")

    # then
    assert amounts(totals) == {
        "subtotal": "100.00",
        "discount": "10.00",
        "net": "90.00",
        "tax": "18.90",
        "total": "108.90",
    }
    assert totals.line_totals == (D("100.00"),)
    assert totals.line_taxes == (D("18.90"),)


def test_tax_is_rounded_per_line_after_the_document_discount() -> None:
    # given: two lines whose taxes round separately
    lines = [
        Line(quantity=D(3), unit_price=D("1.005"), tax_rate=D(19)),  # 3.02
        Line(quantity=D(1), unit_price=D("10.10"), discount_percent=D(5), tax_rate=D(7)),  # 9.60
        Line(quantity=D(2), unit_price=D("0.5"), tax_rate=D(0)),  # 1.00
    ]

    # when
    totals = document_totals(lines, D("2.5"), "EUR")

    # then
    assert totals.line_totals == (D("3.02"), D("9.60"), D("1.00"))
    # 3.02 x 0.975 x 0.19 = 0.559455 -> 0.56; 9.60 x 0.975 x 0.07 = 0.6552 -> 0.66
    assert totals.line_taxes == (D("0.56"), D("0.66"), D("0.00"))
    assert amounts(totals) == {
        "subtotal": "13.62",
        "discount": "0.34",  # 0.3405
        "net": "13.28",
        "tax": "1.22",
        "total": "14.50",
    }


def test_jpy_document_has_no_minor_units() -> None:
    # given
    lines = [
        Line(quantity=D(3), unit_price=D("333.3333"), tax_rate=D(10)),
        Line(quantity=D(1), unit_price=D(1500), discount_percent=D("12.5"), tax_rate=D(8)),
    ]

    # when
    totals = document_totals(lines, D(5), "JPY")

    # then: 1000 + 1313; tax 1000 x 0.95 x 0.10 = 95, 1313 x 0.95 x 0.08 = 99.788 -> 100
    assert totals.line_totals == (D(1000), D(1313))
    assert totals.line_taxes == (D(95), D(100))
    assert amounts(totals) == {
        "subtotal": "2313",
        "discount": "116",  # 115.65
        "net": "2197",
        "tax": "195",
        "total": "2392",
    }


def test_bundle_lines_use_their_fixed_total() -> None:
    # given: a bundle of 100.01 split 1:1, quantities 3 and 1
    lines = [
        Line(quantity=D(3), unit_price=D("16.67"), fixed_total=D("50.01"), tax_rate=D(20)),
        Line(quantity=D(1), unit_price=D("50.00"), fixed_total=D("50.00"), tax_rate=D(20)),
    ]

    # when
    totals = document_totals(lines, D(0), "EUR")

    # then
    assert totals.line_totals == (D("50.01"), D("50.00"))
    assert totals.subtotal == D("100.01")
    assert totals.tax_total == D("20.00")  # 10.002 -> 10.00 and 10.00
    assert totals.total == D("120.01")


def test_fixed_total_finer_than_the_currency_is_refused() -> None:
    with pytest.raises(MoneyError):
        document_totals([Line(D(1), D(1), fixed_total=D("1.005"))], D(0), "EUR")


def test_rounding_line_is_added_after_step_5_without_tax_or_discount() -> None:
    # given: the worked example rounded to whole euros
    priced = [Line(quantity=D(1), unit_price=D("100.00"), tax_rate=D(21))]
    adjustment = rounding_adjustment(document_totals(priced, D(10), "EUR").total, D(1), "EUR")
    rounding = Line(
        quantity=D(1),
        unit_price=adjustment,
        tax_rate=D(21),  # ignored: a rounding line is not taxable
        taxable=False,
        discountable=False,
    )

    # when
    totals = document_totals([*priced, rounding], D(10), "EUR")

    # then
    assert adjustment == D("0.10")
    assert amounts(totals) == {
        "subtotal": "100.00",
        "discount": "10.00",
        "net": "90.00",
        "tax": "18.90",
        "total": "109.00",
    }
    assert str(totals.rounding_total) == "0.10"  # reported apart: no revenue, not in the net total
    assert totals.line_taxes == (D("18.90"), D("0.00"))


def test_empty_document_totals_are_zero_in_minor_units() -> None:
    # when
    totals = document_totals([], D(10), "EUR")

    # then
    assert amounts(totals) == dict.fromkeys(["subtotal", "discount", "net", "tax", "total"], "0.00")
    assert totals.line_totals == ()


@pytest.mark.parametrize(("discount", "tax"), [("101", "0"), ("-5", "0"), ("0", "-1")])
def test_document_refuses_bad_percentages(discount: str, tax: str) -> None:
    with pytest.raises(MoneyError):
        document_totals([Line(D(1), D(10), tax_rate=D(tax))], D(discount), "EUR")


# rounding_adjustment ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "round_to", "currency", "expected"),
    [
        ("12.25", "0.5", "EUR", "0.25"),
        ("12.24", "0.5", "EUR", "-0.24"),
        ("12.50", "0.5", "EUR", "0.00"),
        ("12.74", "0.5", "EUR", "-0.24"),
        ("-12.25", "0.5", "EUR", "-0.25"),
        ("108.90", "1", "EUR", "0.10"),
        ("108.49", "1", "EUR", "-0.49"),
        ("108.50", "1", "EUR", "0.50"),
        ("1.02", "0.05", "CHF", "-0.02"),
        ("1.03", "0.05", "CHF", "0.02"),
        ("1234", "100", "JPY", "-34"),
        ("1250", "100", "JPY", "50"),
        ("0.00", "0.05", "EUR", "0.00"),
    ],
)
def test_rounding_adjustment(total: str, round_to: str, currency: str, expected: str) -> None:
    assert str(rounding_adjustment(D(total), D(round_to), currency)) == expected


@pytest.mark.parametrize(("round_to", "currency"), [("0", "EUR"), ("-1", "EUR"), ("0.005", "EUR"), ("0.5", "JPY")])
def test_rounding_adjustment_refuses_bad_round_to(round_to: str, currency: str) -> None:
    with pytest.raises(MoneyError):
        rounding_adjustment(D("10.00"), D(round_to), currency)


# convert ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "source", "target", "places", "expected"),
    [
        ("100", "USD", "EUR", 2, "90.00"),
        ("100", "EUR", "USD", 4, "111.1111"),
        ("100", "EUR", "USD", 2, "111.11"),
        ("100", "USD", "GBP", 4, "78.2609"),  # 100 x 0.9 / 1.15 = 78.26086...
        ("1000", "JPY", "EUR", 2, "6.20"),
        ("10", "EUR", "JPY", 0, "1613"),  # 1612.903...
        ("12.3456", "EUR", "EUR", 4, "12.3456"),
        ("12.345", "EUR", "EUR", 2, "12.35"),
        ("-100", "EUR", "USD", 2, "-111.11"),
    ],
)
def test_convert_goes_through_the_base(amount: str, source: str, target: str, places: int, expected: str) -> None:
    assert str(convert(D(amount), source, target, RATES, "EUR", places)) == expected


def test_convert_with_another_base() -> None:
    # given: 1 EUR = 1.10 USD, base USD
    rates = {"EUR": D("1.10")}

    # then
    assert convert(D(100), "EUR", "USD", rates, "USD", 2) == D("110.00")
    assert convert(D(110), "USD", "EUR", rates, "USD", 2) == D("100.00")


def test_convert_missing_rate_names_the_currency() -> None:
    # when
    with pytest.raises(MissingRate) as raised:
        convert(D(1), "EUR", "CHF", RATES, "EUR", 4)

    # then
    assert raised.value.currency == "CHF"
    assert isinstance(raised.value, MoneyError)


@pytest.mark.parametrize(
    ("source", "target", "rates"),
    [("XYZ", "EUR", RATES), ("EUR", "USD", {"USD": D(0)}), ("USD", "EUR", {"USD": D(-1)})],
)
def test_convert_refuses_unknown_codes_and_bad_rates(source: str, target: str, rates: dict[str, Decimal]) -> None:
    with pytest.raises(MoneyError):
        convert(D(1), source, target, rates, "EUR", 4)


# allocate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "currency", "expected"),
    [
        ("100.01", ["1", "1"], "EUR", ["50.01", "50.00"]),
        ("-100.01", ["1", "1"], "EUR", ["-50.01", "-50.00"]),
        ("100.00", ["1", "1", "1"], "EUR", ["33.34", "33.33", "33.33"]),
        ("0.02", ["1", "1", "1"], "EUR", ["0.01", "0.01", "0.00"]),
        ("1.00", ["1", "2"], "EUR", ["0.33", "0.67"]),  # the largest remainder wins
        ("10.00", ["1", "3"], "EUR", ["2.50", "7.50"]),
        ("10.00", ["0", "1"], "EUR", ["0.00", "10.00"]),
        ("10.01", ["0", "0"], "EUR", ["5.01", "5.00"]),  # all zero -> equal split
        ("0.00", ["1", "1"], "EUR", ["0.00", "0.00"]),
        ("1000", ["1", "1", "1"], "JPY", ["334", "333", "333"]),
        ("1.001", ["0.5", "0.25", "0.25"], "KWD", ["0.501", "0.250", "0.250"]),
        ("99.99", ["2.5"], "EUR", ["99.99"]),
    ],
)
def test_allocate_largest_remainder(total: str, weights: list[str], currency: str, expected: list[str]) -> None:
    # when
    parts = allocate(D(total), [D(w) for w in weights], currency)

    # then
    assert [str(part) for part in parts] == expected


@pytest.mark.parametrize(("total", "weights"), [("10.00", []), ("10.00", ["1", "-1"]), ("10.001", ["1"])])
def test_allocate_refuses(total: str, weights: list[str]) -> None:
    with pytest.raises(MoneyError):
        allocate(D(total), [D(w) for w in weights], "EUR")


# unit_price_from_total, expected_revenue --------------------------------------------------


@pytest.mark.parametrize(
    ("total", "quantity", "expected"),
    [
        ("100.00", "3", "33.3333"),
        ("50.01", "2", "25.0050"),
        ("0.05", "8", "0.0063"),  # 0.00625
        ("-0.05", "8", "-0.0063"),
        ("10.00", "0.5", "20.0000"),
    ],
)
def test_unit_price_from_total(total: str, quantity: str, expected: str) -> None:
    assert str(unit_price_from_total(D(total), D(quantity))) == expected


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_unit_price_from_total_refuses_non_positive_quantity(quantity: str) -> None:
    with pytest.raises(MoneyError):
        unit_price_from_total(D("10.00"), D(quantity))


@pytest.mark.parametrize(
    ("amount", "probability", "currency", "expected"),
    [
        ("1000.00", 15, "EUR", "150.00"),
        ("0.05", 50, "EUR", "0.03"),  # 0.025
        ("999", 50, "JPY", "500"),  # 499.5
        ("1234.56", 0, "EUR", "0.00"),
        ("1234.56", 100, "EUR", "1234.56"),
    ],
)
def test_expected_revenue(amount: str, probability: int, currency: str, expected: str) -> None:
    assert str(expected_revenue(D(amount), probability, currency)) == expected


@pytest.mark.parametrize("probability", [-1, 101])
def test_expected_revenue_refuses_probability_outside_0_to_100(probability: int) -> None:
    with pytest.raises(MoneyError):
        expected_revenue(D(100), probability, "EUR")


# properties -------------------------------------------------------------------------------

currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD"])
quantities = st.decimals(min_value=D("0.0001"), max_value=D(10000), places=4)
prices = st.decimals(min_value=D(0), max_value=D(1000000), places=4)
percents = st.decimals(min_value=D(0), max_value=D(100), places=4)
tax_rates = st.sampled_from([D(0), D(5), D("7.5"), D(10), D(19), D(21), D(25)]) | percents


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[Line], Decimal, str]:
    currency = draw(currencies)
    lines: list[Line] = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from(["priced", "bundle", "rounding"]))
        if kind == "priced":
            lines.append(Line(draw(quantities), draw(prices), draw(percents), draw(tax_rates)))
        elif kind == "bundle":
            fixed = minor(draw(st.integers(min_value=0, max_value=10**9)), currency)
            lines.append(Line(draw(quantities), D(0), tax_rate=draw(tax_rates), fixed_total=fixed))
        else:
            fixed = minor(draw(st.integers(min_value=-(10**4), max_value=10**4)), currency)
            lines.append(Line(D(1), fixed, fixed_total=fixed, taxable=False, discountable=False))
    return lines, draw(percents), currency


@given(documents())
def test_totals_are_the_sum_of_their_parts(document: tuple[list[Line], Decimal, str]) -> None:
    # given
    lines, discount, currency = document

    # when
    totals = document_totals(lines, discount, currency)

    # then
    rounding = sum(
        (t for line, t in zip(lines, totals.line_totals, strict=True) if not line.discountable),
        D(0),
    )
    discountable = sum(
        (t for line, t in zip(lines, totals.line_totals, strict=True) if line.discountable),
        D(0),
    )
    assert totals.subtotal == discountable
    assert sum(totals.line_taxes, D(0)) == totals.tax_total
    assert totals.total == totals.subtotal - totals.discount_total + totals.tax_total + rounding
    assert totals.net_total == totals.subtotal - totals.discount_total
    assert totals.rounding_total == rounding
    assert totals.total == totals.net_total + totals.tax_total + totals.rounding_total
    places = minor_units(currency)
    for amount in (
        totals.subtotal,
        totals.discount_total,
        totals.net_total,
        totals.tax_total,
        totals.total,
        *totals.line_totals,
        *totals.line_taxes,
    ):
        assert amount.as_tuple().exponent == -places


@given(documents())
def test_each_line_follows_steps_1_and_4(document: tuple[list[Line], Decimal, str]) -> None:
    # given
    lines, discount, currency = document

    # when
    totals = document_totals(lines, discount, currency)

    # then: recomputed with exact fractions and a reference half-up
    places = minor_units(currency)
    kept = 1 - Fraction(discount) / 100
    for line, amount, tax in zip(lines, totals.line_totals, totals.line_taxes, strict=True):
        if line.fixed_total is None:
            exact = Fraction(line.quantity) * Fraction(line.unit_price) * (1 - Fraction(line.discount_percent) / 100)
            assert Fraction(amount) == half_up(exact, places)
        base = Fraction(amount) * (kept if line.discountable else 1)
        expected_tax = half_up(base * Fraction(line.tax_rate) / 100, places)
        assert Fraction(tax) == (expected_tax if line.taxable else 0)


@given(
    currencies,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.decimals(min_value=D(0), max_value=D(1000), places=4), min_size=1, max_size=12),
)
def test_allocate_is_exact_and_fair(currency: str, units: int, weights: list[Decimal]) -> None:
    # given
    total = minor(units, currency)

    # when
    parts = allocate(total, weights, currency)

    # then
    assert sum(parts, D(0)) == total
    assert len(parts) == len(weights)
    one_unit = Fraction(1, 10 ** minor_units(currency))
    weight_sum = sum((Fraction(w) for w in weights), Fraction(0))
    for part, weight in zip(parts, weights, strict=True):
        share = Fraction(total) * Fraction(weight) / weight_sum if weight_sum else Fraction(total) / len(weights)
        assert abs(Fraction(part) - share) < one_unit
        assert part.as_tuple().exponent == -minor_units(currency)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6),
)
def test_allocate_negative_total_mirrors_positive(units: int, weights: list[int]) -> None:
    # given
    total = minor(units, "EUR")
    decimal_weights = [D(w) for w in weights]

    # then
    assert allocate(-total, decimal_weights, "EUR") == [-part for part in allocate(total, decimal_weights, "EUR")]


rates = st.decimals(min_value=D("0.0001"), max_value=D(10000), places=6)


@given(
    st.decimals(min_value=D(0), max_value=D(1000000), places=4),
    st.sampled_from(["USD", "GBP", "JPY", "EUR"]),
    st.sampled_from(["USD", "GBP", "JPY", "EUR"]),
    rates,
    rates,
    rates,
)
def test_convert_price_through_base_and_back(
    price: Decimal, source: str, target: str, usd: Decimal, gbp: Decimal, jpy: Decimal
) -> None:
    # given
    table = {"USD": usd, "GBP": gbp, "JPY": jpy}
    rate = {"EUR": Fraction(1)} | {code: Fraction(r) for code, r in table.items()}

    # when
    there = convert(price, source, target, table, "EUR", 4)
    back = convert(there, target, source, table, "EUR", 4)

    # then: each leg is the exact X -> base -> Y value rounded once to 4 places
    assert Fraction(there) == half_up(Fraction(price) * rate[source] / rate[target], 4)
    assert Fraction(back) == half_up(Fraction(there) * rate[target] / rate[source], 4)
    # and the round trip drifts by at most the two roundings
    half = Fraction(1, 2 * 10**4)
    assert abs(Fraction(back) - Fraction(price)) <= half * (1 + rate[target] / rate[source])
    if source == target:
        assert back == price


@given(
    st.integers(min_value=-(10**10), max_value=10**10),
    st.sampled_from(["0.01", "0.05", "0.10", "0.25", "0.5", "1", "5", "10", "100"]),
)
def test_rounding_adjustment_reaches_a_multiple(units: int, step: str) -> None:
    # given
    total = minor(units, "EUR")
    round_to = D(step)

    # when
    adjustment = rounding_adjustment(total, round_to, "EUR")

    # then
    assert (total + adjustment) % round_to == 0
    assert abs(adjustment) * 2 <= round_to
    if abs(adjustment) * 2 == round_to:  # a half goes away from zero
        assert (adjustment > 0) == (total > 0)
    assert adjustment.as_tuple().exponent == -2
    assert adjustment.quantize(D("0.01"), rounding=ROUND_HALF_UP) == adjustment
