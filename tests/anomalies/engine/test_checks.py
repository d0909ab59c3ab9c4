"""The 12 checks on DuckDB, each with a positive case and decoys (docs/anomaly-checks.md)."""

from datetime import date

import pytest

from zizhu.anomalies.engine import run_duckdb
from zizhu.lib.periods import Month

from .conftest import (
    COLLEGE,
    MONTH,
    OTHER,
    OWN,
    PRIMARY,
    RULES,
    SENIOR,
    TECH,
    build_month,
    found,
)

PROGRAMMES = [("tuition_waiver", 0), ("national_grant", 1)]


def test_it_finds_every_rule_of_a_month_and_no_decoy(store):
    expected = build_month(store)

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "counterpart_school_code", "detail") == expected
    assert {rule for rule, *_ in expected} == set(range(1, 25))


# -- recipient_elsewhere ----------------------------------------------------------------------


@pytest.mark.parametrize(("programme", "index"), PROGRAMMES)
@pytest.mark.parametrize(
    ("stage", "school", "case"),
    [
        ("higher", COLLEGE, "higher_recipients"),
        ("senior_high", SENIOR, "senior_high_recipients"),
        ("compulsory", PRIMARY, "compulsory_recipients"),
    ],
)
def test_it_flags_a_recipient_on_another_stages_list_of_the_term(
    store, programme, index, stage, school, case
):
    store.lists(
        [
            store.subject(1, programme),
            store.list_row(1, stage=stage, school_code=school),
            store.subject(2, programme),
            store.subject(3, programme),
        ]
    )
    # Decoys: the same persons on lists of another term or school year.
    store.lists([store.list_row(2, stage=stage, school_code=school)], term="spring")
    store.lists([store.list_row(3, stage=stage, school_code=school)], school_year=2023)

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(RULES[case][index], 1, school)}
    assert findings.column("counterpart_kind").to_pylist() == [f"recipients_{stage}"]


@pytest.mark.parametrize(("programme", "index"), PROGRAMMES)
@pytest.mark.parametrize(
    ("kind", "school", "case"),
    [
        ("recipients_higher", COLLEGE, "higher_recipients"),
        ("recipients_senior_high", SENIOR, "senior_high_recipients"),
        ("recipients_compulsory", PRIMARY, "compulsory_recipients"),
        ("recipients_technical", TECH, "technical_recipients"),
    ],
)
def test_it_flags_a_recipient_in_a_recipients_register(store, programme, index, kind, school, case):
    store.lists([store.subject(1, programme), store.subject(2, programme)])
    store.register(kind, [{"school_code": school, "pid": 1}, {"school_code": school, "pid": 99}])

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(RULES[case][index], 1, school)}
    assert findings.column("counterpart_kind").to_pylist() == [kind]


def test_it_flags_a_recipient_of_any_project_at_another_vocational_school_only(store):
    store.lists(
        [
            # 1: on a scholarship list of OTHER → rule 4.
            store.subject(1),
            store.list_row(1, school_code=OTHER, project="vocational_scholarship"),
            # 2: tuition waiver at OWN, national grant at OTHER → each subject flags the other.
            store.subject(2),
            store.subject(2, "national_grant", school_code=OTHER),
            # 3: both programmes and a scholarship, all at OWN → nothing.
            store.subject(3),
            store.subject(3, "national_grant"),
            store.list_row(3, project="vocational_scholarship"),
        ]
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "school_code", "counterpart_school_code") == {
        (4, 1, OWN, OTHER),
        (4, 2, OWN, OTHER),
        (9, 2, OTHER, OWN),
    }
    assert set(findings.column("counterpart_kind").to_pylist()) == {"recipients_vocational"}


