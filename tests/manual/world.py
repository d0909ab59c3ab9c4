"""The small world the walks photograph: the fixture tree (tests/conftest.py) with this year's
national grant money flowing from the centre down to 未央区, and one month of findings."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.anomalies.factories import make_explanation, make_finding, make_run
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.models import Allocation
from zizhu.funds.services import allocation_create, filing_create

MONTH = "2025-10"


def grant() -> AidProject:
    # a transactional test on PostgreSQL starts from a flushed database: seed the catalogue
    if not AidProject.objects.exists():
        seed_catalogue(AidProject)
    return AidProject.objects.get(code="vocational_national_grant")


def money_to_the_county(tree):
    """Central → province → prefecture → 未央区 (not yet confirmed there); returns the county's
    filing."""
    project, year = grant(), timezone.localdate().year
    central = filing_create(
        unit=tree["000000"], year=year, project=project, own_funds=Decimal("1000000"), actor=None
    )
    province = allocation_create(
        source=central, target_unit=tree["610000"], amounts={"central": "600000"}, actor=None
    ).to_filing
    prefecture = allocation_create(
        source=province,
        target_unit=tree["610100"],
        amounts={"central": "300000"},
        actor=None,
    ).to_filing
    return allocation_create(
        source=prefecture,
        target_unit=tree["610112"],
        amounts={"central": "120000"},
        actor=None,
    ).to_filing


def findings(users):
    """A month's findings at 未央职教中心; one explained, waiting for the county's review."""
    run = make_run(MONTH)
    explained = make_finding(run, "3661000001", rule=9, pid=4711)
    make_explanation(explained, users["school_operator"], note="该生已于9月转学，已停发助学金。")
    open_ = make_finding(run, "3661000001", rule=23, pid=4712)
    make_finding(run, "3661000002", rule=15, pid=4713)
    return explained, open_


def money_to_the_school(tree):
    """The county passes part of its money on to 未央职教中心's national grant filing (not yet
    confirmed by the school)."""
    county = money_to_the_county(tree)
    return allocation_create(
        source=county,
        target_unit=tree["3661000001"],
        amounts={"central": "46000"},
        actor=None,
    ).to_filing


def list_file(folder, *, broken: bool) -> str:
    """A recipient list as CSV: three good rows, or with a wrong check digit and a duplicate."""
    from tests.recipients.factories import make_id

    rows = [
        (make_id(11), "王大伟", "1150", "一年级", "汽车运用与维修", "13800000011"),
        (make_id(23), "李小红", "1150", "二年级", "会计事务", "13800000023"),
        (make_id(35), "张明", "1150", "三年级", "电子商务", "13800000035"),
    ]
    if broken:
        rows[1] = (make_id(23)[:-1] + "0", *rows[1][1:])
        rows.append(rows[0])
        rows[2] = (*rows[2][:2], "-5", *rows[2][3:])
    lines = ["身份证件号,姓名,资助金额,年级,专业,联系电话", *(",".join(r) for r in rows)]
    path = folder / ("名单-有错.csv" if broken else "名单.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def allocated_days_ago(days: int) -> None:
    """Every allocation so far was made `days` ago: an arrival date may then be corrected to
    an earlier day than the day of the confirmation (never before the allocation)."""
    Allocation.objects.update(created_at=timezone.now() - timedelta(days=days))
