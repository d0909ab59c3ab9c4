"""PostgreSQL: a recipient row's list is checked once a statement, not once a row.

The foreign key from `recipients_recipientrow.recipient_list_id` fires one check a row: at the
commit of a 100,000-row import, ~0.34 s of PostgreSQL's time, half of what storing the rows
costs (ADR 0020). These triggers keep the same rule a statement at a time, over the
statement's rows (transition tables):

- rows inserted or updated: their lists are locked `FOR KEY SHARE`, as the foreign key's check
  locks them (a list being deleted waits, or the rows' statement waits for its deletion and
  then fails), and every one must exist;
- lists deleted: none may still have rows (Django deletes a list's rows first, as it did);
- the lists' table truncated: the rows' table must be empty after it (truncated in the same
  statement, as Django's flush of a test database does);
- a list's id never changes.

A violation is SQLSTATE 23503 (foreign_key_violation), the foreign key's own: Django raises
IntegrityError as before. Unlike the foreign key, the check runs at the end of the statement,
not at the commit: every writer adds a list before its rows.

SQLite keeps its foreign key (its check a row costs ~0.02 s a 100,000-row list; a trigger
a row costs more). The model still declares the foreign key, so Django's migration state
holds a constraint that PostgreSQL's schema does not. An `AlterField` of `recipient_list`
finds no foreign key there to drop, and then adds none back (Django's schema editor): the
triggers stay in charge. Reversing this migration restores the foreign key."""

from django.db import migrations

CONSTRAINT = "recipients_recipient_recipient_list_id_ee9f3e73_fk_recipient"

UP = f"""
ALTER TABLE recipients_recipientrow DROP CONSTRAINT {CONSTRAINT};

CREATE FUNCTION recipients_rows_have_lists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lists bigint[];
    locked integer;
BEGIN
    SELECT array_agg(id) INTO lists FROM (SELECT DISTINCT recipient_list_id AS id FROM added) d;
    IF lists IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM recipients_recipientlist WHERE id = ANY (lists) FOR KEY SHARE;
    GET DIAGNOSTICS locked = ROW_COUNT;
    IF locked < cardinality(lists) THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'insert or update on table "recipients_recipientrow" violates its list check',
            DETAIL = 'A row refers to a recipient list that does not exist.',
            TABLE = 'recipients_recipientrow';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER recipients_rows_have_lists_on_insert AFTER INSERT ON recipients_recipientrow
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION recipients_rows_have_lists();
CREATE TRIGGER recipients_rows_have_lists_on_update AFTER UPDATE ON recipients_recipientrow
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION recipients_rows_have_lists();

CREATE FUNCTION recipients_lists_without_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone bigint;
BEGIN
    FOR gone IN SELECT id FROM removed LOOP  -- one probe of the rows' index a list
        IF EXISTS (SELECT 1 FROM recipients_recipientrow WHERE recipient_list_id = gone) THEN
            RAISE foreign_key_violation USING
                MESSAGE = 'delete on table "recipients_recipientlist" violates its rows check',
                DETAIL = 'Recipient list ' || gone || ' still has rows.',
                TABLE = 'recipients_recipientlist';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER recipients_lists_without_rows AFTER DELETE ON recipients_recipientlist
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION recipients_lists_without_rows();

CREATE FUNCTION recipients_lists_truncated_with_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM recipients_recipientrow) THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'truncate of table "recipients_recipientlist" leaves recipient rows',
            HINT = 'Truncate recipients_recipientrow in the same statement.',
            TABLE = 'recipients_recipientlist';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER recipients_lists_truncated_with_rows AFTER TRUNCATE ON recipients_recipientlist
    FOR EACH STATEMENT EXECUTE FUNCTION recipients_lists_truncated_with_rows();

CREATE FUNCTION recipients_list_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = 'a recipient list''s id cannot change',
        TABLE = 'recipients_recipientlist';
END $$;

CREATE TRIGGER recipients_list_id_fixed BEFORE UPDATE OF id ON recipients_recipientlist
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION recipients_list_id_fixed();
"""

DOWN = f"""
DROP TRIGGER recipients_list_id_fixed ON recipients_recipientlist;
DROP TRIGGER recipients_lists_truncated_with_rows ON recipients_recipientlist;
DROP TRIGGER recipients_lists_without_rows ON recipients_recipientlist;
DROP TRIGGER recipients_rows_have_lists_on_update ON recipients_recipientrow;
DROP TRIGGER recipients_rows_have_lists_on_insert ON recipients_recipientrow;
DROP FUNCTION recipients_list_id_fixed();
DROP FUNCTION recipients_lists_truncated_with_rows();
DROP FUNCTION recipients_lists_without_rows();
DROP FUNCTION recipients_rows_have_lists();
ALTER TABLE recipients_recipientrow ADD CONSTRAINT {CONSTRAINT}
    FOREIGN KEY (recipient_list_id) REFERENCES recipients_recipientlist (id)
    DEFERRABLE INITIALLY DEFERRED;
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN)


class Migration(migrations.Migration):
    dependencies = [("recipients", "0005_row_pid_without_index")]
    operations = [migrations.RunPython(up, down)]