def test_it_reports_a_counterpart_school_once(store):
    store.lists([store.subject(1), store.list_row(1, stage="higher", school_code=COLLEGE)])
    second_college = "4161000002"
    store.register(
        "recipients_higher",
        [
            {"school_code": COLLEGE, "pid": 1, "project": "higher_national_grant"},
            {"school_code": COLLEGE, "pid": 1, "project": "higher_tuition_waiver"},
            {"school_code": second_college, "pid": 1},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert sorted(found(findings)) == [(1, 1, COLLEGE), (1, 1, second_college)]


def test_it_reads_the_latest_register_snapshot_up_to_the_month(store):
    store.lists([store.subject(pid) for pid in (1, 2, 3, 4, 5, 6)])
    store.register("recipients_technical", [{"school_code": TECH, "pid": 1}], month="2024-08")
    store.register("recipients_technical", [{"school_code": TECH, "pid": 2}], month="2024-10")
    store.register("recipients_technical", [{"school_code": TECH, "pid": 3}], month="2024-11")
    half_written = store.root / "registers/recipients_technical/month=2024-10.tmp-1a2b"
    store.register("recipients_technical", [{"school_code": TECH, "pid": 4}], month="x")
    (store.root / "registers/recipients_technical/month=x").rename(half_written)
    # An earlier snapshot than the month is used when it is the latest.
    store.register("enrolment_compulsory", [{"school_code": PRIMARY, "pid": 5}], month="2024-03")
    store.register("enrolment_compulsory", [{"school_code": PRIMARY, "pid": 6}], month="2025-01")

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(5, 2, TECH), (12, 5, PRIMARY)}


def test_it_checks_the_term_of_the_month(store):
    store.lists([store.subject(1), store.list_row(1, stage="higher", school_code=COLLEGE)])
    store.lists(
        [store.subject(2), store.list_row(2, stage="higher", school_code=COLLEGE)],
        term="spring",
    )

    january = run_duckdb(store.root, "2025-01")  # still the autumn term of school year 2024
    february = run_duckdb(store.root, Month(2025, 2))

    assert found(january) == {(1, 1, COLLEGE)}
    assert found(february) == {(1, 2, COLLEGE)}
    assert set(february.column("month").to_pylist()) == {"2025-02"}


# -- enrolled_elsewhere -----------------------------------------------------------------------


@pytest.mark.parametrize(("programme", "index"), PROGRAMMES)
@pytest.mark.parametrize(
    ("kind", "school", "case"),
    [
        ("enrolment_senior_high", SENIOR, "senior_high_enrollment"),
        ("enrolment_compulsory", PRIMARY, "compulsory_enrollment"),
    ],
)
def test_it_flags_an_active_enrolment_elsewhere(store, programme, index, kind, school, case):
    store.lists([store.subject(pid, programme) for pid in (1, 2, 3)])
    store.register(
        kind,
        [
            {"school_code": school, "pid": 1, "status": "在籍"},
            {"school_code": school, "pid": 2, "status": "休学"},
            {"school_code": school, "pid": 3, "status": None},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(RULES[case][index], 1, school)}
    assert findings.column("counterpart_kind").to_pylist() == [kind]


def test_it_flags_an_active_enrolment_at_another_vocational_school_only(store):
    store.lists([store.subject(1), store.subject(2), store.subject(3, "national_grant")])
    store.register(
        "enrolment_vocational",
        [
            {"school_code": OWN, "pid": 1},
            {"school_code": OWN, "pid": 2},
            {"school_code": OTHER, "pid": 2},
            {"school_code": OTHER, "pid": 3},
            {"school_code": "3661000003", "pid": 3, "status": "转出"},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(13, 2, OTHER), (17, 3, OTHER)}
    assert set(findings.column("counterpart_kind").to_pylist()) == {"enrolment_vocational"}


# -- aided_three_years_ago --------------------------------------------------------------------


def test_it_flags_a_vocational_recipient_of_three_school_years_ago(store):
    store.lists([store.subject(pid) for pid in (1, 2, 3, 4)] + [store.subject(5, "national_grant")])
    store.lists([store.list_row(1), store.list_row(5, school_code=OTHER)], school_year=2021)
    store.lists(
        [
            store.list_row(1, project="vocational_national_grant", programme="national_grant"),
            store.list_row(1, school_code=OTHER),
            store.list_row(4, stage="senior_high", school_code=SENIOR),  # not 中职
        ],
        school_year=2021,
        term="spring",
    )
    store.lists([store.list_row(2)], school_year=2022)
    store.lists([store.list_row(3)], school_year=2020)

    findings = run_duckdb(store.root, MONTH)

    # Own school counts; both terms at the same school are one finding.
    assert found(findings) == {(14, 1, OWN), (14, 1, OTHER), (18, 5, OTHER)}
    assert set(findings.column("counterpart_kind").to_pylist()) == {"recipients_vocational_3y"}


# -- graduated_senior_high_last_year ----------------------------------------------------------


def test_it_flags_last_years_senior_high_graduates(store):
    store.lists([store.subject(pid) for pid in (1, 2, 3)] + [store.subject(4, "national_grant")])
    store.register(
        "graduates_senior_high",
        [
            {"school_code": SENIOR, "pid": 1, "graduation_year": 2024},
            {"school_code": SENIOR, "pid": 2, "graduation_year": 2023},
            {"school_code": SENIOR, "pid": 3, "graduation_year": 2025},
            {"school_code": SENIOR, "pid": 4, "graduation_year": 2024},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings) == {(19, 1, SENIOR), (22, 4, SENIOR)}
    assert set(findings.column("counterpart_kind").to_pylist()) == {"graduates_senior_high"}


# -- age_20_or_over ---------------------------------------------------------------------------


def _ages(store, births: dict[int, date | None]) -> None:
    store.lists(
        [store.subject(pid, birth_date=born) for pid, born in births.items()]
        + [store.subject(9, "national_grant", birth_date=date(1990, 5, 5))]
    )


def test_it_flags_subjects_of_20_or_over_on_the_first_day_of_the_month(store):
    _ages(store, {1: date(2004, 10, 1), 2: date(2004, 10, 2), 3: date(2004, 9, 30), 4: None})

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "detail") == {(20, 1, "20"), (20, 3, "20"), (23, 9, "34")}
    assert findings.column("counterpart_school_code").null_count == 3
    assert findings.column("counterpart_kind").null_count == 3


def test_it_counts_age_on_the_reference_date(store):
    _ages(store, {1: date(2004, 10, 1), 2: date(2004, 10, 2), 3: date(2004, 10, 3)})

    findings = run_duckdb(store.root, MONTH, reference_date=date(2024, 10, 2))

    assert found(findings, "rule", "pid", "detail") == {(20, 1, "20"), (20, 2, "20"), (23, 9, "34")}


def test_it_reaches_a_29_february_birthday_on_that_day(store):
    # February 2024: the spring term of school year 2023.
    store.lists([store.subject(1, birth_date=date(2004, 2, 29))], school_year=2023, term="spring")

    before = run_duckdb(store.root, "2024-02", reference_date=date(2024, 2, 28))
    on_the_day = run_duckdb(store.root, "2024-02", reference_date=date(2024, 2, 29))

    assert before.num_rows == 0
    assert found(on_the_day, "rule", "pid", "detail") == {(20, 1, "20")}


# -- shared_phone -----------------------------------------------------------------------------


def test_it_flags_a_phone_shared_with_other_students_of_the_month(store):
    store.lists(
        [
            store.subject(1, phone_key=500),
            store.subject(3, phone_key=600),
            store.list_row(4, stage="senior_high", school_code=SENIOR, phone_key=600),
            # Two subjects sharing one phone flag each other.
            store.subject(6, phone_key=700),
            store.subject(7, "national_grant", phone_key=700),
        ]
    )
    store.register(
        "enrolment_compulsory",
        [{"school_code": PRIMARY, "pid": 2, "phone_key": 500}],
    )
    store.register(
        "enrolment_vocational",
        [
            {"school_code": OTHER, "pid": 5, "phone_key": 600, "status": "毕业"},
            {"school_code": OTHER, "pid": 5, "phone_key": 600},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "detail") == {
        (21, 1, "1"),
        (21, 3, "2"),
        (21, 6, "1"),
        (24, 7, "1"),
    }
    assert findings.column("counterpart_school_code").null_count == 4


def test_it_counts_each_person_of_a_shared_phone_once(store):
    store.lists(
        [
            # Two subjects and a third person on one phone: three persons, two others each.
            store.subject(6, phone_key=700),
            store.subject(7, "national_grant", phone_key=700),
            # One subject person under both programmes, and one other person: two persons.
            store.subject(9, phone_key=750),
            store.subject(9, "national_grant", phone_key=750),
        ]
    )
    store.register(
        "enrolment_vocational",
        [
            {"school_code": OWN, "pid": 6, "phone_key": 700},
            {"school_code": OTHER, "pid": 8, "phone_key": 700},
            {"school_code": OWN, "pid": 9, "phone_key": 750},
        ],
    )
    store.register(
        "enrolment_compulsory",
        [
            {"school_code": PRIMARY, "pid": 8, "phone_key": 700},
            {"school_code": PRIMARY, "pid": 10, "phone_key": 750},
            {"school_code": PRIMARY, "pid": 10, "phone_key": 750, "status": "毕业"},
        ],
    )

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "detail") == {
        (21, 6, "2"),
        (24, 7, "2"),
        (21, 9, "1"),
        (24, 9, "1"),
    }


def test_it_ignores_a_phone_shared_by_the_same_person_or_outside_the_month(store):
    store.lists(
        [
            store.subject(1, phone_key=800),
            store.subject(1, "national_grant", phone_key=800),
            store.subject(2, phone_key=900),
            store.subject(3),  # no phone
        ]
    )
    store.lists([store.list_row(10, phone_key=900)], term="spring")
    store.register("enrolment_vocational", [{"school_code": OWN, "pid": 1, "phone_key": 800}])
    store.register(
        "enrolment_compulsory",
        [{"school_code": PRIMARY, "pid": 11, "phone_key": 900}],
        month="2024-08",
    )
    store.register(
        "enrolment_compulsory",
        [{"school_code": PRIMARY, "pid": 12, "phone_key": None}],
        month="2024-09",
    )

    findings = run_duckdb(store.root, MONTH)

    assert findings.num_rows == 0


# -- subjects and output ----------------------------------------------------------------------


def test_it_checks_each_programme_and_school_of_a_person_as_a_subject(store):
    store.lists(
        [
            store.subject(1, row_id=70),
            store.subject(1, row_id=60),  # listed twice: the first row is reported
            store.subject(1, "national_grant", row_id=80),
            # Not subjects: another 中职 project, another stage.
            store.list_row(2, project="vocational_scholarship"),
            store.list_row(3, stage="senior_high", school_code=SENIOR, programme="national_grant"),
        ]
    )
    store.register("recipients_higher", [{"school_code": COLLEGE, "pid": pid} for pid in (1, 2, 3)])

    findings = run_duckdb(store.root, MONTH)

    assert found(findings, "rule", "pid", "row_id", "programme") == {
        (1, 1, 60, "tuition_waiver"),
        (6, 1, 80, "national_grant"),
    }


def test_it_returns_the_findings_in_a_fixed_order(store):
    build_month(store)

    findings = run_duckdb(store.root, MONTH, threads=1, memory_limit="512MB")

    keys = list(
        zip(
            findings.column("rule").to_pylist(),
            findings.column("school_code").to_pylist(),
            findings.column("pid").to_pylist(),
            strict=True,
        )
    )
    assert keys == sorted(keys)
    assert set(findings.column("month").to_pylist()) == {MONTH}
    assert findings.column("risk").to_pylist()[:1] == ["high"]
    assert findings.column("id_masked").to_pylist()[:1] == ["610102********0101"]


def test_it_returns_no_findings_from_an_empty_store(tmp_path):
    findings = run_duckdb(tmp_path / "nothing-here", MONTH)

    assert findings.num_rows == 0
    assert findings.column_names[:3] == ["month", "rule", "risk"]
