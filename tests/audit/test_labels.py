"""Every action code the product records has a Chinese label, and the auditor reads the labels:
on the page, in its action filter and in both exports; never the code.

The codes are found in the source, not listed by hand: every call of `audit_record` and of a
function that passes its own parameter on as the action (a relay, like the funds ledger's
`set_status`), with literal strings, conditional expressions and f-strings of them expanded."""

import ast
import csv
import io
import itertools
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation
from openpyxl import load_workbook

from tests.conftest import login_as
from zizhu.audit.labels import ACTIONS, action_choices, action_label, object_label
from zizhu.audit.services import audit_record

SOURCE = Path(__file__).resolve().parents[2] / "zizhu"
RECORDER = "audit_record"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _relay(function, name: str) -> tuple[str, int | None] | None:
    """(name, its position or None if keyword-only) when `name` is a parameter of `function`."""
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if name in positional:
        return name, positional.index(name)
    return (name, None) if name in [a.arg for a in args.kwonlyargs] else None


def _action_argument(call: ast.Call, relay: tuple[str, int | None]) -> ast.expr | None:
    name, position = relay
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _strings(node: ast.expr) -> set[str] | None:
    """Every string `node` can be, or None when that cannot be read from the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.FormattedValue):
        return _strings(node.value)
    if isinstance(node, ast.JoinedStr):
        parts = [_strings(value) for value in node.values]
        if any(part is None for part in parts):
            return None
        return {"".join(p) for p in itertools.product(*parts)}  # type: ignore[arg-type]
    return None


def _functions(tree: ast.AST, function=None):
    """(innermost enclosing function or None, call) for every call in `tree`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Call):
            yield function, node
        inner = node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else function
        yield from _functions(node, inner)


def recorded_actions() -> tuple[dict[str, list[str]], list[str]]:
    """({code: [where recorded]}, [calls whose action cannot be read from the source])."""
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
    }
    # relays: name -> (parameter name, its position or None when keyword-only)
    relays: dict[str, tuple[str, int | None]] = {RECORDER: ("action", None)}
    passed_on: set[int] = set()
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for function, call in _functions(tree):
                relay = relays.get(_called(call) or "")
                argument = relay and _action_argument(call, relay)
                if function is None or not isinstance(argument, ast.Name):
                    continue
                passes_on = _relay(function, argument.id)
                if passes_on is not None:
                    passed_on.add(id(call))
                    if function.name not in relays:
                        relays[function.name] = passes_on
                        changed = True
    codes: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path, tree in trees.items():
        for _function, call in _functions(tree):
            relay = relays.get(_called(call) or "")
            if relay is None or id(call) in passed_on:
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            argument = _action_argument(call, relay)
            strings = _strings(argument) if argument is not None else None
            if strings is None:
                unreadable.append(where)
                continue
            for code in strings:
                codes.setdefault(code, []).append(where)
    return codes, unreadable


def test_every_recorded_action_code_has_a_label():
    codes, unreadable = recorded_actions()

    assert unreadable == []  # record literal codes (or conditionals of them), never computed ones
    assert sorted((code, where) for code, where in codes.items() if code not in ACTIONS) == []


def test_the_source_scan_finds_direct_calls_relays_and_expressions():
    codes, _ = recorded_actions()

    assert len(codes) >= 75
    assert {"login", "audit.export", "access.denied"} <= codes.keys()  # direct calls
    assert {"funds.filing_submit", "funds.filing_unlock"} <= codes.keys()  # through set_status
    assert {"admin.add", "admin.change"} <= codes.keys()  # an f-string
    assert {"recipients.row_add", "recipients.row_change"} <= codes.keys()  # a conditional


def test_every_label_and_area_is_chinese():
    with translation.override("zh-hans"):
        english = [code for code in ACTIONS if not CJK.search(action_label(code))]
        areas = [area for area, _options in action_choices() if not CJK.search(area)]
    assert english == []
    assert areas == []


def test_the_filter_offers_every_action_once():
    offered = [code for _area, options in action_choices() for code, _label in options]
    assert sorted(offered) == sorted(ACTIONS)


def test_every_kind_of_object_has_a_chinese_name():
    with translation.override("zh-hans"):
        english = [
            model._meta.label_lower
            for model in apps.get_models()
            if not CJK.search(object_label(model._meta.label_lower))
        ]
    assert english == []
    assert object_label("otp_totp.totpdevice") != "otp_totp.totpdevice"


def test_an_unknown_code_is_shown_as_it_is():
    assert action_label("retired.code") == "retired.code"
    assert object_label("retired.model") == "retired.model"
    assert object_label("") == ""


@pytest.fixture
def auditor(client, users):
    return login_as(client, users["auditor"])


@pytest.fixture
def submitted(users):
    return audit_record(
        actor=users["county_operator"], action="funds.filing_submit", obj=users["county_operator"]
    )


def test_the_page_shows_labels_not_codes(auditor, submitted):
    html = auditor.get("/audit/", {"actor": "county_operator"}).content.decode()
    rows = html.split('data-testid="audit"', 1)[1]

    assert "提交资金填报" in rows
    assert "用户 " + str(submitted.object_id) in rows
    assert "funds.filing_submit" not in rows
    assert "accounts.user" not in rows


def test_the_action_filter_is_a_list_of_labels(auditor, submitted, users):
    audit_record(actor=users["county_operator"], action="funds.filing_update")
    response = auditor.get("/audit/", {"action": "funds.filing_submit"})
    html = response.content.decode()

    assert [e.action for e in response.context["page"]] == ["funds.filing_submit"]
    assert re.search(
        r'<select name="action">.*<optgroup label="资金管理">.*'
        r'<option value="funds.filing_submit" selected>提交资金填报</option>',
        html,
        re.S,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_show_labels_not_codes(auditor, submitted, fmt):
    response = auditor.get("/audit/export/", {"format": fmt, "actor": "county_operator"})

    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    header, [row] = rows[0], rows[1:]
    assert (row[header.index("操作")], row[header.index("对象类型")]) == ("提交资金填报", "用户")
    assert "funds.filing_submit" not in row
