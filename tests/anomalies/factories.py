"""Findings in the fixture tree, made directly (pages, exports) or through a real run over a
small handcrafted store (services)."""

from datetime import date

from zizhu.anomalies.engine import load_rules
from zizhu.anomalies.models import Explanation, Finding, Run, RunStatus, Verdict
from zizhu.units.models import Unit

from .engine.conftest import StoreBuilder

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
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def old_subjects(store: StoreBuilder, *subjects: tuple[str, int, str]) -> None:
    """List rows of 中职 subjects aged 20: (school code, pid, programme) each."""
    store.lists(
        [
            store.subject(pid, programme, school_code=school, birth_date=OLD)
            for school, pid, programme in subjects
        ]
    )


def anomaly_objects(users) -> dict[str, int]:
    """For the permission matrix: `own_*` at school 3661000001 (county 610112), `other_*` at
    3661000003 (the neighbouring county); each finding explained, with an attachment."""
    from django.core.files.base import ContentFile

    run = make_run()
    own = make_finding(run, "3661000001", rule=23, pid=1)
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
