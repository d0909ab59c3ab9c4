"""Requests beyond the limits are refused with 413 or 400 before any view runs, never 500."""

from django.test import override_settings

from tests.conftest import login_as


def test_it_answers_413_to_a_body_above_the_limit(client, users, settings):
    settings.ZIZHU_REQUEST_MAX_BYTES = 1024
    login_as(client, users["county_operator"])
    response = client.post("/funds/vouchers/new/", {"note": "x" * 2000})
    assert response.status_code == 413


def test_it_answers_400_to_too_many_fields(client, users):
    login_as(client, users["county_operator"])
    body = "&".join(f"f{i}=1" for i in range(1001))
    response = client.post("/recipients/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_it_answers_400_to_too_many_files(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_as(client, users["school_operator"])
    files = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4\n") for i in range(3)]
    response = client.post("/funds/vouchers/new/", {"files": files})
    assert response.status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_it_answers_413_to_form_fields_above_djangos_memory_limit(client, users):
    login_as(client, users["county_operator"])
    response = client.post("/recipients/", {"q": "x" * 5000})
    assert response.status_code == 413


def test_it_answers_400_to_a_nul_in_a_parameter(client, users):
    login_as(client, users["county_operator"])
    assert client.get("/recipients/?school=36%00").status_code == 400
    assert client.post("/accounts/login/", {"username": "a\x00b", "password": "x"}).status_code in (
        400,
    )
