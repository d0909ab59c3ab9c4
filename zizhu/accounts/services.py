"""Writes to accounts: password changes, second-factor devices, unlocks. Each is audited."""

from axes.utils import reset
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record


def password_changed(*, user: User, request: HttpRequest | None = None) -> None:
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    audit_record(actor=user, request=request, action="password.change", obj=user)


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, request: HttpRequest | None = None) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_record(actor=device.user, request=request, action="totp.setup", obj=device)


def totp_devices_reset(
    *, user: User, actor: User | None, request: HttpRequest | None = None
) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, request=request, action="totp.reset", obj=user)


def lockout_clear(*, username: str, actor: User | None, request: HttpRequest | None = None) -> int:
    count: int = reset(username=username)  # attempts and lockouts deleted
    audit_record(actor=actor, request=request, action="login.unlock", detail={"username": username})
    return count
