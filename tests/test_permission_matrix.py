"""Every URL × every role × own-unit / other-unit object → the expected status.

The table below is the specification. A URL pattern that is not in it fails
`test_it_covers_every_url`, so a new page cannot ship without deciding who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.anomalies.factories import anomaly_objects
from tests.api.matrix import API_MATRIX, api_objects
from tests.catalogue.matrix import CATALOGUE_MATRIX, catalogue_objects
from tests.conftest import login_as
from tests.fundreports.matrix_details import DETAILS_MATRIX, details_objects
from tests.fundreports.matrix_summary import SUMMARY_MATRIX
from tests.funds.matrix import FUNDS_MATRIX, funds_objects
from tests.matrix_common import (
    ALL,
    BUSINESS,
    SCHOOL,
    SEES_OTHER,
    SEES_OWN,
    statuses,
    table,
)
from tests.recipients.factories import recipient_objects
from tests.vouchers.matrix import VOUCHER_MATRIX, voucher_objects

# Objects each URL is tried with. "own" is inside county_operator's scope (and the school
# users' own school), "other" is the neighbouring county's school.
OWN_SCHOOL, OTHER_SCHOOL = "3661000001", "3661000003"


# Objects that paths name as {placeholders}: each builder makes them and returns {name: pk}.
OBJECT_BUILDERS = [
    recipient_objects,
    anomaly_objects,
    voucher_objects,
    details_objects,
    funds_objects,
    api_objects,
    catalogue_objects,
]


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
    # the user manual: every signed-in role reads all of it (it describes screens, not data)
    "web:help": [("/help/", statuses(ALL))],
    "web:help_chapter": [
        ("/help/basics/", statuses(ALL)),
        ("/help/nothing/", statuses(set(), **dict.fromkeys(ALL, 404))),
    ],
    "web:help_image": [("/help/img/nothing.png", statuses(set(), **dict.fromkeys(ALL, 404)))],
    "web:help_pdf": [("/help/manual.pdf", statuses(ALL))],
    "audit:list": [("/audit/", statuses({"auditor"}))],
    "audit:export": [("/audit/export/", statuses({"auditor"}))],
    "registers:list": [("/registers/", statuses({"sysadmin"}))],
    "registers:upload": [
        ("/registers/upload/", statuses({"sysadmin"})),
        # an empty form: the administrator gets it back with errors, nothing is queued
        ("POST", "/registers/upload/", statuses({"sysadmin"})),
    ],
    "registers:detail": [("/registers/999999/", statuses(set(), sysadmin=404))],
    "registers:problems": [("/registers/999999/problems.csv", statuses(set(), sysadmin=404))],
    "jobs:list": [("/jobs/", statuses(ALL))],
    "jobs:detail": [("/jobs/999999/", statuses(set(), **dict.fromkeys(ALL, 404)))],
    "accounts:login": [("/accounts/login/", statuses(ALL))],
    "accounts:otp": [("/accounts/login/otp/", statuses(set(), **dict.fromkeys(ALL, 302)))],
    "accounts:logout": [("POST", "/accounts/logout/", statuses(ALL, ok_status=302))],
    "accounts:password_change": [("/accounts/password/", statuses(ALL))],
    "set_language": [("/i18n/setlang/", statuses(ALL, ok_status=302))],
    # probes and metrics: no login (metrics only from the operator's network: tests/ops)
    "ops:healthz": [("/healthz", statuses(ALL))],
    "ops:readyz": [("/readyz", statuses(ALL))],
    "ops:metrics": [("/metrics", statuses(ALL))],
    # Django admin: the system administrator only; everyone else is sent to the login page.
    "admin:*": [
        ("/admin/", statuses({"sysadmin"}, denied=302)),
        ("/admin/units/unit/", statuses({"sysadmin"}, denied=302)),
        ("/admin/accounts/user/", statuses({"sysadmin"}, denied=302)),
        ("/admin/catalogue/aidproject/", statuses({"sysadmin"}, denied=302)),
        ("/admin/anomalies/run/", statuses({"sysadmin"}, denied=302)),
    ],
    "recipients:list": [("/recipients/", statuses(BUSINESS))],
    "recipients:template": [("/recipients/template.xlsx", statuses(BUSINESS))],
    "recipients:upload": [
        ("/recipients/upload/", table({"school_operator", "neighbour_school_operator"})),
    ],
    "recipients:detail": [
        ("/recipients/{own_list}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/recipients/{other_list}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "recipients:export": [
        ("/recipients/{own_list}/export.xlsx", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/recipients/{other_list}/export.xlsx", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "recipients:action": [
        # submit: the school operator of the list's school; other operators in scope are not
        # school users (403); operators outside the scope never learn the list exists (404)
        (
            "POST",
            "/recipients/{own_list}/submit/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}, 302),
        ),
        (
            "POST",
            "/recipients/{other_list}/submit/",
            table({"neighbour_school_operator"}, {"county_operator", "school_operator"}, 302),
        ),
        ("POST", "/recipients/{own_list}/approve/", table({"school_reviewer"}, ok_status=302)),
        ("GET", "/recipients/{own_list}/submit/", dict.fromkeys(ALL, 405)),
    ],
    "recipients:row_add": [
        (
            "/recipients/{own_list}/rows/add/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}),
        ),
    ],
    "recipients:row_edit": [
        (
            "/recipients/{own_list}/rows/{own_row}/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}),
        ),
        (
            "/recipients/{own_list}/rows/{other_row}/",
            table(set(), {"school_operator", "neighbour_operator", "neighbour_school_operator"}),
        ),
    ],
    "recipients:row_delete": [
        (
            "POST",
            "/recipients/{own_list}/rows/{own_row}/delete/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}, 302),
        ),
    ],
    "recipients:import_report": [
        # the submitter and the users above the submitter's unit; admin roles see no business jobs
        ("/recipients/import/{own_import_job}/errors.csv", table(SEES_OWN, ALL - SEES_OWN)),
    ],
    "recipients:import_warnings": [
        ("/recipients/import/{own_import_job}/warnings.csv", table(SEES_OWN, ALL - SEES_OWN)),
    ],
    "admin:login": [("/admin/login/", statuses(set(), **dict.fromkeys(ALL, 302)))],
    # 异常信息查看: business roles in scope; a unit outside the scope is a 404
    "anomalies:national_grant": [
        ("/anomalies/national-grant/", statuses(BUSINESS)),
        (
            "/anomalies/national-grant/?unit=610112",
            table(SEES_OWN - SCHOOL, BUSINESS - (SEES_OWN - SCHOOL)),
        ),
    ],
    "anomalies:tuition_waiver": [
        ("/anomalies/tuition-waiver/", statuses(BUSINESS)),
        (
            "/anomalies/tuition-waiver/?unit=610111",
            table(SEES_OTHER - SCHOOL, BUSINESS - (SEES_OTHER - SCHOOL)),
        ),
    ],
    "anomalies:national_grant_finding": [
        ("/anomalies/national-grant/{own_finding}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/anomalies/national-grant/{other_finding}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "anomalies:tuition_waiver_finding": [
        ("/anomalies/tuition-waiver/{own_waiver_finding}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        # a national-grant finding is not at the tuition-waiver address
        ("/anomalies/tuition-waiver/{own_finding}/", table(set(), BUSINESS)),
    ],
    "anomalies:national_grant_export": [
        ("/anomalies/national-grant/export.xlsx", statuses(BUSINESS)),
        (
            "/anomalies/national-grant/export.xlsx?unit=610111",
            table(SEES_OTHER - SCHOOL, BUSINESS - (SEES_OTHER - SCHOOL)),
        ),
    ],
    "anomalies:tuition_waiver_export": [
        ("/anomalies/tuition-waiver/export.xlsx", statuses(BUSINESS)),
    ],
    "anomalies:explain": [
        # the school's operator only (an empty form: 200 with errors); roles without the FILE
        # action 403 first; operators in scope but not the school 403; outside the scope 404
        (
            "POST",
            "/anomalies/findings/{own_finding}/explain/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}),
        ),
        (
            "POST",
            "/anomalies/findings/{other_finding}/explain/",
            table({"neighbour_school_operator"}, {"county_operator", "school_operator"}),
        ),
        ("GET", "/anomalies/findings/{own_finding}/explain/", dict.fromkeys(ALL, 405)),
    ],
    "anomalies:review": [
        # operators of the school's county or any authority above it
        (
            "POST",
            "/anomalies/findings/{own_finding}/review/",
            table(
                {"county_operator", "prefecture_operator", "province_operator"},
                {"neighbour_operator", "neighbour_school_operator"},
            ),
        ),
        (
            "POST",
            "/anomalies/findings/{other_finding}/review/",
            table(
                {"neighbour_operator", "prefecture_operator", "province_operator"},
                {"county_operator", "school_operator"},
            ),
        ),
        ("GET", "/anomalies/findings/{own_finding}/review/", dict.fromkeys(ALL, 405)),
    ],
    "anomalies:reveal": [
        # the full ID number of a finding's student: authority operators in scope
        (
            "POST",
            "/anomalies/findings/{own_finding}/reveal/",
            table(
                {"county_operator", "prefecture_operator", "province_operator"},
                {"neighbour_operator", "neighbour_school_operator"},
            ),
        ),
        ("GET", "/anomalies/findings/{own_finding}/reveal/", dict.fromkeys(ALL, 405)),
    ],
    "anomalies:attachment": [
        (
            "/anomalies/explanations/{own_explanation}/attachment/",
            table(SEES_OWN, BUSINESS - SEES_OWN),
        ),
        (
            "/anomalies/explanations/{other_explanation}/attachment/",
            table(SEES_OTHER, BUSINESS - SEES_OTHER),
        ),
    ],
    # check runs: the system administrator
    "anomalies:runs": [
        ("/anomalies/runs/", statuses({"sysadmin"})),
        ("POST", "/anomalies/runs/", statuses({"sysadmin"})),  # an empty form: 200 with errors
    ],
    "anomalies:run": [
        ("/anomalies/runs/{run}/", statuses({"sysadmin"})),
        ("/anomalies/runs/999999/", statuses(set(), sysadmin=404)),
    ],
}
MATRIX.update(VOUCHER_MATRIX)
MATRIX.update(DETAILS_MATRIX)
MATRIX.update(SUMMARY_MATRIX)
MATRIX.update(FUNDS_MATRIX)
MATRIX.update(API_MATRIX)
MATRIX.update(CATALOGUE_MATRIX)

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
def test_it_answers_each_role_as_specified(
    client, objects, users, name, method, path, username, expected
):
    path = path.format(**objects)
    login_as(client, users[username])
    response = client.generic(
        method, path, "username=nobody", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == expected, f"{username} {method} {path}"


@pytest.fixture
def objects(users) -> dict[str, int]:
    made: dict[str, int] = {}
    for build in OBJECT_BUILDERS:
        made.update(build(users))
    return made


def test_it_answers_anonymous_users_with_the_login_page(client, objects):
    for _name, method, path, _table in _entries():
        if method == "GET":
            response = client.get(path.format(**objects))
            if path.startswith("/api/v1/"):  # the API answers for itself: 401, no redirect
                assert response.status_code == 401, path
                assert response["WWW-Authenticate"] == "Bearer", path
                continue
            assert response.status_code in (200, 302, 405), path
            if response.status_code == 302 and path not in ("/admin/login/", "/i18n/setlang/"):
                assert "login/" in response["Location"], path
