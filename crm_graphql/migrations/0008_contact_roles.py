from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import ContactRoleKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_partners')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OpportunityContactRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('opportunity', fields.ForeignKeyField('models.Opportunity', source_field='opportunity_id', db_index=True, db_constraint=True, to_field='id', related_name='contact_roles', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='DECISION_MAKER: DECISION_MAKER\nECONOMIC_BUYER: ECONOMIC_BUYER\nINFLUENCER: INFLUENCER\nTECHNICAL_EVALUATOR: TECHNICAL_EVALUATOR\nUSER: USER\nOTHER: OTHER', enum_type=ContactRoleKind, max_length=24)),
                ('description', fields.CharField(null=True, max_length=500)),
                ('is_primary', fields.BooleanField(default=False)),
            ],
            options={'table': 'opportunity_contact_roles', 'app': 'models', 'unique_together': (('opportunity', 'contact', 'role'),), 'pk_attr': 'id', 'table_description': "A contact's business role on a deal: at most one primary per deal, and each contact and"},
            bases=['Entity'],
        ),
    ]
