"""Properties over random lines, through the HTTP API: a quote's totals are the sum of
their parts (DOMAIN.md 1, recomputed independently here), and bundle lines add up to the
bundle price to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from factories import call, create
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from quoting import ADD_BUNDLE, ADD_ITEMS, SET_BUNDLE_PRICE, UPDATE_QUOTE

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False)


LINES = st.lists(
    st.fixed_dictionaries(
        {
            "quantity": decimals("0.0001", "500", 4).filter(lambda d: d > 0),
            "unitPrice": decimals("0", "5000", 4),
            "discountPercent": decimals("0", "100", 2),
            "taxRate": decimals("0", "30", 2),
        }
    ),
    min_size=1,
    max_size=8,
)


def r(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@SETTINGS
@given(lines=LINES, discount=decimals("0", "100", 2), currency=st.sampled_from(["EUR", "JPY", "KWD"]))
async def test_quote_totals_are_the_sum_of_their_parts(gql, lines, discount, currency) -> None:
    account = await create(gql, "Account", {"name": "Prop"})
    quote = await create(gql, "Quote", {"accountId": account, "currency": currency})
    items = [{**{k: str(v) for k, v in line.items()}, "name": f"L{i}"} for i, line in enumerate(lines)]
    await call(gql, ADD_ITEMS, {"quoteId": quote, "items": items})
    q = (await call(gql, UPDATE_QUOTE, {"id": quote, "discountPercent": str(discount)}))["quote"]
    places = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    line_totals = [r(ln["quantity"] * ln["unitPrice"] * (100 - ln["discountPercent"]) / 100, places) for ln in lines]
    subtotal = sum(line_totals, Decimal(0))
    discount_total = r(subtotal * discount / 100, places)
    tax = sum(
        (
            r(t * (100 - discount) / 100 * ln["taxRate"] / 100, places)
            for t, ln in zip(line_totals, lines, strict=False)
        ),
        Decimal(0),
    )
    got = {k: Decimal(q[k]) for k in ("subtotal", "discountTotal", "netTotal", "taxTotal", "total")}
    assert [Decimal(i["lineTotal"]) for i in q["items"]["nodes"]] == line_totals
    assert got == {
        "subtotal": subtotal,
        "discountTotal": discount_total,
        "netTotal": subtotal - discount_total,
        "taxTotal": tax,
        "total": subtotal - discount_total + tax,
    }
    assert all(len(q[k].partition(".")[2]) == places for k in got)


@SETTINGS
@given(
    price=decimals("0", "100000", 2),
    weights=st.lists(decimals("0", "50", 2), min_size=1, max_size=5),
    quantity=decimals("0.01", "20", 2).filter(lambda d: d > 0),
)
async def test_bundle_lines_sum_to_the_bundle_price(gql, price, weights, quantity) -> None:
    account = await create(gql, "Account", {"name": "Prop"})
    book = await create(gql, "Pricebook", {"name": "Book"})
    bundle = await create(gql, "Bundle", {"pricebookId": book, "name": "Kit", "code": f"K{account}"})
    for i, weight in enumerate(weights):
        product = await create(gql, "Product", {"name": f"P{i}", "code": f"P{i}-{account}"})
        await create(
            gql, "BundleItem", {"bundleId": bundle, "productId": product, "quantity": "1", "weight": str(weight)}
        )
    await call(gql, SET_BUNDLE_PRICE, {"bundleId": bundle, "currency": "EUR", "price": str(price)})
    quote = await create(gql, "Quote", {"accountId": account, "pricebookId": book, "currency": "EUR"})
    payload = await call(gql, ADD_BUNDLE, {"quoteId": quote, "bundleId": bundle, "quantity": str(quantity)})
    parts = [Decimal(i["lineTotal"]) for i in payload["items"]]
    assert sum(parts, Decimal(0)) == r(price * quantity, 2)
    assert Decimal(payload["quote"]["subtotal"]) == r(price * quantity, 2)
    # each part is within one cent of its exact share
    total_weight = sum(weights, Decimal(0)) or Decimal(len(weights))
    shares = [w if sum(weights) else Decimal(1) for w in weights]
    for part, share in zip(parts, shares, strict=True):
        assert abs(part - r(price * quantity, 2) * share / total_weight) < Decimal("0.01")
