"""The demo's year of aid funds (zizhu/demo/funds_year.py), checked against plain sums over the
rows it wrote."""

import hashlib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from tests.demo.test_demo import demo_lines  # noqa: F401 - the fixture that loads the demo
from zizhu.audit.models import AuditEvent
from zizhu.demo.funds_year import DEMO_PLANS, Outcome, YearBuilder, active_nodes
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import FILED_STATUSES, Allocation, Deadline, Filing, Receipt
from zizhu.lib.uploads import check_attachment
from zizhu.units.models import Level, Unit
from zizhu.vouchers.models import Voucher, VoucherFile

VOCATIONAL = ("vocational_national_grant", "vocational_tuition_waiver")


def year() -> int:
    return timezone.localdate().year - 1


def _it_keeps_the_ledger_balanced_and_prints_the_demo_accounts(demo_lines):  # noqa: F811
    assert len(demo_lines) == 13 and all(len(fields) == 5 for fields in demo_lines)
    assert Allocation.objects.count() > 1000
    assert ledger_discrepancies() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT SUM(received) FROM funds_balance),"
            " (SELECT SUM(central + provincial + prefectural + county) FROM funds_allocation)"
        )
        received, allocated = cursor.fetchone()
    assert abs(Decimal(str(received)) - Decimal(str(allocated))) < Decimal("0.01")
    assert AuditEvent.objects.filter(action="demo.funds_year").count() == 1
    assert not AuditEvent.objects.filter(action__startswith="funds.").exists()


def _it_pays_the_central_share_of_80_percent_for_the_vocational_projects(demo_lines):  # noqa: F811
    to_schools = Allocation.objects.filter(
        to_filing__project__code__in=VOCATIONAL,
        to_filing__unit__level=Level.SCHOOL,
        to_filing__unit__path__startswith="000000/610000/",
    )
    sums = to_schools.aggregate(
        central_sum=Sum("central"),
        total=Sum(F("central") + F("provincial") + F("prefectural") + F("county")),
    )
    assert sums["total"] > Decimal("1000000")
    assert abs(Decimal(sums["central_sum"]) / Decimal(sums["total"]) - Decimal("0.8")) < Decimal(
        "0.0001"
    )
    # and from above: what the centre sent the province against every level's own funds
    sent = Allocation.objects.filter(
        from_filing__unit__code="000000", to_filing__project__code__in=VOCATIONAL
    ).aggregate(sent=Sum("central"))["sent"]
    own = Filing.objects.filter(
        project__code__in=VOCATIONAL, unit__path__startswith="000000/610000/"
    ).aggregate(own=Sum("own_funds"))["own"]
    assert abs(Decimal(sent) / (Decimal(sent) + Decimal(own)) - Decimal("0.8")) < Decimal("0.0001")


def _it_has_most_units_filed_some_late_some_missing(demo_lines):  # noqa: F811
    schools = Unit.objects.filter(level=Level.SCHOOL, stage="vocational").count()
    filings = Filing.objects.filter(project__code="vocational_national_grant", year=year())
    filed = filings.filter(status__in=FILED_STATUSES, unit__level=Level.SCHOOL).count()
    assert 0.7 * schools < filed < schools
    due = Deadline.objects.filter(
        unit=OuterRef("unit__parent"), project=OuterRef("project"), year=OuterRef("year")
    ).values("due_at")
    with_due = filings.filter(status__in=FILED_STATUSES).annotate(due=Subquery(due))
    assert not with_due.filter(due__isnull=True).exclude(unit__code="000000").exists()
    late = with_due.filter(submitted_at__gt=F("due")).count()
    assert 0 < late < with_due.count() / 4
    assert (
        filings.exclude(status__in=FILED_STATUSES).filter(submitted_at__isnull=False).count() == 0
    )


def _it_confirms_receipts_at_most_units_after_the_money_was_sent(demo_lines):  # noqa: F811
    received = Filing.objects.annotate(n=Count("allocations_in")).filter(n__gt=0)
    confirmed = received.filter(receipts__isnull=False).distinct().count()
    assert 0.75 * received.count() < confirmed < received.count()
    for allocation in Allocation.objects.filter(receipt__isnull=False).select_related("receipt"):
        assert allocation.receipt.arrival_date >= timezone.localdate(allocation.created_at)
        assert allocation.receipt.filing_id == allocation.to_filing_id
    assert Receipt.objects.filter(allocations__isnull=True).count() == 0


