from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.models.base import FixedDecimalField
from decimal import Decimal

class Migration(migrations.Migration):
    dependencies = [('models', '0002_persisted_queries')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Invoice',
            name='rounding_total',
            field=FixedDecimalField(default=Decimal('0'), description='Sum of the rounding lines: part of ``total`` only (no revenue, not in ``net_total``).', db_default=0, places=4),
        ),
        ops.AddField(
            model_name='Quote',
            name='rounding_total',
            field=FixedDecimalField(default=Decimal('0'), description='Sum of the rounding lines: part of ``total`` only (no revenue, not in ``net_total``).', db_default=0, places=4),
        ),
        ops.AddField(
            model_name='SalesOrder',
            name='rounding_total',
            field=FixedDecimalField(default=Decimal('0'), description='Sum of the rounding lines: part of ``total`` only (no revenue, not in ``net_total``).', db_default=0, places=4),
        ),
    ]


# Existing documents: move their rounding lines out of net_total into rounding_total
# (money is stored as integer ten-thousandths, so this is exact integer arithmetic).
_DOCUMENTS = (("quotes", "quote_items", "quote_id"), ("sales_orders", "sales_order_items", "sales_order_id"),
              ("invoices", "invoice_items", "invoice_id"))
_MOVE_ROUNDING = [
    f"UPDATE {doc} SET rounding_total = (SELECT COALESCE(SUM(i.line_total), 0) FROM {items} i "
    f"WHERE i.{fk} = {doc}.id AND i.source = 'ROUNDING')"
    for doc, items, fk in _DOCUMENTS
] + [f"UPDATE {doc} SET net_total = net_total - rounding_total WHERE rounding_total <> 0" for doc, _, _ in _DOCUMENTS]


async def _refresh_amounts(apps, schema_editor):
    """Opportunities whose amount came from an active quote with a rounding line: amount and
    expected revenue without the rounding (DOMAIN.md 4)."""
    from crm_graphql import money
    from crm_graphql.services import config, pricing

    client = schema_editor.client
    scale = Decimal(10) ** money.STORAGE_PLACES
    rates = {r["currency"]: Decimal(int(r["rate"])) / Decimal(10) ** 10
             for r in await client.execute_query_dict("SELECT currency, rate FROM exchange_rates")}
    rows = await client.execute_query_dict(
        "SELECT o.id, o.currency, o.probability, q.currency AS quote_currency, q.net_total FROM opportunities o "
        "JOIN quotes q ON q.opportunity_id = o.id AND q.is_active = TRUE AND q.deleted_at IS NULL "
        "WHERE o.amount_source = 'QUOTE' AND q.rounding_total <> 0"
    )
    for row in rows:
        amount = Decimal(int(row["net_total"])) / scale
        if row["quote_currency"] != row["currency"]:
            try:
                amount = pricing.convert(amount, row["quote_currency"], row["currency"], rates,
                                         config.BASE_CURRENCY, money.minor_units(row["currency"]))
            except pricing.MissingRate:
                continue
        expected = pricing.expected_revenue(amount, int(row["probability"]), row["currency"])
        await client.execute_script(
            f"UPDATE opportunities SET amount = {int(amount * scale)}, expected_revenue = {int(expected * scale)} "
            f"WHERE id = {int(row['id'])}"
        )


Migration.operations += [ops.RunSQL(_MOVE_ROUNDING), ops.RunPython(_refresh_amounts)]
