from collections import Counter
from pathlib import Path

from zizhu.anomalies.engine import checks, load_rules
from zizhu.anomalies.engine.rules import rules_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "anomaly-checks.md"


def test_it_loads_the_24_rules_in_three_risk_levels():
    rules = load_rules()

    assert [r.number for r in rules] == list(range(1, 25))
    assert Counter(r.risk for r in rules) == {"high": 10, "medium": 8, "low": 6}
    assert rules[0].name_zh == "中职免学费受助学生名单与高校受助学生重复"
    assert rules_table().num_rows == 24


def test_it_pairs_each_of_the_12_checks_with_both_programmes():
    by_check = Counter((r.check, r.counterpart) for r in load_rules())

    assert len(by_check) == 12
    assert set(by_check.values()) == {2}


def test_it_documents_every_check_next_to_its_sql():
    doc = " ".join(DOC.read_text("utf-8").split())
    texts = [sql for _, sql, _ in checks.VIEWS if sql is not checks.ELSEWHERE]
    texts += [sql for _, sql in checks.ELSEWHERE_CHECKS + checks.FINDING_QUERIES]

    for sql in texts:
        assert " ".join(sql.split()) in doc, sql.strip().splitlines()[0]
