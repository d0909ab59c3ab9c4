"""ID, phone and bank card numbers of recipient rows are sealed at rest (AES-GCM): the raw
table and a pg_dump hold none of them in plaintext; keys rotate; the row form is audited."""

import io
import shutil
import subprocess

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from tests.conftest import login_as
from tests.recipients.factories import make_id
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.lib.sealing import SealError, new_key
from zizhu.recipients.fields import keyring
from zizhu.recipients.models import RecipientList, RecipientRow
from zizhu.recipients.sealing import rows_reseal
from zizhu.recipients.services import ListLoad, recipient_list_import, recipient_lists_load

SERIALS = range(1, 8)


def _values(serial: int) -> dict[str, str]:
    return {
        "id_number": make_id(serial),
        "name": f"学生{serial}",
        "amount": "1150",
        "phone": f"1391234{serial:04d}",
        "bank_account": f"62220200{serial:011d}",
    }


def _secrets() -> list[str]:
    return [v for s in SERIALS for k, v in _values(s).items() if k not in ("name", "amount")]


def _import(school, serials=SERIALS, batch=1):
    return recipient_list_import(
        school=school,
        project=AidProject.objects.get(code="vocational_national_grant"),
        year=2025,
        term="autumn",
        batch=batch,
        rows=[(i + 2, _values(s)) for i, s in enumerate(serials)],
    ).recipient_list


def _raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM recipients_recipientrow")
        return cursor.fetchall()


def _assert_no_plaintext(text: str) -> None:
    found = [s for s in _secrets() if s in text]
    assert not found, f"plaintext in storage: {found}"


def test_it_seals_ids_phones_and_cards_in_the_raw_table_and_opens_them_on_read(users):
    target = _import(users["school_operator"].unit)
    raw = _raw_rows()
    _assert_no_plaintext(repr(raw))
    prefix = f"${keyring().current}$"
    assert sum(1 for r in raw for v in r if isinstance(v, str) and v.startswith(prefix)) == 21
    row = target.rows.get(row_number=2)
    assert (row.id_number, row.phone, row.bank_account) == (
        make_id(1),
        "13912340001",
        "6222020000000000001",
    )
    assert list(RecipientRow.objects.values_list("id_number", flat=True)) == [
        make_id(s) for s in SERIALS
    ]


def test_it_seals_rows_of_the_bulk_load_and_of_a_single_row_save(users):
    from zizhu.recipients.services import recipient_row_save

    school = users["school_operator"].unit
    project = AidProject.objects.get(code="vocational_national_grant")
    table = [(i + 2, _values(s)) for i, s in enumerate(SERIALS)]
    recipient_lists_load(lists=[ListLoad(school, project, 2024, "autumn", table)])
    target = RecipientList.objects.get()
    _assert_no_plaintext(repr(_raw_rows()))
    assert sorted(target.rows.values_list("phone", flat=True)) == sorted(
        _values(s)["phone"] for s in SERIALS
    )
    other = _import(school, serials=[1], batch=1)
    recipient_row_save(
        recipient_list=other,
        raw={k: str(v) for k, v in _values(2).items()},
        actor=users["school_operator"],
    )
    _assert_no_plaintext(repr(_raw_rows()))
    assert other.rows.get(row_number=3).bank_account == _values(2)["bank_account"]


def test_it_refuses_lookups_on_sealed_columns(users):
    with pytest.raises(FieldError):
        list(RecipientRow.objects.filter(id_number=make_id(1)))


def test_it_keeps_one_person_per_list_by_the_keyed_hash(users):
    from django.db import IntegrityError, transaction

    target = _import(users["school_operator"].unit, serials=[1])
    row = target.rows.get()
    row.pk = None
    row.row_number = 9
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_it_rotates_to_a_new_key_in_batches_and_then_needs_only_the_new_key(users, settings):
    old = keyring().current
    _import(users["school_operator"].unit)
    settings.ZIZHU_DATA_KEYS = f"k2:{new_key()},{settings.ZIZHU_DATA_KEYS}"
    call_command("rotate_data_keys", "--batch", "3")
    sealed = [v for r in _raw_rows() for v in r if isinstance(v, str) and v.startswith("$")]
    assert len(sealed) == 3 * len(SERIALS)
    assert all(v.startswith("$k2$") for v in sealed)
    event = AuditEvent.objects.get(action="recipients.rotate_data_keys")
    assert event.detail == {"key": "k2", "rows": len(SERIALS)}
    out = io.StringIO()
    call_command("rotate_data_keys", stdout=out)  # nothing left: a second run rewrites no row
    assert out.getvalue().startswith("0 rows")
    settings.ZIZHU_DATA_KEYS = settings.ZIZHU_DATA_KEYS.split(",")[0]  # old key removed
    assert sorted(RecipientRow.objects.values_list("id_number", flat=True)) == sorted(
        make_id(s) for s in SERIALS
    )
    settings.ZIZHU_DATA_KEYS = f"{old}:{new_key()}"  # a wrong key does not open
    with pytest.raises(SealError):
        list(RecipientRow.objects.values_list("id_number", flat=True))


def test_it_seals_rows_stored_in_plaintext_before_sealing(users):
    """What migration 0002 does to the rows of an existing database."""
    target = _import(users["school_operator"].unit, serials=[1, 2])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recipients_recipientrow SET id_number = %s, phone = %s, bank_account = ''"
            " WHERE row_number = 2",
            [make_id(1), "13912340001"],
        )
    assert rows_reseal(keyring()) == 1
    _assert_no_plaintext(repr(_raw_rows()))
    assert target.rows.get(row_number=2).phone == "13912340001"


def test_it_audits_the_row_form_that_shows_a_row_in_full(client, users):
    target = _import(users["school_operator"].unit, serials=[1])
    row = target.rows.get()
    login_as(client, users["school_operator"])
    response = client.get(f"/recipients/{target.pk}/rows/{row.pk}/")
    assert response.status_code == 200
    assert make_id(1) in response.content.decode()
    event = AuditEvent.objects.get(action="recipients.view_full")
    assert event.detail == {"row": 2, "form": True}


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_plaintext_in_a_pg_dump(tree):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump needs PostgreSQL (run with DATABASE_URL=postgres://…)")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    from zizhu.catalogue.seed import seed_catalogue

    if not AidProject.objects.exists():  # a transactional test starts from a flushed database
        seed_catalogue(AidProject)
    _import(tree["3661000001"])
    params = connection.get_connection_params()
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            params.get("host") or "127.0.0.1",
            "-p",
            str(params.get("port") or 5432),
            "-U",
            params["user"],
            params["dbname"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PGPASSWORD": params.get("password") or "", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert "recipients_recipientrow" in dump
    assert dump.count(f"${keyring().current}$") == 3 * len(SERIALS)
    _assert_no_plaintext(dump)
