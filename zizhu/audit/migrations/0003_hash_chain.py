"""The hash chain (docs/adr/0021-audit-hash-chain.md): two columns, and the existing rows
linked in id order from the genesis hash.

The append-only triggers refuse the UPDATE that fills the columns, so they are held off for
this one transaction: disabled on PostgreSQL, dropped and created again on SQLite (where
adding a column rebuilds the table, which loses its triggers anyway)."""

from django.db import migrations, models
from django.utils import timezone

from zizhu.audit.chain import FIELDS, GENESIS, chain_key, link

SQLITE_TRIGGER = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""
BATCH = 5000


def sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        schema_editor.execute(SQLITE_TRIGGER)


def link_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_guard")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
    key, prev, after = chain_key(), GENESIS, 0
    while rows := list(
        AuditEvent.objects.filter(id__gt=after).order_by("id").values("id", *FIELDS)[:BATCH]
    ):
        links = []
        for row in rows:
            current = link(prev, row, key)
            links.append((prev, current, row["id"]))
            prev, after = current, row["id"]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", links
            )
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_guard")
    else:
        sqlite_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        # when unapplied (last), SQLite's trigger comes back after the table rebuilds
        migrations.RunPython(migrations.RunPython.noop, sqlite_trigger),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=timezone.now, verbose_name="Time (UTC)"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="Previous hash"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="Hash"),
            preserve_default=False,
        ),
        migrations.RunPython(link_existing_rows, sqlite_trigger),
    ]
