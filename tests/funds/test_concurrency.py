"""Acceptance: concurrent allocations against one balance neither create nor lose money."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.funds.conftest import YEAR
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Filing, SourceLevel
from zizhu.funds.services import allocation_create, filing_create

THREADS = 50
EACH = Decimal("30.00")
OWN = Decimal("1000.00")  # allows exactly 33 allocations of 30.00, leaving 10.00


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_as_many_concurrent_allocations_succeed_as_the_balance_allows(
    tree, grant, users
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (run with DATABASE_URL=postgres://…)")
    operator = users["province_operator"]
    source = filing_create(
        unit=tree["610000"], year=YEAR, project=grant, own_funds=OWN, actor=operator
    )
    # two receivers, whose filings the racers create: that races too
    targets = [tree["610100"], tree["4161000001"]]
    grant.stage = "any"  # lets the higher-education direct school receive this project
    grant.save()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def allocate(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                allocation_create(
                    source=Filing.objects.get(pk=source.pk),
                    target_unit=targets[i % 2],
                    amounts={SourceLevel.PROVINCIAL: EACH},
                    actor=operator,
                )
                outcome = "ok"
            except ValidationError:
                outcome = "refused"
            except Exception as error:  # a deadlock or a lost lock would land here
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(outcomes)) == ["ok", "refused"], outcomes
    assert outcomes.count("ok") == 33
    assert outcomes.count("refused") == THREADS - 33
    left = Balance.objects.get(filing=source, source_level=SourceLevel.PROVINCIAL)
    assert left.allocated_out == Decimal("990.00")
    assert left.available == Decimal("10.00")
    assert Allocation.objects.filter(from_filing=source).count() == 33
    received = Balance.objects.filter(
        filing__unit__in=targets, source_level=SourceLevel.PROVINCIAL
    ).values_list("received", flat=True)
    assert sum(received) == Decimal("990.00")
    assert ledger_discrepancies() == []
