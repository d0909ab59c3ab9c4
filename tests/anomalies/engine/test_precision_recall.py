"""The engines find every planted case of the generator's world and no decoy."""

import pytest

from zizhu.anomalies.engine import run_duckdb, run_spark
from zizhu.synth.generate import generate


def _key(row: dict) -> tuple:
    return (
        int(row["rule"]),
        str(row["school_code"]),
        int(row["pid"]),
        str(row.get("counterpart_school_code") or ""),
    )


def _found(table) -> set[tuple]:
    return {_key(row) for row in table.to_pylist()}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    return generate(out=out, scale="province", seed=11, keyed=True)


def _assert_exact(found: set[tuple], world) -> None:
    truth = {_key(row) for row in world.ground_truth}
    assert {int(r["rule"]) for r in world.ground_truth} == set(range(1, 25))
    missed, extra = truth - found, found - truth
    assert (missed, extra) == (set(), set()), f"recall misses {len(missed)}, false {len(extra)}"


@pytest.mark.parametrize("ranges", [None, 8])  # the province's default (1), and by ranges
def test_it_finds_exactly_the_planted_cases_with_duckdb(world, ranges):
    _assert_exact(_found(run_duckdb(world.out, world.month, ranges=ranges)), world)


@pytest.mark.spark
def test_it_finds_exactly_the_planted_cases_with_spark(world, spark):
    _assert_exact(_found(run_spark(world.out, world.month, spark=spark)), world)
