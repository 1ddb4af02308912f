from tortoise import migrations
from tortoise.migrations import operations as ops

# PostgreSQL: every committed timeline event is announced on the channel ``crm_timeline``
# (payload: the event's id). NOTIFY is transactional: the notification is delivered when the
# inserting transaction commits, never for a rollback. services.live listens on it.
# SQLite has no NOTIFY: one process, services.live reads new events after the commit.
FUNCTION = """
CREATE OR REPLACE FUNCTION crm_timeline_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('crm_timeline', NEW.id::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
TRIGGER = (
    "CREATE TRIGGER crm_timeline_notify AFTER INSERT ON timeline_events "
    "FOR EACH ROW EXECUTE FUNCTION crm_timeline_notify()"
)


async def forward(apps, schema_editor):
    conn = schema_editor.client
    if conn.capabilities.dialect != "postgres":
        return
    await conn.execute_script(FUNCTION)
    await conn.execute_script("DROP TRIGGER IF EXISTS crm_timeline_notify ON timeline_events")
    await conn.execute_script(TRIGGER)


async def backward(apps, schema_editor):
    conn = schema_editor.client
    if conn.capabilities.dialect != "postgres":
        return
    await conn.execute_script("DROP TRIGGER IF EXISTS crm_timeline_notify ON timeline_events")
    await conn.execute_script("DROP FUNCTION IF EXISTS crm_timeline_notify()")


class Migration(migrations.Migration):
    dependencies = [('models', '0004_quote_documents')]

    initial = False

    operations = [
        ops.RunPython(forward, backward),
    ]
