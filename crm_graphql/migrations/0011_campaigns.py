from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import CampaignStatus
from crm_graphql.models.base import FixedDecimalField
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_splits')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('deletion_batch', fields.CharField(null=True, description='Rows deleted together (an account with its contacts...) share one batch id, so', max_length=36)),
                ('name', fields.CharField(db_index=True, max_length=200)),
                ('type', fields.CharField(null=True, description='Free text, as sales teams name them: Webinar, Trade show, E-mail, Advertising...', max_length=100)),
                ('status', fields.CharEnumField(default=CampaignStatus.PLANNED, description='PLANNED: PLANNED\nACTIVE: ACTIVE\nCOMPLETED: COMPLETED\nABORTED: ABORTED', enum_type=CampaignStatus, max_length=16)),
                ('start_date', fields.DateField(null=True)),
                ('end_date', fields.DateField(null=True)),
                ('budget', FixedDecimalField(null=True, description="What the campaign costs, in its currency (at most the minor units of the currency).", places=4)),
                ('currency', fields.CharField(max_length=3)),
                ('description', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'campaigns', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A marketing campaign leads and opportunities name (DOMAIN.md 11).'},
            bases=['SoftDeletable'],
        ),
        ops.AddField(
            model_name='Lead',
            name='campaign',
            field=fields.ForeignKeyField('models.Campaign', source_field='campaign_id', null=True, db_index=True, description='The marketing campaign it came from (DOMAIN.md 11), kept when the campaign is deleted.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='campaign',
            field=fields.ForeignKeyField('models.Campaign', source_field='campaign_id', null=True, db_index=True, description='The marketing campaign it came from (DOMAIN.md 11), kept when the campaign is deleted.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
