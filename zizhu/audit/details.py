"""What the auditor reads instead of an event's detail as stored: the same facts in Chinese,
e.g. `类别：国家资助；项目：中职国家助学金；行数：3；表：支付凭证；单位：3661000071；年度：2025`.

The stored detail (hash-chained) never changes; only its reading does. Every key the product
records has a label here (`tests/audit/test_detail_labels.py` finds them in the source), coded
values are named by the product's own choices, projects by their names (looked up once per
batch of events, never per event). Unit codes, ids, months, dates, counts, file names, paths and
digests are data and stay as they are; a key or a value without a label (an old row, a future
key) is shown as it is, so nothing is ever hidden."""

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils import timezone

from zizhu.audit.detail_labels import KEYS, NO, NONE, YES, source_levels, terms, value_labels
from zizhu.audit.labels import action_label
from zizhu.audit.models import AuditEvent

# Dicts whose keys are something other than detail keys.
FIELD_DICTS = {"before", "after", "changes"}  # field names of the event's object
LEVEL_DICTS = {"amounts"}  # source levels
PROJECT_KEYS = {"project", "projects", "code"}  # code: a local project event's
PERIOD = re.compile(r"(\d{4})-([a-z]+)")  # a lists export's "2025-autumn"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
BATCH = 2000


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


class Reader:
    """Reads the details of one batch of events: the projects they name are looked up once."""

    def __init__(self, events: Iterable[AuditEvent]):
        codes: set[str] = set()
        ids: set[int] = set()
        for event in events:
            for value in _project_values(event.detail):
                if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                    ids.add(int(value))
                elif isinstance(value, str) and value:
                    codes.add(value)
        self.projects: dict[str, str] = {}
        if codes or ids:
            found = apps.get_model("catalogue", "AidProject").objects.filter(
                Q(code__in=codes) | Q(pk__in=ids)
            )
            for pk, code, name in found.values_list("pk", "code", "name"):
                self.projects[code] = self.projects[str(pk)] = name

    def text(self, event: AuditEvent) -> str:
        if not isinstance(event.detail, dict):
            return _plain(event.detail)
        return self._dict(event.detail, _model(event.object_type), "；")

    def _dict(
        self, detail: Mapping[str, Any], model: type[Model] | None, sep: str, fields: bool = False
    ) -> str:
        parts = []
        if fields and model is not None:  # a model's fields in the model's own order
            names = [f.name for f in model._meta.get_fields()]
            items = sorted(detail.items(), key=lambda kv: (_rank(names, kv[0]), kv[0]))
        else:
            items = sorted(detail.items(), key=_order)
        for key, value in items:
            if value is None or value in ("", [], {}):
                continue
            if key == "query" and isinstance(value, str):
                value = dict(parse_qsl(value))
            shown = self._value(key, value, model)
            if not shown:  # a dict of empty values only (an export without filters)
                continue
            name = _field_label(model, key) if fields else None
            parts.append(f"{name or _key_label(key)}：{shown}")
        return sep.join(parts)

    def _value(self, key: str, value: Any, model: type[Model] | None) -> str:
        if isinstance(value, dict):
            if key in FIELD_DICTS:
                pairs = key == "changes"  # {field: [before, after]}
                inner = {n: _field_value(model, n, v, pairs) for n, v in value.items()}
                return f"（{self._dict(inner, model, '，', fields=True)}）"
            if key in LEVEL_DICTS:
                levels = list(source_levels())  # central, provincial, … as the ledger's
                ordered = sorted(value.items(), key=lambda kv: _rank(levels, kv[0]))
                shown = [f"{source_levels().get(k, k)}：{_plain(v)}" for k, v in ordered]
                return f"（{'，'.join(shown)}）"
            said = self._dict(value, None, "，")
            return f"（{said}）" if said else ""
        if isinstance(value, list):
            return "、".join(self._value(key, item, model) for item in value)
        return self._scalar(key, value)

    def _scalar(self, key: str, value: Any) -> str:
        if isinstance(value, _Shown):
            return str(value)
        if key in PROJECT_KEYS and isinstance(value, str | int):
            return self.projects.get(str(value), str(value))
        if key == "action" and isinstance(value, str):
            return action_label(value)
        labels = value_labels(key)
        if isinstance(value, str) and value in labels:
            return str(labels[value])
        return _plain(value)


