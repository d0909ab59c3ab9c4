"""The 403, 404, 405 and 500 pages: Chinese, inside the page shell (the menu when logged in), with a
way back. The 500 page falls back to zizhu.ops's plain page when the shell itself cannot be
built (the database may be the reason for the error); the 503 pages are zizhu.ops's."""

import logging

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from zizhu.ops import errors as ops_errors

logger = logging.getLogger(__name__)


def _back_url(request) -> str:
    """The page the user came from, when it is this site's and not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer.endswith(request.get_full_path()):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if allowed else ""


def _page(request, status: int, title: str, text: str):
    context = {"error_title": title, "error_text": text, "back_url": _back_url(request)}
    return render(request, "error.html", context, status=status)


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("No access"),
        _(
            "Your role may not open this page or do this. If you think it should, ask your "
            "unit's administrator."
        ),
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "This page does not exist, or what it shows is not in your scope. Check the "
            "address, or go back and choose again from the menu."
        ),
    )


def method_not_allowed(request):
    """A page opened by an address that only takes a form's submission (a bookmark of a POST
    target, a reload after it)."""
    return _page(
        request,
        405,
        _("This address takes a form's submission"),
        _(
            "This address is where a form is sent; it cannot be opened by itself. Go back and "
            "use the form on the page, or choose again from the menu."
        ),
    )


def server_error(request, *args, **kwargs):
    """The 503 pages of zizhu.ops (a service away) as they are; any other error in the shell,
    or as zizhu.ops's plain page when the shell itself cannot be built."""
    plain = ops_errors.server_error(request, *args, **kwargs)
    if plain.status_code != 500:
        return plain
    try:
        return _page(request, 500, _("Server error"), str(ops_errors.SERVER_ERROR))
    except Exception:  # the shell needs the database; the plain page needs nothing
        logger.exception("the 500 page could not be rendered in the page shell")
        return plain
