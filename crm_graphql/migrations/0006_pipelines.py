from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Data: every existing stage and opportunity joins one default pipeline, "Sales" (DOMAIN.md 11).
# The foreign keys are added nullable and filled; PostgreSQL then makes them NOT NULL. SQLite
# keeps them nullable: changing a column there rebuilds the table (DROP TABLE with foreign keys
# on would cascade into the quotes and items pointing at it), and the services always set them.
DEFAULT_PIPELINE = "Sales"


async def fill_default_pipeline(apps, schema_editor):
    conn = schema_editor.client
    pipeline_model = apps.get_model("models", "Pipeline")
    pipeline = await pipeline_model.filter(is_default=True).using_db(conn).first()
    if pipeline is None:
        pipeline = await pipeline_model.create(name=DEFAULT_PIPELINE, is_default=True, using_db=conn)
    await apps.get_model("models", "Stage").filter(pipeline_id__isnull=True).using_db(conn).update(pipeline_id=pipeline.id)
    await apps.get_model("models", "Opportunity").filter(pipeline_id__isnull=True).using_db(conn).update(
        pipeline_id=pipeline.id
    )
    if schema_editor.client.capabilities.dialect != "sqlite":
        await conn.execute_script(
            "ALTER TABLE stages ALTER COLUMN pipeline_id SET NOT NULL; "
            "ALTER TABLE opportunities ALTER COLUMN pipeline_id SET NOT NULL"
        )


def _fk(related_name, description=None, on_delete=OnDelete.RESTRICT):
    return fields.ForeignKeyField(
        'models.Pipeline', source_field='pipeline_id', db_index=True, db_constraint=True, to_field='id',
        related_name=related_name, on_delete=on_delete, null=True, description=description,
    )


_OPP_DOC = "Always the stage's pipeline (kept with the stage, so filters and reports group in SQL)."
_STAGE_DOC = "Never null (see Opportunity.pipeline)."


class Migration(migrations.Migration):
    dependencies = [('models', '0005_timeline_notify')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Pipeline',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1, description='Incremented by every write. A stale ``version`` in an update is a CONFLICT.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('is_default', fields.BooleanField(default=False, description='The pipeline new opportunities, ``stages`` and ``pipelineSummary`` use when none is named.')),
            ],
            options={'table': 'pipelines', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A named sales process with its own ordered stages (DOMAIN.md 11).'},
            bases=['Entity'],
        ),
        ops.AddField(model_name='Opportunity', name='pipeline', field=_fk('opportunities', _OPP_DOC)),
        ops.AddField(model_name='Stage', name='pipeline', field=_fk('stages', _STAGE_DOC, OnDelete.CASCADE)),
        ops.RunPython(fill_default_pipeline),
    ]
