import io

import pyarrow.parquet as pq
from django.core.management import call_command

from tests.recipients.factories import make_id, make_list
from zizhu.lib.periods import Month
from zizhu.recipients import services
from zizhu.recipients.store_export import lists_export
from zizhu.store.keys import person_key


def _approve(users, target):
    services.recipient_list_submit(recipient_list=target, actor=users["school_operator"])
    services.recipient_list_approve(recipient_list=target, actor=users["school_reviewer"])


def test_it_exports_approved_lists_of_the_term_and_three_years_ago(users, tmp_path):
    school = users["school_operator"].unit
    _approve(users, make_list(school, 1, 2))  # 2025 autumn
    make_list(school, 3, batch=2)  # a draft: not exported
    _approve(users, make_list(school, 4, year=2022, term="spring"))
    written = lists_export(month=Month.parse("2025-10"), store=str(tmp_path))
    assert written == {"2025-autumn": 2, "2022-autumn": 0, "2022-spring": 1}
    table = pq.read_table(tmp_path / "lists/school_year=2025/term=autumn")
    assert sorted(table.column("pid").to_pylist()) == sorted(
        [person_key(make_id(1)), person_key(make_id(2))]
    )
    assert set(table.column("programme").to_pylist()) == {"national_grant"}
    assert table.column("id_masked")[0].as_py().count("*") == 8


def test_it_writes_no_raw_id_number_or_phone(users, tmp_path):
    _approve(users, make_list(users["school_operator"].unit, 1))
    lists_export(month=Month.parse("2025-10"), store=str(tmp_path))
    data = b"".join(p.read_bytes() for p in tmp_path.rglob("*.parquet"))
    assert make_id(1).encode() not in data
    assert b"13800000001" not in data


def test_it_is_a_command(users, settings, tmp_path):
    settings.ZIZHU_STORE = str(tmp_path)
    _approve(users, make_list(users["school_operator"].unit, 1))
    out = io.StringIO()
    call_command("export_lists", month="2025-11", stdout=out)
    assert "2025-autumn\t1" in out.getvalue()
