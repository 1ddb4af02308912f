from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import (
    AccountType,
    ActivityType,
    AmountSource,
    ContractKind,
    ContractStatus,
    ConversionKind,
    InvoiceStatus,
    LeadStatus,
    LineItemSource,
    OpportunityStatus,
    ProductKind,
    QuoteStatus,
    Role,
    SalesOrderStatus,
    StageKind,
)
from crm_graphql.models.base import FixedDecimalField
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="DocumentTemplate",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("name", fields.CharField(max_length=200)),
                (
                    "content_type",
                    fields.CharField(
                        default="text/markdown",
                        description='"text/markdown", "text/html" or "text/plain": the rendered file\'s type.',
                        max_length=50,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
            ],
            options={
                "table": "document_templates",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A text template with ``{{token}}`` placeholders for rendering quotes.",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="ExchangeRate",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("currency", fields.CharField(unique=True, max_length=3)),
                ("rate", FixedDecimalField(places=10)),
            ],
            options={
                "table": "exchange_rates",
                "app": "models",
                "pk_attr": "id",
                "table_description": "1 unit of ``currency`` = ``rate`` units of the base currency.",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="LineageLink",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("source_type", fields.CharField(max_length=32)),
                ("source_id", fields.IntField()),
                ("target_type", fields.CharField(max_length=32)),
                ("target_id", fields.IntField()),
                (
                    "kind",
                    fields.CharEnumField(
                        description="LEAD_TO_OPPORTUNITY: LEAD_TO_OPPORTUNITY\nLEAD_TO_ACCOUNT: LEAD_TO_ACCOUNT\nLEAD_TO_CONTACT: LEAD_TO_CONTACT\nOPPORTUNITY_TO_QUOTE: OPPORTUNITY_TO_QUOTE\nOPPORTUNITY_TO_INVOICE: OPPORTUNITY_TO_INVOICE\nQUOTE_TO_OPPORTUNITY: QUOTE_TO_OPPORTUNITY\nQUOTE_TO_ORDER: QUOTE_TO_ORDER\nQUOTE_TO_INVOICE: QUOTE_TO_INVOICE\nORDER_TO_INVOICE: ORDER_TO_INVOICE\nOPPORTUNITY_TO_CONTRACT: OPPORTUNITY_TO_CONTRACT\nCONTRACT_TO_OPPORTUNITY: CONTRACT_TO_OPPORTUNITY\nQUOTE_DUPLICATE: QUOTE_DUPLICATE\nQUOTE_REVISION: QUOTE_REVISION",
                        enum_type=ConversionKind,
                        max_length=32,
                    ),
                ),
            ],
            options={
                "table": "lineage_links",
                "app": "models",
                "indexes": [Index(fields=["source_type", "source_id"]), Index(fields=["target_type", "target_id"])],
                "pk_attr": "id",
                "table_description": "``source`` was converted into ``target``.",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Pricebook",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("is_active", fields.BooleanField(default=True)),
                ("version_label", fields.CharField(null=True, max_length=50)),
                (
                    "supersedes",
                    fields.ForeignKeyField(
                        "models.Pricebook",
                        source_field="supersedes_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={"table": "pricebooks", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="Bundle",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                (
                    "pricebook",
                    fields.ForeignKeyField(
                        "models.Pricebook",
                        source_field="pricebook_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bundles",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("code", fields.CharField(unique=True, max_length=64)),
                ("description", fields.TextField(null=True, unique=False)),
                ("is_active", fields.BooleanField(default=True)),
            ],
            options={"table": "bundles", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="BundlePrice",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="prices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("currency", fields.CharField(max_length=3)),
                ("price", FixedDecimalField(places=4)),
            ],
            options={
                "table": "bundle_prices",
                "app": "models",
                "unique_together": (("bundle", "currency"),),
                "pk_attr": "id",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Product",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("name", fields.CharField(db_index=True, max_length=200)),
                ("code", fields.CharField(unique=True, description="SKU, unique.", max_length=64)),
                ("description", fields.TextField(null=True, unique=False)),
                ("is_active", fields.BooleanField(default=True)),
                (
                    "kind",
                    fields.CharEnumField(
                        default=ProductKind.ONE_TIME,
                        description="ONE_TIME: ONE_TIME\nTIME_BASED: TIME_BASED",
                        enum_type=ProductKind,
                        max_length=16,
                    ),
                ),
                (
                    "term_months",
                    fields.IntField(
                        null=True, description="Term of a TIME_BASED product (licence, support...), in months."
                    ),
                ),
                ("default_unit", fields.CharField(default="pcs", max_length=20)),
            ],
            options={"table": "products", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="BundleItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("quantity", FixedDecimalField(places=4)),
                (
                    "weight",
                    FixedDecimalField(
                        description="Share of the bundle price this component carries, relative to the others.",
                        places=4,
                    ),
                ),
            ],
            options={"table": "bundle_items", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="PricebookEntry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "pricebook",
                    fields.ForeignKeyField(
                        "models.Pricebook",
                        source_field="pricebook_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="prices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("currency", fields.CharField(max_length=3)),
                ("unit", fields.CharField(default="pcs", max_length=20)),
                ("unit_price", FixedDecimalField(places=4)),
                (
                    "is_active",
                    fields.BooleanField(default=True, description="An entry in use is deactivated instead of deleted."),
                ),
            ],
            options={
                "table": "pricebook_entries",
                "app": "models",
                "unique_together": (("pricebook", "product", "currency", "unit"),),
                "pk_attr": "id",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Sequence",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("name", fields.CharField(unique=True, max_length=16)),
                ("value", fields.IntField(default=0)),
            ],
            options={
                "table": "sequences",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Counters behind human-readable document numbers (Q-00001, SO-00001, ...).",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Stage",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("name", fields.CharField(max_length=100)),
                ("position", fields.IntField(default=0, description="Pipeline order, ascending.")),
                ("probability", fields.IntField(default=0)),
                (
                    "kind",
                    fields.CharEnumField(
                        default=StageKind.OPEN,
                        description="OPEN: OPEN\nWON: WON\nLOST: LOST",
                        enum_type=StageKind,
                        max_length=8,
                    ),
                ),
                (
                    "is_default",
                    fields.BooleanField(default=False, description="The open stage new opportunities start in."),
                ),
            ],
            options={"table": "stages", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("name", fields.CharField(max_length=200)),
                (
                    "role",
                    fields.CharEnumField(
                        default=Role.SALES_REP,
                        description="ADMIN: ADMIN\nMANAGER: MANAGER\nSALES_REP: SALES_REP\nREAD_ONLY: READ_ONLY",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
            ],
            options={"table": "users", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Account",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                (
                    "type",
                    fields.CharEnumField(
                        default=AccountType.ORGANIZATION,
                        description="PERSON: PERSON\nORGANIZATION: ORGANIZATION\nOTHER: OTHER",
                        enum_type=AccountType,
                        max_length=16,
                    ),
                ),
                (
                    "name",
                    fields.CharField(
                        db_index=True,
                        description='Organisation name, or "First Last" for a person account.',
                        max_length=200,
                    ),
                ),
                ("first_name", fields.CharField(null=True, max_length=100)),
                ("last_name", fields.CharField(null=True, max_length=100)),
                ("email", fields.CharField(null=True, max_length=254)),
                ("phone", fields.CharField(null=True, max_length=50)),
                ("street", fields.CharField(null=True, max_length=200)),
                ("city", fields.CharField(null=True, max_length=100)),
                ("postal_code", fields.CharField(null=True, max_length=20)),
                ("country", fields.CharField(null=True, max_length=100)),
                ("registration_number", fields.CharField(null=True, max_length=50)),
                ("vat_number", fields.CharField(null=True, max_length=50)),
                ("industry", fields.CharField(null=True, max_length=100)),
                ("website", fields.CharField(null=True, max_length=200)),
                (
                    "is_private",
                    fields.BooleanField(
                        default=False,
                        description="Visible to its owner alone when set (and so is everything under it).",
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={"table": "accounts", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="AccountLink",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "linked",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="linked_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("note", fields.CharField(null=True, max_length=200)),
            ],
            options={
                "table": "account_links",
                "app": "models",
                "unique_together": (("account", "linked"),),
                "pk_attr": "id",
                "table_description": "A symmetric link between two accounts (partner, affiliate, ...).",
            },
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="ApiToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                (
                    "hint",
                    fields.CharField(
                        description="Last characters of the clear token, to tell tokens apart in listings.",
                        max_length=8,
                    ),
                ),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_tokens",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An API token, stored as its SHA-256 digest (the clear token is shown once).",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Contact",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("first_name", fields.CharField(null=True, max_length=100)),
                ("last_name", fields.CharField(db_index=True, max_length=100)),
                ("email", fields.CharField(null=True, max_length=254)),
                ("phone", fields.CharField(null=True, max_length=50)),
                ("title", fields.CharField(null=True, max_length=100)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="contacts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "contacts", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="IdempotencyKey",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("operation", fields.CharField(max_length=64)),
                ("key", fields.CharField(max_length=200)),
                ("input_hash", fields.CharField(max_length=64)),
                (
                    "result",
                    fields.JSONField(
                        default=dict,
                        description='What the first call returned: {"field": "GlobalTypeName:id", ...}.',
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "idempotency_keys",
                "app": "models",
                "unique_together": (("user", "operation", "key"),),
                "pk_attr": "id",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Opportunity",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("title", fields.CharField(db_index=True, max_length=200)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="opportunities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="opportunities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "stage",
                    fields.ForeignKeyField(
                        "models.Stage",
                        source_field="stage_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="opportunities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=OpportunityStatus.OPEN,
                        description="OPEN: OPEN\nWON: WON\nLOST: LOST",
                        enum_type=OpportunityStatus,
                        max_length=8,
                    ),
                ),
                ("probability", fields.IntField(default=0)),
                ("currency", fields.CharField(max_length=3)),
                (
                    "pricebook",
                    fields.ForeignKeyField(
                        "models.Pricebook",
                        source_field="pricebook_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "manual_amount",
                    FixedDecimalField(
                        null=True,
                        description="The budget entered by hand, kept but ignored while items or an active quote exist.",
                        places=4,
                    ),
                ),
                (
                    "amount",
                    FixedDecimalField(
                        null=True,
                        db_index=True,
                        description="Derived (see services), stored so that filters and sorts run in SQL.",
                        places=4,
                    ),
                ),
                (
                    "amount_source",
                    fields.CharEnumField(
                        default=AmountSource.MANUAL,
                        description="QUOTE: QUOTE\nITEMS: ITEMS\nMANUAL: MANUAL",
                        enum_type=AmountSource,
                        max_length=8,
                    ),
                ),
                ("expected_revenue", FixedDecimalField(null=True, places=4)),
                ("close_date", fields.DateField(null=True)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("source", fields.CharField(null=True, max_length=100)),
                ("competitors", fields.CharField(null=True, max_length=500)),
                ("description", fields.TextField(null=True, unique=False)),
                ("lost_reason", fields.CharField(null=True, max_length=500)),
                (
                    "is_restricted",
                    fields.BooleanField(
                        default=False,
                        description="Visible only to the users listed in OpportunityAccess (and the owner) when set.",
                    ),
                ),
                (
                    "origin_contract_id",
                    fields.IntField(
                        null=True,
                        description="The contract an upsell opportunity came from (a plain id: quotes and contracts",
                    ),
                ),
            ],
            options={"table": "opportunities", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="Contract",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("number", fields.CharField(unique=True, max_length=32)),
                ("name", fields.CharField(max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="ONE_TIME: ONE_TIME\nTIME_BASED: TIME_BASED", enum_type=ContractKind, max_length=12
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=ContractStatus.ACTIVE,
                        description="ACTIVE: ACTIVE\nEXPIRED: EXPIRED\nCANCELLED: CANCELLED",
                        enum_type=ContractStatus,
                        max_length=10,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="contracts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="contracts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("start_date", fields.DateField()),
                (
                    "end_date",
                    fields.DateField(
                        null=True,
                        description="start + the product's term in calendar months (clamped to the month's end).",
                    ),
                ),
                ("quantity", FixedDecimalField(places=4)),
                (
                    "value",
                    FixedDecimalField(description="The line's share of the net total, in ``currency``.", places=4),
                ),
                ("currency", fields.CharField(max_length=3)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "contracts", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Lead",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("first_name", fields.CharField(null=True, max_length=100)),
                ("last_name", fields.CharField(null=True, max_length=100)),
                ("company", fields.CharField(null=True, max_length=200)),
                ("title", fields.CharField(null=True, max_length=100)),
                ("email", fields.CharField(null=True, max_length=254)),
                ("phone", fields.CharField(null=True, max_length=50)),
                ("source", fields.CharField(null=True, max_length=100)),
                ("description", fields.TextField(null=True, unique=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=LeadStatus.NEW,
                        description="NEW: NEW\nWORKING: WORKING\nQUALIFIED: QUALIFIED\nDISQUALIFIED: DISQUALIFIED",
                        enum_type=LeadStatus,
                        max_length=16,
                    ),
                ),
                ("is_archived", fields.BooleanField(default=False)),
                ("disqualified_reason", fields.CharField(null=True, max_length=500)),
                (
                    "anonymized_at",
                    fields.DatetimeField(
                        null=True,
                        description="Set by anonymizeLead: personal fields are erased for good.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("qualified_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "converted_account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="converted_account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "converted_contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="converted_contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "converted_opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="converted_opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "leads", "app": "models", "pk_attr": "id"},
            bases=["SoftDeletable"],
        ),
        ops.CreateModel(
            name="OpportunityAccess",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="access",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "opportunity_access",
                "app": "models",
                "unique_together": (("opportunity", "user"),),
                "pk_attr": "id",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="OpportunityItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("position", fields.IntField(default=0)),
                (
                    "currency",
                    fields.CharField(
                        description="The document's currency, copied so amounts format without loading the document.",
                        max_length=3,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("quantity", FixedDecimalField(places=4)),
                ("unit", fields.CharField(default="pcs", max_length=20)),
                (
                    "unit_price",
                    FixedDecimalField(
                        description="Up to four decimals. For bundle lines: lineTotal / quantity shown to 4 places.",
                        places=4,
                    ),
                ),
                ("discount_percent", FixedDecimalField(default=0, places=4)),
                ("tax_rate", FixedDecimalField(default=0, places=4)),
                (
                    "line_total",
                    FixedDecimalField(
                        description="Rounded to the currency minor units, authoritative for bundle lines.", places=4
                    ),
                ),
                (
                    "source",
                    fields.CharEnumField(
                        default=LineItemSource.MANUAL,
                        description="PRICEBOOK: PRICEBOOK\nMANUAL: MANUAL\nBUNDLE: BUNDLE\nROUNDING: ROUNDING",
                        enum_type=LineItemSource,
                        max_length=16,
                    ),
                ),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "bundle_group",
                    fields.CharField(
                        null=True,
                        description="Lines added by one addBundleToQuote call share a group id.",
                        max_length=36,
                    ),
                ),
                (
                    "weight",
                    FixedDecimalField(null=True, description="The component weight the bundle split used.", places=4),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "pricebook_entry",
                    fields.ForeignKeyField(
                        "models.PricebookEntry",
                        source_field="pricebook_entry_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "opportunity_items", "app": "models", "pk_attr": "id"},
            bases=["LineItem"],
        ),
        ops.CreateModel(
            name="Quote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("currency", fields.CharField(max_length=3)),
                (
                    "discount_percent",
                    FixedDecimalField(default=0, description="The document discount, in percent.", places=4),
                ),
                ("subtotal", FixedDecimalField(default=0, places=4)),
                ("discount_total", FixedDecimalField(default=0, places=4)),
                ("net_total", FixedDecimalField(default=0, places=4)),
                ("tax_total", FixedDecimalField(default=0, places=4)),
                ("total", FixedDecimalField(default=0, places=4)),
                (
                    "number",
                    fields.CharField(
                        db_index=True,
                        description='Human-facing number ("Q-00042"), allocated by services.numbering, shared by revisions.',
                        max_length=32,
                    ),
                ),
                ("revision", fields.IntField(default=1)),
                ("name", fields.CharField(max_length=200)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="quotes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="quotes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "pricebook",
                    fields.ForeignKeyField(
                        "models.Pricebook",
                        source_field="pricebook_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=QuoteStatus.DRAFT,
                        description="DRAFT: DRAFT\nSENT: SENT\nACCEPTED: ACCEPTED\nREJECTED: REJECTED",
                        enum_type=QuoteStatus,
                        max_length=10,
                    ),
                ),
                (
                    "is_active",
                    fields.BooleanField(
                        default=False, description="The opportunity's active quote (at most one per opportunity)."
                    ),
                ),
                (
                    "superseded_at",
                    fields.DatetimeField(
                        null=True,
                        description="Set when a newer revision replaced this one: read-only from then on.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("valid_from", fields.DateField(null=True)),
                ("valid_until", fields.DateField(null=True)),
                ("description", fields.TextField(null=True, unique=False)),
                (
                    "ordered_at",
                    fields.DatetimeField(
                        null=True,
                        description="Once-only conversions, claimed with a conditional UPDATE.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("invoiced_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "quotes", "app": "models", "unique_together": (("number", "revision"),), "pk_attr": "id"},
            bases=["DocumentTotals"],
        ),
        ops.CreateModel(
            name="Activity",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "type",
                    fields.CharEnumField(
                        description="CALL: CALL\nEMAIL: EMAIL\nMEETING: MEETING\nTASK: TASK\nNOTE: NOTE",
                        enum_type=ActivityType,
                        max_length=8,
                    ),
                ),
                ("subject", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("due_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "assignee",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="assignee_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("is_done", fields.BooleanField(default=False)),
                ("done_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "lead",
                    fields.ForeignKeyField(
                        "models.Lead",
                        source_field="lead_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="activities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="activities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="activities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="activities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "quote",
                    fields.ForeignKeyField(
                        "models.Quote",
                        source_field="quote_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="activities",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "activities", "app": "models", "pk_attr": "id"},
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="Document",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("name", fields.CharField(max_length=200)),
                ("content_type", fields.CharField(max_length=50)),
                ("content", fields.TextField(unique=False)),
                (
                    "quote",
                    fields.ForeignKeyField(
                        "models.Quote",
                        source_field="quote_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="documents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="documents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "template",
                    fields.ForeignKeyField(
                        "models.DocumentTemplate",
                        source_field="template_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "documents",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A quote rendered from a template, kept as a file attached to the opportunity.",
            },
            bases=["Entity"],
        ),
        ops.CreateModel(
            name="QuoteItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("position", fields.IntField(default=0)),
                (
                    "currency",
                    fields.CharField(
                        description="The document's currency, copied so amounts format without loading the document.",
                        max_length=3,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("quantity", FixedDecimalField(places=4)),
                ("unit", fields.CharField(default="pcs", max_length=20)),
                (
                    "unit_price",
                    FixedDecimalField(
                        description="Up to four decimals. For bundle lines: lineTotal / quantity shown to 4 places.",
                        places=4,
                    ),
                ),
                ("discount_percent", FixedDecimalField(default=0, places=4)),
                ("tax_rate", FixedDecimalField(default=0, places=4)),
                (
                    "line_total",
                    FixedDecimalField(
                        description="Rounded to the currency minor units, authoritative for bundle lines.", places=4
                    ),
                ),
                (
                    "source",
                    fields.CharEnumField(
                        default=LineItemSource.MANUAL,
                        description="PRICEBOOK: PRICEBOOK\nMANUAL: MANUAL\nBUNDLE: BUNDLE\nROUNDING: ROUNDING",
                        enum_type=LineItemSource,
                        max_length=16,
                    ),
                ),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "bundle_group",
                    fields.CharField(
                        null=True,
                        description="Lines added by one addBundleToQuote call share a group id.",
                        max_length=36,
                    ),
                ),
                (
                    "weight",
                    FixedDecimalField(null=True, description="The component weight the bundle split used.", places=4),
                ),
                (
                    "quote",
                    fields.ForeignKeyField(
                        "models.Quote",
                        source_field="quote_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "pricebook_entry",
                    fields.ForeignKeyField(
                        "models.PricebookEntry",
                        source_field="pricebook_entry_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "quote_items", "app": "models", "pk_attr": "id"},
            bases=["LineItem"],
        ),
        ops.CreateModel(
            name="SalesOrder",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("currency", fields.CharField(max_length=3)),
                (
                    "discount_percent",
                    FixedDecimalField(default=0, description="The document discount, in percent.", places=4),
                ),
                ("subtotal", FixedDecimalField(default=0, places=4)),
                ("discount_total", FixedDecimalField(default=0, places=4)),
                ("net_total", FixedDecimalField(default=0, places=4)),
                ("tax_total", FixedDecimalField(default=0, places=4)),
                ("total", FixedDecimalField(default=0, places=4)),
                ("number", fields.CharField(unique=True, max_length=32)),
                ("name", fields.CharField(null=True, max_length=200)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sales_orders",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "quote",
                    fields.ForeignKeyField(
                        "models.Quote",
                        source_field="quote_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=SalesOrderStatus.CONFIRMED,
                        description="CONFIRMED: CONFIRMED\nFULFILLED: FULFILLED\nCANCELLED: CANCELLED",
                        enum_type=SalesOrderStatus,
                        max_length=10,
                    ),
                ),
                (
                    "invoiced_at",
                    fields.DatetimeField(
                        null=True,
                        description="Claimed once by convertOrderToInvoice.",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
            ],
            options={"table": "sales_orders", "app": "models", "pk_attr": "id"},
            bases=["DocumentTotals"],
        ),
        ops.CreateModel(
            name="Invoice",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                (
                    "deletion_batch",
                    fields.CharField(
                        null=True,
                        description="Rows deleted together (an account with its contacts...) share one batch id, so",
                        max_length=36,
                    ),
                ),
                ("currency", fields.CharField(max_length=3)),
                (
                    "discount_percent",
                    FixedDecimalField(default=0, description="The document discount, in percent.", places=4),
                ),
                ("subtotal", FixedDecimalField(default=0, places=4)),
                ("discount_total", FixedDecimalField(default=0, places=4)),
                ("net_total", FixedDecimalField(default=0, places=4)),
                ("tax_total", FixedDecimalField(default=0, places=4)),
                ("total", FixedDecimalField(default=0, places=4)),
                ("number", fields.CharField(unique=True, max_length=32)),
                ("name", fields.CharField(null=True, max_length=200)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="invoices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "opportunity",
                    fields.ForeignKeyField(
                        "models.Opportunity",
                        source_field="opportunity_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "quote",
                    fields.ForeignKeyField(
                        "models.Quote",
                        source_field="quote_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "sales_order",
                    fields.ForeignKeyField(
                        "models.SalesOrder",
                        source_field="sales_order_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=InvoiceStatus.DRAFT,
                        description="DRAFT: DRAFT\nISSUED: ISSUED\nPAID: PAID\nVOID: VOID",
                        enum_type=InvoiceStatus,
                        max_length=8,
                    ),
                ),
                ("due_date", fields.DateField(null=True)),
                ("issued_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("paid_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "invoices", "app": "models", "pk_attr": "id"},
            bases=["DocumentTotals"],
        ),
        ops.CreateModel(
            name="InvoiceItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("position", fields.IntField(default=0)),
                (
                    "currency",
                    fields.CharField(
                        description="The document's currency, copied so amounts format without loading the document.",
                        max_length=3,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("quantity", FixedDecimalField(places=4)),
                ("unit", fields.CharField(default="pcs", max_length=20)),
                (
                    "unit_price",
                    FixedDecimalField(
                        description="Up to four decimals. For bundle lines: lineTotal / quantity shown to 4 places.",
                        places=4,
                    ),
                ),
                ("discount_percent", FixedDecimalField(default=0, places=4)),
                ("tax_rate", FixedDecimalField(default=0, places=4)),
                (
                    "line_total",
                    FixedDecimalField(
                        description="Rounded to the currency minor units, authoritative for bundle lines.", places=4
                    ),
                ),
                (
                    "source",
                    fields.CharEnumField(
                        default=LineItemSource.MANUAL,
                        description="PRICEBOOK: PRICEBOOK\nMANUAL: MANUAL\nBUNDLE: BUNDLE\nROUNDING: ROUNDING",
                        enum_type=LineItemSource,
                        max_length=16,
                    ),
                ),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "bundle_group",
                    fields.CharField(
                        null=True,
                        description="Lines added by one addBundleToQuote call share a group id.",
                        max_length=36,
                    ),
                ),
                (
                    "weight",
                    FixedDecimalField(null=True, description="The component weight the bundle split used.", places=4),
                ),
                (
                    "invoice",
                    fields.ForeignKeyField(
                        "models.Invoice",
                        source_field="invoice_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "invoice_items", "app": "models", "pk_attr": "id"},
            bases=["LineItem"],
        ),
        ops.CreateModel(
            name="SalesOrderItem",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("position", fields.IntField(default=0)),
                (
                    "currency",
                    fields.CharField(
                        description="The document's currency, copied so amounts format without loading the document.",
                        max_length=3,
                    ),
                ),
                (
                    "product",
                    fields.ForeignKeyField(
                        "models.Product",
                        source_field="product_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(null=True, unique=False)),
                ("quantity", FixedDecimalField(places=4)),
                ("unit", fields.CharField(default="pcs", max_length=20)),
                (
                    "unit_price",
                    FixedDecimalField(
                        description="Up to four decimals. For bundle lines: lineTotal / quantity shown to 4 places.",
                        places=4,
                    ),
                ),
                ("discount_percent", FixedDecimalField(default=0, places=4)),
                ("tax_rate", FixedDecimalField(default=0, places=4)),
                (
                    "line_total",
                    FixedDecimalField(
                        description="Rounded to the currency minor units, authoritative for bundle lines.", places=4
                    ),
                ),
                (
                    "source",
                    fields.CharEnumField(
                        default=LineItemSource.MANUAL,
                        description="PRICEBOOK: PRICEBOOK\nMANUAL: MANUAL\nBUNDLE: BUNDLE\nROUNDING: ROUNDING",
                        enum_type=LineItemSource,
                        max_length=16,
                    ),
                ),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.Bundle",
                        source_field="bundle_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "bundle_group",
                    fields.CharField(
                        null=True,
                        description="Lines added by one addBundleToQuote call share a group id.",
                        max_length=36,
                    ),
                ),
                (
                    "weight",
                    FixedDecimalField(null=True, description="The component weight the bundle split used.", places=4),
                ),
                (
                    "sales_order",
                    fields.ForeignKeyField(
                        "models.SalesOrder",
                        source_field="sales_order_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "sales_order_items", "app": "models", "pk_attr": "id"},
            bases=["LineItem"],
        ),
        ops.CreateModel(
            name="TimelineEvent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.IntField(
                        default=1,
                        description="Incremented by every write. A stale ``version`` in an update is a CONFLICT.",
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("subject_type", fields.CharField(max_length=32)),
                ("subject_id", fields.IntField()),
                (
                    "account_id",
                    fields.IntField(
                        null=True,
                        db_index=True,
                        description="The account whose timeline also shows this event (null for the account itself).",
                    ),
                ),
                (
                    "kind",
                    fields.CharField(
                        description="CREATED, UPDATED, DELETED, RESTORED, STAGE_CHANGED, CONVERTED, WON, ...",
                        max_length=32,
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "data",
                    fields.JSONField(
                        default=dict,
                        description='{"changes": {"field": {"old": ..., "new": ...}}, ...}',
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "timeline_events",
                "app": "models",
                "indexes": [Index(fields=["subject_type", "subject_id"])],
                "pk_attr": "id",
                "table_description": "One event on a record's history. ``account_id`` fans it out to the account.",
            },
            bases=["Entity"],
        ),
    ]