class _Shown(str):
    """A value already put into words (a field's value): shown as it is."""


def _field_value(model: type[Model] | None, name: str, value: Any, pair: bool) -> _Shown:
    """A field's value as stored, or its choice's label; [before, after] as an arrow."""
    if pair and isinstance(value, list) and len(value) == 2:
        before, after = (_field_value(model, name, v, False) for v in value)
        return _Shown(f"{before} → {after}")
    if value is None or value == "":
        return _Shown(NONE)
    choices = _field_choices(model, name)
    if isinstance(value, str | int) and not isinstance(value, bool) and value in choices:
        return _Shown(str(choices[value]))
    return _Shown(_plain(value))


def _plain(value: Any) -> str:
    if value is True:
        return str(YES)
    if value is False:
        return str(NO)
    if value is None:
        return str(NONE)
    if isinstance(value, str) and DATETIME.fullmatch(value):
        return _local(value)
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    return str(value)


def _local(text: str) -> str:
    """An ISO time in Beijing time, as the page shows times; a naive one as it was written."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _key_label(key: str) -> str:
    label = KEYS.get(key)
    if label is not None:
        return str(label)
    period = PERIOD.fullmatch(key)
    if period and period[2] in terms():
        return f"{period[1]} {terms()[period[2]]}"
    return key


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[Model] | None, name: str) -> str | None:
    field = _field(model, name)
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose is not None else None


# The order a detail reads in: why, what was changed, which object, then the figures and the
# request; keys not listed after them by name. The stored detail's own order is no guide:
# PostgreSQL's jsonb keeps its keys in an order of its own (shortest first).
ORDER = (
    *("reason", "need", "repr", "changes", "before", "after", "run", "finding", "findings"),
    *("rule", "kind", "category"),
    *("table", "project", "projects", "code", "unit", "school", "year", "month", "term"),
    *("batch", "version", "stage", "programme", "engine", "language", "risk", "status"),
    *("from", "to", "decision", "verdict", "comment", "rows", "count", "replaced", "masked"),
    *("unmasked", "actor", "action", "result", "date_from", "date_to", "filters", "format"),
    *("path", "method", "api"),
)


def _order(item: tuple[str, Any]) -> tuple[int, str]:
    return _rank(ORDER, item[0]), item[0]


def _rank(order: "list[str] | tuple[str, ...]", key: str) -> int:
    return order.index(key) if key in order else len(order)


def _field_choices(model: type[Model] | None, name: str) -> dict[Any, Any]:
    field = _field(model, name)
    return dict(getattr(field, "flatchoices", None) or [])


def _project_values(detail: Any) -> Iterator[Any]:
    """Every value recorded under a project key, at any depth (a query string too)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in PROJECT_KEYS:
                yield from value if isinstance(value, list) else [value]
            elif key == "query" and isinstance(value, str):
                yield from _project_values(dict(parse_qsl(value)))
            else:
                yield from _project_values(value)
    elif isinstance(detail, list):
        for item in detail:
            yield from _project_values(item)


def described(events: Iterable[AuditEvent]) -> Iterator[tuple[AuditEvent, str]]:
    """Each event with its detail in words, the projects looked up once per batch."""
    events = iter(events)
    while batch := list(islice(events, BATCH)):
        reader = Reader(batch)
        for event in batch:
            yield event, reader.text(event)


def detail_text(event: AuditEvent) -> str:
    return Reader([event]).text(event)
