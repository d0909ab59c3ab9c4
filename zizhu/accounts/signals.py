"""Login events go to the audit trail."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zizhu.audit.models import Result
from zizhu.audit.services import audit_record

SESSION_LOGIN_AT = "zizhu_login_at"
SESSION_LAST_SEEN = "zizhu_last_seen"


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now
    audit_record(actor=user, request=request, action="login")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, request=request, action="logout")


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        request=request,
        action="login",
        result=Result.FAILURE,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        request=request,
        action="login.lockout",
        result=Result.DENIED,
        username=str(username or "")[:150],
    )
