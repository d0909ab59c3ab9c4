"""The one way to write the audit trail."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Model
from django.http import HttpRequest
from django.utils import timezone

from zizhu.accounts.models import User
from zizhu.audit.chain import FIELDS, GENESIS, link, lock_head
from zizhu.audit.models import AuditEvent, Result


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxies (ZIZHU_PROXY_COUNT) saw."""
    if request is None:
        return None
    proxies = settings.ZIZHU_PROXY_COUNT
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    obj: Model | None = None,
    result: str = Result.SUCCESS,
    username: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Append one event to the trail, linked to the one before it (docs/adr/0021)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    unit = getattr(actor, "unit", None)
    event = AuditEvent(
        actor=actor,
        actor_username=getattr(actor, "username", "") or username,
        unit_code=getattr(unit, "code", ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        ip=client_ip(request),
        detail=detail or {},
    )
    with transaction.atomic():
        lock_head()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.at = timezone.now()  # under the lock: times rise with the chain
        event.prev_hash = last or GENESIS
        event.hash = link(event.prev_hash, {name: getattr(event, name) for name in FIELDS})
        event.save(force_insert=True)
    return event


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete the oldest records, older than the retention period (never less than 180 days).

    Only the chain's oldest part goes: the records before the first one still within the
    retention. The purge's own record names the range and the last removed hash, to which the
    oldest remaining record links (docs/adr/0021)."""
    days = max(settings.ZIZHU_AUDIT_RETENTION_DAYS, 180)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        lock_head()
        kept = AuditEvent.objects.filter(at__gte=cutoff).aggregate(first=Min("id"))["first"]
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if kept is not None:
            old = old.filter(id__lt=kept)
        first = old.order_by("id").values_list("id", flat=True).first()
        last = old.order_by("-id").values("id", "hash").first()
        count, _ = old.delete()
        detail = {"deleted": count, "cutoff": cutoff.isoformat()}
        if last is not None:
            detail.update(first_id=first, last_id=last["id"], last_hash=last["hash"])
        audit_record(action="audit.purge", detail=detail)
    return count
