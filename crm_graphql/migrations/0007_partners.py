from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import Role
from tortoise.fields.base import OnDelete
from tortoise import fields


class DescriptionOnly(ops.AlterField):
    """A new enum member changes only the column's generated description (a comment): the
    state moves, the table is left alone. On SQLite an AlterField rebuilds the table, and
    dropping ``users`` with foreign keys on would cascade into the API tokens."""

    async def database_forward(self, *args, **kwargs):
        return None

    async def database_backward(self, *args, **kwargs):
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0006_pipelines')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='is_partner',
            field=fields.BooleanField(default=False, description='A partner (reseller) account: leads and deals can be assigned to it, and its PARTNER', db_default=False),
        ),
        ops.AddField(
            model_name='Lead',
            name='partner',
            field=fields.ForeignKeyField('models.Account', source_field='partner_id', null=True, db_index=True, description='The partner account the lead is assigned to (its PARTNER users see it).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='partner',
            field=fields.ForeignKeyField('models.Account', source_field='partner_id', null=True, db_index=True, description='The partner account the deal is assigned to (its PARTNER users see it).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        DescriptionOnly(
            model_name='User',
            name='role',
            field=fields.CharEnumField(default=Role.SALES_REP, description='ADMIN: ADMIN\nMANAGER: MANAGER\nSALES_REP: SALES_REP\nREAD_ONLY: READ_ONLY\nPARTNER: PARTNER', enum_type=Role, max_length=16),
        ),
        ops.AddField(
            model_name='User',
            name='partner_account_id',
            field=fields.IntField(null=True, db_index=True, description='The partner account a PARTNER user belongs to (required for that role, null otherwise).'),
        ),
    ]
