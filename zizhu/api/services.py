"""Writes of API tokens: made by their user (the security page or `manage.py api_token`),
revoked by their user; atomic, audited. The token is returned once and never stored."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.api.models import ApiToken
from zizhu.audit.services import audit_record

PREFIX = "zz"
DEFAULT_DAYS = 90


def digest(secret: str) -> str:
    """The stored form of a token: the secret has 256 random bits, so one SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    value: str  # shown to the user once


@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int = DEFAULT_DAYS, request: HttpRequest | None = None
) -> NewToken:
    name = (name or "").strip()[:100] or "API"
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValidationError(_("The validity must be a whole number of days"))
    if not 1 <= days <= settings.ZIZHU_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("The validity must be 1 to %(days)s days")
            % {"days": settings.ZIZHU_API_TOKEN_MAX_DAYS}
        )
    if not user.is_active:
        raise ValidationError(_("A deactivated account cannot create tokens"))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    value = f"{PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest(value),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=user,
        request=request,
        action="api.token_create",
        obj=token,
        detail={"token": token.pk, "name": name, "days": days},
    )
    return NewToken(token, value)


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User, request: HttpRequest | None = None
) -> ApiToken:
    if token.user_id != actor.pk:
        raise ValidationError(_("You can revoke only your own tokens"))
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            request=request,
            action="api.token_revoke",
            obj=token,
            detail={"token": token.pk},
        )
    return token


def api_token_find(value: str) -> ApiToken | None:
    """The active token `value` names, or None (wrong, expired, revoked, inactive user)."""
    parts = value.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12:
        return None
    token = ApiToken.objects.select_related("user", "user__unit").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, digest(value)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    return token


def api_token_touch(token: ApiToken) -> None:
    """Record the last use, at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
