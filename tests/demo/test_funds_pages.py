"""The demo year's progress and summary pages, against figures computed here from raw rows."""

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from tests.demo.test_demo import demo_lines  # noqa: F401 - the fixture that loads the demo
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject

PROVINCE_PATH = "000000/610000/"


def rows(sql: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def province_operator(demo_lines) -> User:  # noqa: F811
    username = next(f[3] for f in demo_lines if f[1] == "operator" and f[2] == "610000")
    return User.objects.get(username=username)


def _the_provinces_progress_equals_a_count_over_the_raw_rows(client, demo_lines):  # noqa: F811
    year = timezone.localdate().year - 1
    project = AidProject.objects.get(code="vocational_national_grant")
    expected, filed, late = rows(
        """
        SELECT COUNT(*),
               SUM(CASE WHEN f.status IN ('submitted', 'locked') THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.status IN ('submitted', 'locked') AND d.due_at IS NOT NULL
                         AND f.submitted_at > d.due_at THEN 1 ELSE 0 END)
        FROM units_unit u
        LEFT JOIN funds_filing f ON f.unit_id = u.id AND f.year = %s AND f.project_id = %s
        LEFT JOIN funds_deadline d
               ON d.unit_id = u.parent_id AND d.year = %s AND d.project_id = %s
        WHERE u.path LIKE %s AND u.path <> %s AND u.is_active
          AND (u.level <> 'school' OR u.stage = 'vocational')
        """,
        year,
        project.pk,
        year,
        project.pk,
        PROVINCE_PATH + "%",
        PROVINCE_PATH,
    )[0]
    assert 0 < late < filed < expected  # the demo has late and missing filers

    client.force_login(province_operator(demo_lines))
    response = client.get(
        "/funds/reports/progress/national/", {"year": year, "project": project.pk}
    )
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.expected, total.filed, total.late) == (expected, filed, late)


def _the_provinces_summary_equals_sums_over_the_raw_rows(client, demo_lines):  # noqa: F811
    year = timezone.localdate().year - 1
    project = AidProject.objects.get(code="vocational_national_grant")
    # what reached the province per source level, and what it sent down, from the journal
    received = dict(
        rows(
            """
            SELECT 'central', SUM(a.central) FROM funds_allocation a
            JOIN funds_filing f ON f.id = a.to_filing_id
            JOIN units_unit u ON u.id = f.unit_id
            WHERE u.code = '610000' AND f.year = %s AND f.project_id = %s
            """,
            year,
            project.pk,
        )
    )
    sent = rows(
        """
        SELECT SUM(a.central), SUM(a.provincial) FROM funds_allocation a
        JOIN funds_filing f ON f.id = a.from_filing_id
        JOIN units_unit u ON u.id = f.unit_id
        WHERE u.code = '610000' AND f.year = %s AND f.project_id = %s
        """,
        year,
        project.pk,
    )[0]
    own = rows(
        """
        SELECT f.own_funds FROM funds_filing f JOIN units_unit u ON u.id = f.unit_id
        WHERE u.code = '610000' AND f.year = %s AND f.project_id = %s
        """,
        year,
        project.pk,
    )[0][0]

    client.force_login(province_operator(demo_lines))
    response = client.get("/funds/reports/summary/national/", {"year": year, "project": project.pk})
    assert response.status_code == 200
    levels = next(t for t in response.context["tables"] if t.key == "levels")
    central, provincial = levels.rows[0].cells, levels.rows[1].cells
    # [label, received, own, funds, allocated down, not yet allocated, rate]
    assert central[1] == Decimal(str(received["central"])).quantize(Decimal("0.01"))
    assert central[4] == Decimal(str(sent[0])).quantize(Decimal("0.01"))
    assert provincial[2] == Decimal(str(own)).quantize(Decimal("0.01"))
    assert provincial[4] == Decimal(str(sent[1])).quantize(Decimal("0.01"))
    assert central[1] > 0 and provincial[2] > 0


# One build of the demo (~15 s, more on a slow machine) for all of this module's checks,
# in the order above: each check was a test of its own, and building the demo for each took
# minutes of the suite's run.
def test_each_check_of_one_demo_build(client, demo_lines):  # noqa: F811
    _the_provinces_progress_equals_a_count_over_the_raw_rows(client, demo_lines)
    _the_provinces_summary_equals_sums_over_the_raw_rows(client, demo_lines)
