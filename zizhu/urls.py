from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from zizhu.api import errors as api_errors
from zizhu.web import errors as web_errors

urlpatterns = [
    path("", include("zizhu.ops.urls")),
    path("", include("zizhu.web.urls")),
    path("accounts/", include("zizhu.accounts.urls")),
    path("audit/", include("zizhu.audit.urls")),
    path("jobs/", include("zizhu.jobs.urls")),
    path("anomalies/", include("zizhu.anomalies.urls")),
    path("recipients/", include("zizhu.recipients.urls")),
    path("registers/", include("zizhu.registers.urls")),
    path("funds/reports/", include("zizhu.fundreports.urls")),
    path("funds/vouchers/", include("zizhu.vouchers.urls")),
    path("funds/catalogue/", include("zizhu.catalogue.urls")),
    path("funds/", include("zizhu.funds.urls")),
    path("api/", include("zizhu.api.urls")),
    path("account/", include("zizhu.api.pages")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler403 = "zizhu.web.errors.permission_denied"


def page_not_found(request, exception=None):
    """An address under /api/ is answered by the API's catch-all route (JSON); a 404 raised
    around a view there (a plain Django view, a middleware) gets the same JSON, not the page."""
    if request.path_info.startswith("/api/"):
        return api_errors.not_found(request, exception)
    return web_errors.page_not_found(request, exception)


handler404 = page_not_found


def server_error(request, *args, **kwargs):
    """The REST API answers an error in its JSON error shape (docs/api.md), the rest with a
    page."""
    if request.path_info.startswith("/api/"):
        return api_errors.server_error(request, *args, **kwargs)
    return web_errors.server_error(request, *args, **kwargs)


handler500 = server_error
