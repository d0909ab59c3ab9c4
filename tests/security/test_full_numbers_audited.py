"""Every response that shows a student's ID, phone or bank card number in full is audited.

As each role, every GET of the permission matrix the role may open (pages, row forms,
exports, downloads, the API) and every menu link is requested; a response whose body (HTML,
JSON, CSV, or the XML inside an XLSX) holds any full number of the recipient rows in the
database must have written an audit event of a full-view kind during that request."""

import io
import zipfile

import pytest

from tests.conftest import USERS, login_as
from tests.test_permission_matrix import OBJECT_BUILDERS, _entries
from tests.web.test_headers import _menu_links
from zizhu.audit.models import AuditEvent
from zizhu.recipients.models import RecipientRow

FULL_VIEW_ACTIONS = {
    "recipients.view_full",
    "recipients.export",
    "anomalies.view_full",
    "anomalies.export_unmasked",
}


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK\x03\x04"):  # an XLSX: its sheets and shared strings
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(
                book.read(n).decode("utf-8", "replace")
                for n in book.namelist()
                if n.endswith(".xml")
            )
    return body.decode("utf-8", "replace")


def _full_numbers() -> set[str]:
    numbers = set()
    for row in RecipientRow.objects.all():
        numbers |= {v for v in (row.id_number, row.phone, row.bank_account) if v}
    return numbers


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_response_that_shows_a_number_in_full_is_audited(client, users, username):
    objects: dict[str, int] = {}
    for build in OBJECT_BUILDERS:
        objects.update(build(users))
    numbers = _full_numbers()
    assert len(numbers) >= 8  # four rows: ID numbers, phones, bank cards
    login_as(client, users[username])
    paths = {
        path.format(**objects)
        for _name, method, path, table in _entries()
        if method == "GET" and table.get(username) == 200
    }
    paths |= set(_menu_links(client))
    unaudited, shown = [], 0
    for path in sorted(paths):
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(path)
        if response.status_code != 200:
            continue
        found = sorted(n for n in numbers if n in _text(response))
        if not found:
            continue
        shown += 1
        actions = set(
            AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True).distinct()
        )
        if not actions & FULL_VIEW_ACTIONS:
            unaudited.append(f"{path}: shows {len(found)} full numbers, audited {actions}")
    assert unaudited == []
    if username == "school_operator":  # the school's own list, row form and export
        assert shown >= 3
