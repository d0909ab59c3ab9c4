import pytest

from zizhu.api.services import api_token_create


@pytest.fixture
def token(users):
    """username → a fresh personal API token of that user."""
    return lambda username, days=30: api_token_create(user=users[username], name="t", days=days)


@pytest.fixture
def api(client):
    """A request to the API with a token: api(token_value, "get", path, data=…, **headers)."""

    def call(value, method, path, data=None, fmt="json", **headers):
        if value:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {value}"
        if method == "get":
            return client.get(path, data or {}, **headers)
        if fmt == "multipart":
            return (
                client.generic(method.upper(), path, **headers)
                if data is None
                else (client.post(path, data, **headers))
            )
        return getattr(client, method)(path, data or {}, content_type="application/json", **headers)

    return call


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """The rate limit counts in the cache: each test starts with a full allowance."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
