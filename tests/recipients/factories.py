"""Recipient lists in the fixture tree, and valid ID numbers to fill them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from zizhu.catalogue.models import AidProject
from zizhu.jobs.services import job_create
from zizhu.lib.idnumber import check_char
from zizhu.recipients.services import recipient_list_import


def make_id(serial: int, born: str = "20080315", area: str = "610112") -> str:
    first17 = f"{area}{born}{serial % 1000:03d}"
    return first17 + check_char(first17)


def rows(*serials: int, amount: str = "1150") -> list[tuple[int, dict[str, str]]]:
    return [
        (
            index + 2,
            {
                "id_number": make_id(s),
                "name": f"学生{s}",
                "amount": amount,
                "phone": f"1380000{s:04d}",
            },
        )
        for index, s in enumerate(serials)
    ]


def make_list(school, *serials: int, actor=None, project="vocational_national_grant", **key):
    key = {"year": 2025, "term": "autumn", "batch": 1} | key
    return recipient_list_import(
        school=school,
        project=AidProject.objects.get(code=project),
        rows=rows(*serials),
        actor=actor,
        **key,
    ).recipient_list


def recipient_objects(users) -> dict[str, int]:
    """`own_*` objects belong to school 3661000001 (county 610112), `other_*` to 3661000003."""
    own = make_list(users["school_operator"].unit, 1, 2, actor=users["school_operator"])
    other = make_list(
        users["neighbour_school_operator"].unit, 3, 4, actor=users["neighbour_school_operator"]
    )
    job = job_create(
        kind="recipients_import", params={}, actor=users["school_operator"], enqueue=False
    )
    return {
        "own_list": own.pk,
        "other_list": other.pk,
        "own_row": own.rows.first().pk,
        "other_row": other.rows.first().pk,
        "own_import_job": job.pk,
    }


def upload_list(client, body: bytes, name: str = "list.csv"):
    """POST a list file to the upload page as the signed-in school operator (the form's
    project, year, term and batch of make_list's defaults); the response."""
    return client.post(
        "/recipients/upload/",
        {
            "project": "vocational_national_grant",
            "year": 2025,
            "term": "autumn",
            "batch": 1,
            "file": SimpleUploadedFile(name, body, content_type="text/csv"),
        },
    )
