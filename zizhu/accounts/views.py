import base64
import time
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.access import is_admin
from zizhu.accounts import services
from zizhu.accounts.backends import BACKEND
from zizhu.accounts.forms import NewPasswordChangeForm, TokenForm
from zizhu.accounts.models import User
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.lib.params import local_url

PENDING_2FA = "zizhu_2fa_user"
PENDING_NEXT = "zizhu_2fa_next"
PENDING_SINCE = "zizhu_2fa_since"
PENDING_SECONDS = 300  # the one-time password must follow the password step within 5 minutes


def _safe_next(request, value: str | None) -> str:
    return local_url(request, value) or str(reverse_lazy("web:home"))


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if is_admin(user):
            request.session.cycle_key()
            request.session[PENDING_2FA] = user.pk
            request.session[PENDING_NEXT] = str(_safe_next(request, next_url))
            request.session[PENDING_SINCE] = time.time()
            return redirect("accounts:otp")
        login(request, user)
        return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@login_not_required
@require_http_methods(["GET", "POST"])
def otp_view(request):
    """Second step for the admin roles: set up TOTP on first login, then verify a token."""
    since = request.session.get(PENDING_SINCE, 0)
    user = User.objects.filter(pk=request.session.get(PENDING_2FA), is_active=True).first()
    if user is None or time.time() - since > PENDING_SECONDS:
        for key in (PENDING_2FA, PENDING_NEXT, PENDING_SINCE):
            request.session.pop(key, None)
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                services.totp_device_confirm(device=device, request=request)
            next_url = request.session.pop(PENDING_NEXT, None)
            request.session.pop(PENDING_2FA, None)
            request.session.pop(PENDING_SINCE, None)
            # the password was checked by the first step's backend; this completes that login
            login(request, user, backend=BACKEND)
            otp_login(request, device)
            return redirect(next_url or "web:home")
        audit_record(
            request=request, action="login.otp", result=Result.FAILURE, username=user.username
        )
        form.add_error("token", _("The one-time password is wrong or has expired."))
    context = {"form": form, "setting_up": setting_up, "user_pending": user}
    if setting_up:
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        context.update(secret=secret, qr=_qr_data_uri(device), label=quote(user.username))
    return render(request, "accounts/otp.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = NewPasswordChangeForm
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user, request=self.request)
        messages.success(self.request, _("Your password was changed."))
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """Response for a locked-out username (django-axes' AXES_LOCKOUT_CALLABLE)."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
