"""A small world in the fixture tree that every export has rows of, with one text (`text`)
in every stored field a user or an import can fill: unit names, document titles, voucher
notes, list rows, explanations, audited usernames, import problems.

`EXPORTS` lists every download the product offers as (URL name, user, URL kwargs, query);
`test_it_knows_every_export_of_the_url_conf` keeps it in step with the URLconf."""

import re
from decimal import Decimal

from tests.anomalies.factories import make_explanation, make_finding, make_run
from tests.fundreports.conftest import build_filings
from tests.recipients.factories import make_list
from tests.vouchers.factories import grant_project, make_voucher
from zizhu.anomalies.models import Explanation, Finding
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.funds.models import Filing
from zizhu.jobs.models import Job
from zizhu.jobs.models import Status as JobStatus
from zizhu.recipients.models import RecipientList, RecipientRow
from zizhu.registers.models import Snapshot
from zizhu.units.models import Unit
from zizhu.vouchers.models import Voucher

YEAR = 2025
CATEGORIES = ("national", "local", "school", "social")


NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄敏",
    "周杰",
    "吴婷",
    "徐强",
    "孙丽",
]


def build(users, tree, text: str = "正常文本") -> dict[str, int]:
    for user, name in zip(users.values(), NAMES, strict=False):
        user.display_name = name
        user.save(update_fields=["display_name"])
    grant = grant_project()
    operator = users["school_operator"]
    operator.refresh_from_db()
    make_voucher(operator, project=grant, year=YEAR, amount="345726800.00")
    build_filings(tree, grant)
    target = make_list(operator.unit, 1, 2, actor=operator, year=YEAR)
    RecipientList.objects.filter(pk=target.pk).update(status="approved")
    row = target.rows.order_by("pk").first()
    run = make_run()
    finding = make_finding(run, operator.unit, rule=23, pid=row.pid, row_id=row.pk)
    Finding.objects.filter(pk=finding.pk).update(status="explained")
    make_explanation(finding, operator)
    job = Job.objects.create(
        kind="recipients_import",
        params={},
        status=JobStatus.DONE,
        created_by=operator,
        unit=operator.unit,
    )
    snapshot = Snapshot.objects.create(
        kind="enrolment_vocational",
        month="2024-10",
        status="failed",
        error_count=1,
    )
    ids = {"list": target.pk, "job": job.pk, "snapshot": snapshot.pk, "row": row.pk}
    retext(ids, text)
    return ids


def retext(ids: dict, text: str) -> None:
    """Put `text` in every stored field of the world a user or an import fills."""
    Unit.objects.filter(code="3661000001").update(name=text)
    Voucher.objects.update(note=text)
    Filing.objects.update(doc_title=text, doc_number=text)
    # the grade column holds 20 characters: its hostile text keeps the prefix
    RecipientRow.objects.filter(recipient_list=ids["list"]).update(grade=text[:20], major=text)
    RecipientRow.objects.filter(pk=ids["row"]).update(name=text)
    Explanation.objects.update(note=text, comment=text)
    audit_record(action="auth.login_failed", username=text, result=Result.FAILURE)
    problems = [[2, "姓名", text]]
    # problems (a refused file) and warnings (a stored one) both: each download reads the text
    Job.objects.filter(pk=ids["job"]).update(
        result={"ok": False, "problem_count": 1, "problems": problems, "warnings": problems}
    )
    Snapshot.objects.filter(pk=ids["snapshot"]).update(problems=problems)


def exports(client, users, ids: dict) -> list[tuple[str, str, str, dict]]:
    """(URL name, username, path, query) of every download, the summary tables read from
    the summary pages' own links."""
    from django.urls import reverse

    from tests.conftest import login_as

    found = [
        ("audit:export", "auditor", reverse("audit:export"), {"format": "xlsx"}),
        ("audit:export", "auditor", reverse("audit:export"), {"format": "csv"}),
        ("recipients:template", "school_operator", reverse("recipients:template"), {}),
        (
            "recipients:import_report",
            "school_operator",
            reverse("recipients:import_report", args=[ids["job"]]),
            {},
        ),
        (
            "recipients:import_warnings",
            "school_operator",
            reverse("recipients:import_warnings", args=[ids["job"]]),
            {},
        ),
        (
            "recipients:export",
            "school_operator",
            reverse("recipients:export", args=[ids["list"]]),
            {},
        ),
        (
            "recipients:export",
            "county_operator",
            reverse("recipients:export", args=[ids["list"]]),
            {},
        ),
        (
            "registers:problems",
            "sysadmin",
            reverse("registers:problems", args=[ids["snapshot"]]),
            {},
        ),
        (
            "fundreports:vouchers_export",
            "county_operator",
            reverse("fundreports:vouchers_export"),
            {"year": YEAR},
        ),
    ]
    for programme in ("tuition_waiver", "national_grant"):
        name = f"anomalies:{programme}_export"
        for user in ("county_operator", "school_operator"):
            found.append((name, user, reverse(name), {}))
    for category in CATEGORIES:
        for kind in ("details", "progress"):
            name = f"fundreports:{kind}_{category}_export"
            found.append((name, "province_operator", reverse(name), {"year": YEAR}))
        found.append(
            (
                f"fundreports:progress_{category}_export",
                "county_operator",
                reverse(f"fundreports:progress_{category}_export"),
                {"year": YEAR, "missing": "610112"},
            )
        )
        for user in ("province_operator", "county_operator", "school_operator"):
            login_as(client, users[user])
            page = reverse(f"fundreports:summary_{category}")
            html = client.get(page, {"year": YEAR}).content.decode()
            for path in sorted(set(re.findall(rf"{page}[a-z_]+\.xlsx", html))):
                found.append((f"fundreports:summary_{category}_export", user, path, {"year": YEAR}))
    return found


AMOUNT = Decimal("345726800.00")
