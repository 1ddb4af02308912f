from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_account_relations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LeadSplitRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(max_length=200)),
                ('lead_filter', fields.JSONField(default=dict, description='The LeadFilter input as the client wrote it (GraphQL field names), applied when run.', encoder=JSON_DUMPS, decoder=loads)),
                ('shares', fields.JSONField(default=list, description='[{"user": user id, "percent": whole percent}], in the order given, summing to 100.', encoder=JSON_DUMPS, decoder=loads)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'lead_split_rules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A lead filter (stored as the LeadFilter input it was given) and the shares every matching'},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='LeadShare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_index=True, db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_index=True, description='Null once the user is deleted: the percent stays, so the shares still add up to 100.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('percent', fields.IntField()),
                ('position', fields.IntField(default=0, description='Order of the shares as given (ties of the largest remainder go to the earlier one).')),
                ('rule', fields.ForeignKeyField('models.LeadSplitRule', source_field='rule_id', null=True, db_index=True, description='The rule that gave it (null once the rule is deleted).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'lead_shares', 'app': 'models', 'unique_together': (('lead', 'user'),), 'pk_attr': 'id', 'table_description': "A user's share of a lead, given by a split rule, carried to the deal on qualification."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='RevenueSplit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('opportunity', fields.ForeignKeyField('models.Opportunity', source_field='opportunity_id', db_index=True, db_constraint=True, to_field='id', related_name='revenue_splits', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_index=True, description='Null once the user is deleted: the percent stays, so the shares still add up to 100.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('percent', fields.IntField()),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'revenue_splits', 'app': 'models', 'unique_together': (('opportunity', 'user'),), 'pk_attr': 'id', 'table_description': "A user's share of a deal's amount: the amount is computed at read time by largest"},
            bases=['Entity'],
        ),
    ]
