"""An address under /api/ that names no resource answers the API's JSON 404 (docs/api.md),
never Django's HTML page; other addresses keep the HTML 404 page."""

import pytest
from django.test import override_settings

NOT_FOUND = {"error": {"code": "not_found", "message": "未找到。", "fields": []}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/nope"),
        ("get", "/api/v1/nope/"),
        ("post", "/api/v1/nope/"),
        ("get", "/api/v2/units/"),
        ("get", "/api/v1/units/610112/extra/"),
        ("delete", "/api/"),
    ],
)
def test_it_answers_an_unknown_api_address_with_the_json_404(api, token, method, path):
    response = api(token("county_operator").value, method, path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


@pytest.mark.django_db
def test_it_asks_for_a_token_before_it_says_an_address_is_unknown(client):
    response = client.get("/api/v1/nope/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.api.plain_404_urls")
def test_it_answers_a_404_raised_outside_the_api_views_in_json_too(client):
    response = client.get("/api/v1/plain/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.api.plain_404_urls")
def test_it_keeps_the_html_404_page_outside_the_api(client, users):
    client.force_login(users["county_operator"])
    for path in ("/plain/", "/nope/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "页面不存在" in response.content.decode()
