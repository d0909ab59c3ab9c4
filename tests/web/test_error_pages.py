"""403, 404 and 500 answer in Chinese inside the page shell (the menu when logged in), with a
way back to the home page (and to the previous page when the browser says which it was)."""

import pytest
from django.test import Client
from django.urls import path

from tests.conftest import login_as
from zizhu.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*project_urlpatterns, path("test-broken/", broken)]
handler403 = "zizhu.web.errors.permission_denied"
handler404 = "zizhu.web.errors.page_not_found"
handler500 = "zizhu.web.errors.server_error"


def _text(response) -> str:
    return response.content.decode()


def test_a_missing_page_is_chinese_in_the_shell_with_a_way_back(client, users):
    login_as(client, users["county_operator"])
    response = client.get(
        "/no-such-page/", HTTP_REFERER="http://testserver/funds/reports/vouchers/"
    )
    html = _text(response)
    assert response.status_code == 404
    assert "页面不存在" in html and 'data-testid="menu"' in html
    assert 'data-testid="error-home"' in html and 'href="/"' in html
    assert 'href="http://testserver/funds/reports/vouchers/"' in html
    assert "Not Found" not in html


def test_a_refused_page_is_chinese_in_the_shell(client, users):
    login_as(client, users["school_operator"])
    response = client.get("/audit/")
    html = _text(response)
    assert response.status_code == 403
    assert "无权访问" in html and 'data-testid="menu"' in html and "返回首页" in html


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, users):
    login_as(client, users["county_operator"])
    html = _text(client.get("/no-such-page/", HTTP_REFERER="https://evil.example/x"))
    assert "evil.example" not in html


def test_an_anonymous_visitor_gets_the_chinese_page_with_a_sign_in_link(db):
    response = Client().get("/accounts/no-such-page/")
    html = _text(response)
    assert response.status_code in (302, 404)
    if response.status_code == 404:
        assert "页面不存在" in html and 'data-testid="menu"' not in html


@pytest.mark.urls("tests.web.test_error_pages")
def test_a_server_error_is_chinese_in_the_shell(users, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    login_as(client, users["county_operator"])
    response = client.get("/test-broken/")
    html = _text(response)
    assert response.status_code == 500
    assert "系统出错" in html and 'data-testid="menu"' in html and "返回首页" in html


@pytest.mark.urls("tests.web.test_error_pages")
def test_the_server_error_page_stands_alone_when_the_shell_fails(users, settings, monkeypatch):
    def no_shell(request):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("zizhu.web.context_processors.visible_menu", no_shell)
    client = Client(raise_request_exception=False)
    login_as(client, users["county_operator"])
    response = client.get("/test-broken/")
    assert response.status_code == 500 and "系统出错" in _text(response)


def test_a_form_address_opened_by_itself_is_chinese_in_the_shell(client, users):
    login_as(client, users["school_operator"])
    response = client.get("/funds/filing/school/new/")
    html = _text(response)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "此地址用于提交表单" in html and 'data-testid="menu"' in html
    assert 'data-testid="error-home"' in html
