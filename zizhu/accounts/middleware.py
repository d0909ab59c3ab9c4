"""Session rules: idle and absolute timeouts, second factor for admins, forced password change."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from zizhu.access import is_admin
from zizhu.accounts.signals import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from zizhu.audit.services import audit_record

# Paths a user with a pending password change may still open.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/accounts/")


def _to_login(request, message: str):
    logout(request)
    messages.warning(request, message)
    url = f"{reverse('accounts:login')}?next={request.path}"
    if request.headers.get("HX-Request"):
        response = redirect(url)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _evaluated(user):
    """The user behind `request.user`'s lazy wrappers (Django's, and django-otp's around it),
    loaded: every later attribute read of a wrapped user passes through two proxies, some
    hundreds a page (menu, access checks, templates)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # each request reads its user here anyway: the rest of it reads the loaded object
        request.user = user = _evaluated(request.user)
        if user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(SESSION_LOGIN_AT, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            if now - last_seen > settings.ZIZHU_IDLE_TIMEOUT.total_seconds():
                audit_record(request=request, action="session.idle_timeout")
                return _to_login(
                    request, _("You were inactive for too long. Please sign in again.")
                )
            if now - login_at > settings.ZIZHU_ABSOLUTE_TIMEOUT.total_seconds():
                audit_record(request=request, action="session.absolute_timeout")
                return _to_login(
                    request, _("Your session reached its maximum length. Please sign in again.")
                )
            if is_admin(user) and not user.is_verified():
                return _to_login(
                    request, _("Administrators must pass the one-time password check.")
                )
            # a session is written (table and cache) once in a thirtieth of the idle timeout
            # at most (a minute of 30): the timeout may fall that much early, no more
            if now - last_seen > settings.ZIZHU_IDLE_TIMEOUT.total_seconds() / 30:
                session[SESSION_LAST_SEEN] = now
            if user.must_change_password and not request.path.startswith(_OPEN_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
