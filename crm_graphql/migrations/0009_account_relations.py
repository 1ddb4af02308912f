from tortoise import migrations
from tortoise.migrations import operations as ops
from crm_graphql.enums import AccountRelationKind
from tortoise import fields

# AccountLink becomes AccountRelation (the API's name; its table stays ``account_links``) with a
# ``kind``: existing links keep their rows and read as OTHER. Opportunities get
# ``stage_entered_at``: for existing rows, the time of their latest stage change on the
# timeline (STAGE_CHANGED, WON, LOST, REOPENED), else their creation. Nullable, like
# ``pipeline_id`` in 0006: SQLite adds a column without rebuilding the table only so; the
# services always set it.
_STAGE_EVENTS = ("STAGE_CHANGED", "WON", "LOST", "REOPENED")


async def fill_stage_entered_at(apps, schema_editor):
    conn = schema_editor.client
    kinds = ", ".join(f"'{k}'" for k in _STAGE_EVENTS)
    await conn.execute_script(
        "UPDATE opportunities SET stage_entered_at = COALESCE("
        " (SELECT MAX(e.created_at) FROM timeline_events e WHERE e.subject_type = 'Opportunity'"
        f"  AND e.subject_id = opportunities.id AND e.kind IN ({kinds})),"
        " opportunities.created_at) WHERE stage_entered_at IS NULL"
    )


class Migration(migrations.Migration):
    dependencies = [('models', '0008_contact_roles')]

    initial = False

    operations = [
        ops.RenameModel(old_name='AccountLink', new_name='AccountRelation'),
        ops.AddField(
            model_name='AccountRelation',
            name='kind',
            field=fields.CharEnumField(default=AccountRelationKind.OTHER, description='PARTNER: PARTNER\nSUPPLIER: SUPPLIER\nCUSTOMER: CUSTOMER\nCOMPETITOR: COMPETITOR\nAFFILIATE: AFFILIATE\nOTHER: OTHER', db_default='OTHER', enum_type=AccountRelationKind, max_length=16),
        ),
        ops.AddField(
            model_name='Opportunity',
            name='stage_entered_at',
            field=fields.DatetimeField(null=True, description='When the deal entered its current stage (set with every stage change, win, loss, reopen', auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(fill_stage_entered_at),
    ]
