from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('hash', fields.CharField(primary_key=True, unique=True, db_index=True, description='SHA-256 of the document, lower-case hex, as the client sent it.', max_length=64)),
                ('query', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'persisted_queries', 'app': 'models', 'pk_attr': 'hash', 'table_description': 'A document registered by automatic persisted queries, shared by all workers (pruned).'},
            bases=['Model'],
        ),
    ]