def _it_records_vouchers_at_many_schools_within_what_they_received(demo_lines):  # noqa: F811
    with_vouchers = Voucher.objects.values("unit", "project").annotate(paid=Sum("amount"))
    schools = Unit.objects.filter(level=Level.SCHOOL, stage="vocational").count()
    vocational = with_vouchers.filter(project__code__in=VOCATIONAL, year=year())
    assert vocational.values("unit").distinct().count() > 0.4 * schools
    received = {
        (unit, project): total
        for unit, project, total in Allocation.objects.values_list(
            "to_filing__unit", "to_filing__project"
        ).annotate(total=Sum(F("central") + F("provincial") + F("prefectural") + F("county")))
    }
    for row in with_vouchers:
        assert Decimal(row["paid"]) <= Decimal(received[(row["unit"], row["project"])])
    assert not Voucher.objects.exclude(project__category="national").exists()


def _it_gives_every_voucher_one_stored_pdf_that_passes_the_upload_checks(demo_lines):  # noqa: F811
    assert set(Voucher.objects.annotate(n=Count("files")).values_list("n", flat=True)) == {1}
    folder = Path(settings.MEDIA_ROOT) / "vouchers"
    assert len(list(folder.iterdir())) == VoucherFile.objects.count()
    for record in VoucherFile.objects.order_by("?")[:100]:  # a sample, read back
        data = Path(record.file.path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (record.size, record.sha256)
        assert check_attachment(record.name, data).content_type == record.content_type
        assert record.content_type == "application/pdf" and record.name.endswith("回单.pdf")
        assert len(Path(record.file.name).stem) == 32  # a random storage name


def _it_names_the_sample_units_operators_as_who_did_it(demo_lines):  # noqa: F811
    from zizhu.accounts.models import User
    from zizhu.funds.models import Deadline, Receipt

    county = User.objects.get(username="operator_610112")
    deadlines = Deadline.objects.filter(unit=county.unit)
    assert deadlines.exists() and set(deadlines.values_list("set_by", flat=True)) == {county.pk}
    sent = Allocation.objects.filter(from_filing__unit=county.unit)
    assert sent.exists() and set(sent.values_list("created_by", flat=True)) == {county.pk}
    confirmed = Receipt.objects.filter(filing__unit=county.unit)
    assert set(confirmed.values_list("confirmed_by", flat=True)) == {county.pk}
    schools = User.objects.filter(username__startswith="school_operator_")
    named = Voucher.objects.filter(unit__in=schools.values("unit"))
    assert named.exists()
    for voucher in named.select_related("created_by"):
        assert voucher.created_by.unit_id == voucher.unit_id
    # a unit without an account: nobody is named
    assert Voucher.objects.exclude(unit__users__isnull=False).filter(created_by=None).exists()


def _it_plans_the_same_year_for_the_same_seed(demo_lines):  # noqa: F811
    def plan(seed: int) -> dict:
        from zizhu.catalogue.models import AidProject

        builder = YearBuilder(active_nodes(), year(), seed, Outcome())
        for p in DEMO_PLANS:
            builder.plan_project(AidProject.objects.get(code=p.code), p)
        return builder.edges

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)
    assert Filing.objects.filter(Q(school_funds__gt=0) | Q(social_funds__gt=0)).exists()


# One build of the demo (~15 s, more on a slow machine) for all of this module's checks,
# in the order above: each check was a test of its own, and building the demo for each took
# minutes of the suite's run.
def test_each_check_of_one_demo_build(demo_lines):  # noqa: F811
    _it_keeps_the_ledger_balanced_and_prints_the_demo_accounts(demo_lines)
    _it_pays_the_central_share_of_80_percent_for_the_vocational_projects(demo_lines)
    _it_has_most_units_filed_some_late_some_missing(demo_lines)
    _it_confirms_receipts_at_most_units_after_the_money_was_sent(demo_lines)
    _it_records_vouchers_at_many_schools_within_what_they_received(demo_lines)
    _it_gives_every_voucher_one_stored_pdf_that_passes_the_upload_checks(demo_lines)
    _it_names_the_sample_units_operators_as_who_did_it(demo_lines)
    _it_plans_the_same_year_for_the_same_seed(demo_lines)
