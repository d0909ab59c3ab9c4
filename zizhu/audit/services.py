"""The one way to write the audit trail."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zizhu.audit.models import AuditEvent, Result


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxies (ZIZHU_PROXY_COUNT) saw."""
    if request is None:
        return None
    proxies = settings.ZIZHU_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    obj=None,
    result: str = Result.SUCCESS,
    username: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    unit = getattr(actor, "unit", None)
    return AuditEvent.objects.create(
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


def audit_purge(*, now=None) -> int:
    """Delete records older than the retention period (never less than 180 days)."""
    days = max(settings.ZIZHU_AUDIT_RETENTION_DAYS, 180)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        count, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        audit_record(action="audit.purge", detail={"deleted": count, "cutoff": cutoff.isoformat()})
    return count
