"""The audit is append-only in the database itself: on PostgreSQL a trigger refuses UPDATE and
DELETE on the access audit and on django-auditlog's change log, whoever asks.

TRUNCATE (the test framework's flush) fires no row trigger, so it still works. The one way to
remove rows is the retention job (``mentoring.audit.purge_before``), which says so for its own
transaction with ``SET LOCAL mentoring.audit_retention = 'on'``; nothing ever updates a row.
The embedded SQLite mode relies on the models' own refusals.
"""

from django.db import migrations

TABLES = ("mentoring_accessevent", "auditlog_logentry")

FUNCTION = """
CREATE OR REPLACE FUNCTION mentoring_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('mentoring.audit_retention', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit is append-only: % on % refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mentoring_audit_append_only()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS mentoring_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0004_access_event"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
