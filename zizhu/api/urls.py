"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI served from
local static files). The API answers for itself (401/403 as JSON): Django's login redirect
does not apply."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zizhu.api import views_funds as funds

app_name = "api"


def api(view, **initkwargs):
    return login_not_required(view.as_view(**initkwargs))


urlpatterns = [
    path("schema/", api(SpectacularAPIView), name="schema"),
    path("docs/", api(SpectacularSwaggerView, url_name="api:schema"), name="docs"),
    path("v1/units/", api(funds.UnitList), name="units"),
    path("v1/units/<str:code>/", api(funds.UnitDetail), name="unit"),
    path("v1/filings/", api(funds.FilingList), name="filings"),
    path("v1/filings/<int:pk>/", api(funds.FilingDetail), name="filing"),
    path("v1/filings/<int:pk>/submit/", api(funds.FilingSubmit), name="filing_submit"),
    path("v1/filings/<int:pk>/approve/", api(funds.FilingApprove), name="filing_approve"),
    path("v1/filings/<int:pk>/return/", api(funds.FilingReturn), name="filing_return"),
    path("v1/filings/<int:pk>/allocations/", api(funds.AllocationList), name="allocations"),
    path("v1/filings/<int:pk>/receipt/", api(funds.ReceiptConfirm), name="receipt"),
]
