"""Every URL × every role × own-unit / other-unit object → the expected status.

The table below is the specification. A URL pattern that is not in it fails
`test_it_covers_every_url`, so a new page cannot ship without deciding who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import USERS, login_as

ALL = set(USERS)
AUTHORITY = {
    "province_operator",
    "prefecture_operator",
    "county_operator",
    "county_supervisor",
    "county_leader",
    "neighbour_operator",
}
SCHOOL = {"school_operator", "school_reviewer", "neighbour_school_operator"}
BUSINESS = AUTHORITY | SCHOOL

# Objects each URL is tried with. "own" is inside county_operator's scope (and the school
# users' own school), "other" is the neighbouring county's school.
OWN_SCHOOL, OTHER_SCHOOL = "3661000001", "3661000003"


def statuses(ok: set[str], ok_status=200, denied=403, **special) -> dict[str, int]:
    table = {user: (ok_status if user in ok else denied) for user in ALL}
    table.update(special)
    return table


# url name → list of ([method,] path, {username: expected status}); the method defaults to GET
MATRIX: dict[str, list[tuple[str, dict[str, int]]]] = {
    "web:home": [("/", statuses(ALL))],
    "web:units": [("/units/", statuses(BUSINESS, ok_status=302))],
    "web:unit": [
        # own county's school: visible to the county, prefecture, province and the school
        (
            f"/units/{OWN_SCHOOL}/",
            statuses(
                {
                    "province_operator",
                    "prefecture_operator",
                    "county_operator",
                    "county_supervisor",
                    "county_leader",
                    "school_operator",
                    "school_reviewer",
                },
                neighbour_operator=404,
                neighbour_school_operator=404,
            ),
        ),
        # the neighbouring county's school: 404 for everyone outside that county
        (
            f"/units/{OTHER_SCHOOL}/",
            statuses(
                {
                    "province_operator",
                    "prefecture_operator",
                    "neighbour_operator",
                    "neighbour_school_operator",
                },
                county_operator=404,
                county_supervisor=404,
                county_leader=404,
                school_operator=404,
                school_reviewer=404,
            ),
        ),
        ("/units/9999999999/", statuses(set(), **dict.fromkeys(BUSINESS, 404))),
    ],
    "web:security": [("/security/", statuses({"secadmin"}))],
    "web:security_unlock": [
        ("POST", "/security/unlock/", statuses({"secadmin"}, ok_status=302)),
        ("GET", "/security/unlock/", statuses(set(), **dict.fromkeys(ALL, 405))),
    ],
    "audit:list": [("/audit/", statuses({"auditor"}))],
    "audit:export": [("/audit/export/", statuses({"auditor"}))],
    "jobs:list": [("/jobs/", statuses(ALL))],
    "jobs:detail": [("/jobs/999999/", statuses(set(), **dict.fromkeys(ALL, 404)))],
    "accounts:login": [("/accounts/login/", statuses(ALL))],
    "accounts:otp": [("/accounts/login/otp/", statuses(set(), **dict.fromkeys(ALL, 302)))],
    "accounts:logout": [("POST", "/accounts/logout/", statuses(ALL, ok_status=302))],
    "accounts:password_change": [("/accounts/password/", statuses(ALL))],
    "set_language": [("/i18n/setlang/", statuses(ALL, ok_status=302))],
    # Django admin: the system administrator only; everyone else is sent to the login page.
    "admin:*": [
        ("/admin/", statuses({"sysadmin"}, denied=302)),
        ("/admin/units/unit/", statuses({"sysadmin"}, denied=302)),
        ("/admin/accounts/user/", statuses({"sysadmin"}, denied=302)),
        ("/admin/catalogue/aidproject/", statuses({"sysadmin"}, denied=302)),
    ],
    "admin:login": [("/admin/login/", statuses(set(), **dict.fromkeys(ALL, 302)))],
}

# Patterns that are not pages of their own: served by whitenoise or covered by "admin:*".
EXEMPT_PREFIXES = ("admin:",)


def _url_names(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<unnamed {entry.pattern}>"
            )


def test_it_covers_every_url():
    missing = sorted(
        name
        for name in set(_url_names(get_resolver()))
        if name not in MATRIX
        and not name.startswith(EXEMPT_PREFIXES)
        and not name.endswith("<unnamed admin/login/>")
    )
    assert missing == [], f"URLs without a permission-matrix entry: {missing}"


def _entries():
    for name, entries in MATRIX.items():
        for entry in entries:
            method, path, table = entry if len(entry) == 3 else ("GET", *entry)
            yield name, method, path, table


CASES = [
    (name, method, path, username, expected)
    for name, method, path, table in _entries()
    for username, expected in sorted(table.items())
]


@pytest.mark.parametrize(("name", "method", "path", "username", "expected"), CASES)
def test_it_answers_each_role_as_specified(client, users, name, method, path, username, expected):
    login_as(client, users[username])
    response = client.generic(
        method, path, "username=nobody", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == expected, f"{username} {method} {path}"


def test_it_answers_anonymous_users_with_the_login_page(client, db):
    for _name, method, path, _table in _entries():
        if method == "GET":
            response = client.get(path)
            assert response.status_code in (200, 302, 405), path
            if response.status_code == 302 and path not in ("/admin/login/", "/i18n/setlang/"):
                assert "login/" in response["Location"], path
