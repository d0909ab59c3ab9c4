from collections.abc import Mapping
from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from zizhu.audit.models import AuditEvent

FILTERS = ("actor", "unit", "action", "result", "date_from", "date_to")


def audit_events(params: Mapping[str, str]) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """Audit events filtered by the query parameters of the list page."""
    values = {name: (params.get(name) or "").strip() for name in FILTERS}
    events = AuditEvent.objects.all()
    if values["actor"]:
        events = events.filter(actor_username__icontains=values["actor"])
    if values["unit"]:
        events = events.filter(unit_code__startswith=values["unit"])
    if values["action"]:
        events = events.filter(action=values["action"])
    if values["result"]:
        events = events.filter(result=values["result"])
    tz = timezone.get_current_timezone()
    for name, bound, lookup in (
        ("date_from", time.min, "at__gte"),
        ("date_to", time.max, "at__lte"),
    ):
        if values[name]:
            try:
                day = datetime.strptime(values[name], "%Y-%m-%d").date()  # noqa: DTZ007
            except ValueError:
                values[name] = ""
                continue
            events = events.filter(**{lookup: datetime.combine(day, bound, tzinfo=tz)})
    return events, values
