"""Findings in the fixture tree, made directly (pages, exports) or through a real run over
approved recipient lists of the database and a small handcrafted store of registers
(services)."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from zizhu.anomalies.engine import load_rules
from zizhu.anomalies.models import Explanation, Finding, Run, RunStatus, Verdict
from zizhu.catalogue.models import AidProject
from zizhu.lib.idnumber import check_char
from zizhu.lib.pdf import pdf_from_objects
from zizhu.recipients.models import RecipientList, RecipientRow, Status
from zizhu.units.models import Unit

MONTH = "2024-10"
RULES = {rule.number: rule for rule in load_rules()}
# 20 or more on 2024-10-01: one age finding (rule 20 / 23) per subject, detail "20"
OLD = date(2004, 9, 30)
# the counterpart of each duplicate check: (school code, kind)
COUNTERPARTS = {
    "higher_recipients": ("4161000001", "recipients_higher"),
    "senior_high_recipients": ("3461000001", "recipients_senior_high"),
    "compulsory_recipients": ("2161000001", "recipients_compulsory"),
    "other_vocational_recipients": ("3661000002", "recipients_vocational"),
    "technical_recipients": ("9961000001", "recipients_technical"),
    "senior_high_enrollment": ("3461000001", "enrolment_senior_high"),
    "compulsory_enrollment": ("2161000001", "enrolment_compulsory"),
    "other_vocational_enrollment": ("3661000002", "enrolment_vocational"),
    "vocational_recipients_three_years_ago": ("3661000002", "recipients_vocational_3y"),
    "senior_high_graduates_last_year": ("3461000001", "graduates_senior_high"),
}
PDF = pdf_from_objects(
    [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
)


def make_run(month: str = MONTH, status: str = RunStatus.DONE) -> Run:
    return Run.objects.create(month=month, engine="duckdb", status=status)


def make_finding(run: Run, school: Unit | str, *, rule: int = 23, pid: int = 1, **fields):
    if isinstance(school, str):
        school = Unit.objects.get(code=school)
    counterpart, kind = COUNTERPARTS.get(RULES[rule].counterpart, ("", ""))
    values = {
        "run": run,
        "month": run.month,
        "rule": rule,
        "risk": RULES[rule].risk,
        "programme": RULES[rule].programme,
        "school": school,
        "pid": pid,
        "row_id": pid,
        "id_masked": f"610102********{pid % 10000:04d}",
        "counterpart_school_code": counterpart,
        "counterpart_kind": kind,
        "detail": {"age_20_or_over": "20", "shared_phone": "2"}.get(RULES[rule].check, ""),
    }
    values.update(fields)
    return Finding.objects.create(**values)


def make_explanation(finding: Finding, author, **fields) -> Explanation:
    values = {
        "month": finding.month,
        "rule": finding.rule,
        "school": finding.school,
        "pid": finding.pid,
        "counterpart_school_code": finding.counterpart_school_code,
        "verdict": Verdict.FALSE,
        "note": "已核实",
        "author": author,
        "at": finding.run.created_at,
    }
    values.update(fields)
    explanation = Explanation.objects.create(**values)
    Finding.objects.filter(pk=finding.pk).update(status="explained")
    return explanation


PROJECTS = {
    "tuition_waiver": "vocational_tuition_waiver",
    "national_grant": "vocational_national_grant",
}


def id_for(pid: int, born: date) -> str:
    """A valid resident ID number of a person born on `born` (serial from the pid)."""
    first17 = f"610112{born:%Y%m%d}{pid % 1000:03d}"
    return first17 + check_char(first17)


def approved_list(
    school: str,
    project: str,
    subjects: list[tuple[int, date]],
    *,
    year: int = 2024,
    term: str = "autumn",
    batch: int = 1,
    phone_keys: dict[int, int] | None = None,
) -> RecipientList:
    """An approved list of `school` (code) for `project` (code or programme) with a row per
    (pid, birth date). The pid is set as given (small numbers the tests can read), standing in
    for the keyed hash the import would compute."""
    key = {
        "school": Unit.objects.get(code=school),
        "project": AidProject.objects.get(code=PROJECTS.get(project, project)),
        "year": year,
        "term": term,
        "batch": batch,
    }
    target = RecipientList.objects.create(
        **key,
        version=RecipientList.objects.filter(**key).count() + 1,
        status=Status.APPROVED,
        row_count=len(subjects),
        total_amount=Decimal(1000) * len(subjects),
        reviewed_at=timezone.now(),
    )
    RecipientRow.objects.bulk_create(
        RecipientRow(
            recipient_list=target,
            row_number=index + 2,
            id_number=id_for(pid, born),
            pid=pid,
            name=f"学生{pid}",
            sex="male" if pid % 2 else "female",
            birth_date=born,
            grade="二年级",
            major="数控技术应用",
            phone_key=(phone_keys or {}).get(pid),
            amount=Decimal(1000),
        )
        for index, (pid, born) in enumerate(subjects)
    )
    return target


def old_subjects(*subjects: tuple[str, int, str]) -> list[RecipientList]:
    """Approved lists of 中职 subjects aged 20 in October 2024: (school code, pid, programme)
    each, one list per school and programme."""
    grouped: dict[tuple[str, str], list[tuple[int, date]]] = {}
    for school, pid, programme in subjects:
        grouped.setdefault((school, programme), []).append((pid, OLD))
    return [approved_list(school, programme, rows) for (school, programme), rows in grouped.items()]


def anomaly_objects(users) -> dict[str, int]:
    """For the permission matrix: `own_*` at school 3661000001 (county 610112), `other_*` at
    3661000003 (the neighbouring county); each finding explained, with an attachment."""
    from django.core.files.base import ContentFile

    run = make_run()
    listed = approved_list("3661000001", "national_grant", [(1, OLD)], year=2024)
    own = make_finding(run, "3661000001", rule=23, pid=1, row_id=listed.rows.get().pk)
    own_waiver = make_finding(run, "3661000001", rule=20, pid=2)
    other = make_finding(run, "3661000003", rule=23, pid=3)
    made = {}
    for name, finding, author in (
        ("own", own, users["school_operator"]),
        ("other", other, users["neighbour_school_operator"]),
    ):
        explanation = make_explanation(
            finding, author, attachment_name="说明.pdf", attachment_type="application/pdf"
        )
        explanation.attachment.save("说明.pdf", ContentFile(PDF))
        made[f"{name}_finding"] = finding.pk
        made[f"{name}_explanation"] = explanation.pk
    made["own_waiver_finding"] = own_waiver.pk
    made["run"] = run.pk
    return made
