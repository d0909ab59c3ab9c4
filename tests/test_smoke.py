from tests.conftest import login_as


def test_it_redirects_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_home_for_county_operator(client, users):
    login_as(client, users["county_operator"])
    response = client.get("/")
    assert response.status_code == 200
    assert "未央区" in response.content.decode()
