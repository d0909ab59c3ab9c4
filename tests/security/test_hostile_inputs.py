"""Hostile values in every query parameter and form field never produce a server error.

Every URL of the permission matrix (and every page of the Django admin) is opened as each
role. For a role that may use the page, a first request with no parameters finds out which
query parameters and form fields the view reads (every lookup on a request's QueryDict is
recorded); then each value of the corpus is sent in all of them at once, and each parameter
alone gets a value of its own (rotating through the corpus). Roles that are refused get one
hostile request each. Any 5xx fails the test.
"""

import os
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from tests.conftest import USERS, login_as
from tests.test_permission_matrix import MATRIX, OBJECT_BUILDERS

# Raw UTF-8 bytes of a lone surrogate and an overlong NUL: Python cannot encode them as str.
RAW = object()
CORPUS: list = [
    "²",  # a superscript: str.isdigit() says yes, int() says no
    "１２３",  # full-width digits
    "x" * 10_000,
    "2025\x00",
    (RAW, b"\xed\xa0\x80"),  # a lone surrogate (CESU-8)
    (RAW, b"\xc0\x80"),  # an overlong NUL
    "-1",
    "99999999999999999999999999",
    "NaN",
    "1e309",
    "2025-02-30",
    "' OR '1'='1<script>%",
]
ARRAY = ["1", "2"]  # sent as the same key twice: an array where a scalar is expected
FALLBACK_KEYS = ("year", "page", "unit", "q", "format", "id")


def _encode(value) -> bytes:
    if isinstance(value, tuple):
        return b"".join(b"%%%02X" % b for b in value[1])
    return quote(value.encode("utf-8", "surrogatepass"), safe="").encode()


def _query(pairs) -> str:
    return "&".join(f"{quote(k)}={_encode(v).decode()}" for k, v in pairs)


@contextmanager
def _recording():
    """Every key looked up in any QueryDict/MultiValueDict while the block runs."""
    seen: set[str] = set()
    originals = {
        name: getattr(MultiValueDict, name)
        for name in ("get", "__getitem__", "getlist", "__contains__")
    }

    def wrap(name):
        original = originals[name]

        def recorder(self, key, *args, **kwargs):
            if isinstance(key, str) and isinstance(self, QueryDict):
                seen.add(key)
            return original(self, key, *args, **kwargs)

        return recorder

    for name in originals:
        setattr(MultiValueDict, name, wrap(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


IGNORED_KEYS = {"csrfmiddlewaretoken", "_popup", "_to_field", "_changelist_filters"}


def _send(client, method: str, path: str, pairs):
    query = _query(pairs)
    if method == "GET":
        sep = "&" if "?" in path else "?"
        return client.get(f"{path}{sep}{query}" if query else path)
    return client.generic(
        method, path, query.encode(), content_type="application/x-www-form-urlencoded"
    )


def _check(failures: list, response, method, path, who, pairs):
    if response.status_code >= 500:
        shown = [(k, str(v)[:20]) for k, v in pairs]
        failures.append(f"{who} {method} {path} {shown} → {response.status_code}")


def _pages():
    """url name → [(method, path template, {username: expected status})]"""
    pages: dict[str, list] = {}
    for name, entries in MATRIX.items():
        for entry in entries:
            method, path, table = entry if len(entry) == 3 else ("GET", *entry)
            pages.setdefault(name, []).append((method, path, table))
    sysadmin_only = {"sysadmin": 200}
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages[f"admin:{model._meta.label_lower}"] = [
            ("GET", base, sysadmin_only),
            ("GET", base + "add/", sysadmin_only),
            ("GET", base + "{admin_pk}/change/", sysadmin_only),
        ]
    pages["admin:password"] = [("GET", "/admin/accounts/user/{user_pk}/password/", sysadmin_only)]
    return pages


PAGES = _pages()


def _objects(users):
    made: dict[str, int] = {}
    for build in OBJECT_BUILDERS:
        made.update(build(users))
    made["user_pk"] = users["county_operator"].pk
    return made


def _format(path: str, objects, model_label: str | None) -> str | None:
    if "{admin_pk}" in path:
        model = next(m for m in admin.site._registry if m._meta.label_lower == model_label)
        first = model._default_manager.order_by("pk").first()
        if first is None:
            return None
        return path.replace("{admin_pk}", quote(str(first.pk)))
    return path.format(**objects)


ROLES = [*sorted(USERS), "anonymous"]


# Pages that serve visitors who have not signed in.
PUBLIC = {"accounts:login", "accounts:otp", "set_language"}


def _allowed(name, entries) -> list[str]:
    ok = {u for _m, _p, table in entries for u, status in table.items() if status < 400}
    return sorted(ok | {"anonymous"} if name in PUBLIC else ok)


def _shares(values, allowed: list[str], username: str) -> list:
    """The part of `values` this role sends: the corpus is spread over the roles that may use
    a page, so that every value reaches every page once."""
    index = allowed.index(username)
    return values[index :: len(allowed)]


def _requests(keys: list[str], values) -> list[list]:
    """One request per value; key k gets the value k places further along the corpus, so every
    key meets every value across the requests."""
    n = len(CORPUS)
    requests = [[(k, CORPUS[(v + i) % n]) for i, k in enumerate(keys)] for v in values]
    return requests


@pytest.mark.parametrize("username", ROLES)
def test_it_never_fails_on_hostile_parameters(client, users, username):
    objects = _objects(users)
    client.raise_request_exception = False  # a server error is a 500 answer, collected below
    sent = 0
    failures: list[str] = []
    for name in sorted(PAGES, key=lambda n: (n == "accounts:logout", n)):
        entries = PAGES[name]
        label = name.split(":", 1)[1] if name.startswith("admin:") else None
        allowed = _allowed(name, entries)
        if username != "anonymous":
            login_as(client, users[username])
        paths = dict.fromkeys(p for _m, t, _t in entries if (p := _format(t, objects, label)))
        for path in paths:
            if username not in allowed:
                pairs = [(k, CORPUS[sent % len(CORPUS)]) for k in FALLBACK_KEYS]
                _check(failures, _send(client, "GET", path, pairs), "GET", path, username, pairs)
                sent += 1
                continue
            get_keys: set[str] = set()
            for method in ("GET", "POST"):
                with _recording() as seen:
                    response = _send(client, method, path, [])
                _check(failures, response, method, path, username, [])
                keys = seen - IGNORED_KEYS - (get_keys if method == "POST" else set())
                if method == "GET":
                    get_keys = keys
                if response.status_code == 405 or (method == "POST" and not keys):
                    continue
                fields = sorted(keys or FALLBACK_KEYS)
                values = list(range(len(CORPUS) + 1))  # the last one: arrays
                for value in _shares(values, allowed, username):
                    if value == len(CORPUS):
                        pairs = [(k, v) for k in fields for v in ARRAY]
                    else:
                        pairs = _requests(fields, [value])[0]
                    response = _send(client, method, path, pairs)
                    _check(failures, response, method, path, username, pairs)
                    sent += 1
    assert sent > 0
    if failures and os.environ.get("HOSTILE_FAILURES"):
        with open(os.environ["HOSTILE_FAILURES"], "a", encoding="utf-8") as out:
            out.write("\n".join(failures) + "\n")
    assert not failures, "\n".join(failures)
