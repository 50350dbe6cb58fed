"""PostgreSQL tells listening processes of every change to the page-cache counters
(``core.counter_notices``); SQLite needs nothing (each process reads its local file)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION minefree_counter_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        PERFORM pg_notify('minefree_versions', '*');
    ELSE
        PERFORM pg_notify('minefree_versions', NEW.key || '=' || NEW.version);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER minefree_counter_notice
    AFTER INSERT OR UPDATE OR DELETE ON core_contentversion
    FOR EACH ROW EXECUTE FUNCTION minefree_counter_notice();
CREATE TRIGGER minefree_counter_truncate
    AFTER TRUNCATE ON core_contentversion
    FOR EACH STATEMENT EXECUTE FUNCTION minefree_counter_notice();
"""

DROP = """
DROP TRIGGER IF EXISTS minefree_counter_truncate ON core_contentversion;
DROP TRIGGER IF EXISTS minefree_counter_notice ON core_contentversion;
DROP FUNCTION IF EXISTS minefree_counter_notice();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_job_worker"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
