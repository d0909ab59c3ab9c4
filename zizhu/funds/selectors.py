"""Reads of the funds ledger. Callers pass filings they reached through `zizhu.access`."""

from datetime import date
from decimal import Decimal

from django.db.models import Max, Q, Sum

from zizhu.funds.models import ZERO, Allocation, Filing, SourceLevel


def received_by_level(filing: Filing) -> dict[str, Decimal]:
    """上级资金 by source level: the sum of the filing's incoming allocations (one query)."""
    sums = Allocation.objects.filter(to_filing=filing).aggregate(
        **{level: Sum(level) for level in SourceLevel.values}
    )
    return {level: sums[level] or ZERO for level in SourceLevel.values}


def arrival_dates_by_level(filing: Filing) -> dict[str, date | None]:
    """The latest confirmed arrival date (到位时间) of each source level's money (one query)."""
    dates = Allocation.objects.filter(to_filing=filing, receipt__isnull=False).aggregate(
        **{
            level: Max("receipt__arrival_date", filter=Q(**{f"{level}__gt": 0}))
            for level in SourceLevel.values
        }
    )
    return dict(dates)
