"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI served from
local static files). The API answers for itself (401/403 as JSON): Django's login redirect
does not apply."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zizhu.api import views_funds as funds
from zizhu.api import views_reports as reports
from zizhu.api import views_reversal as reversal
from zizhu.api import views_work as work

app_name = "api"


def api(view, **initkwargs):
    return login_not_required(view.as_view(**initkwargs))


def docs(view, **initkwargs):
    """The docs page: Swagger UI with its script as a separate file (the page's CSP allows no
    inline script), never cached like every page of a signed-in user."""
    return never_cache(api(view, **initkwargs))


urlpatterns = [
    path("schema/", api(SpectacularAPIView), name="schema"),
    path("docs/", docs(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"),
    path("v1/units/", api(funds.UnitList), name="units"),
    path("v1/units/<str:code>/", api(funds.UnitDetail), name="unit"),
    path("v1/filings/", api(funds.FilingList), name="filings"),
    path("v1/filings/<int:pk>/", api(funds.FilingDetail), name="filing"),
    path("v1/filings/<int:pk>/submit/", api(funds.FilingSubmit), name="filing_submit"),
    path("v1/filings/<int:pk>/approve/", api(funds.FilingApprove), name="filing_approve"),
    path("v1/filings/<int:pk>/return/", api(funds.FilingReturn), name="filing_return"),
    path("v1/filings/<int:pk>/allocations/", api(funds.AllocationList), name="allocations"),
    path("v1/filings/<int:pk>/receipt/", api(funds.ReceiptConfirm), name="receipt"),
    path(
        "v1/allocations/<int:pk>/reverse/",
        api(reversal.AllocationReverse),
        name="allocation_reverse",
    ),
    path("v1/receipts/<int:pk>/correct/", api(reversal.ReceiptCorrect), name="receipt_correct"),
    path(
        "v1/reversal-requests/<int:pk>/agree/", api(reversal.ReversalAgree), name="reversal_agree"
    ),
    path(
        "v1/reversal-requests/<int:pk>/decline/",
        api(reversal.ReversalDecline),
        name="reversal_decline",
    ),
    path("v1/vouchers/", api(work.VoucherList), name="vouchers"),
    path("v1/voucher-files/<int:pk>/", api(work.VoucherFileDownload), name="voucher_file"),
    path("v1/recipient-lists/", api(work.RecipientListList), name="recipient_lists"),
    path("v1/recipient-lists/<int:pk>/", api(work.RecipientListDetail), name="recipient_list"),
    path("v1/recipient-lists/<int:pk>/rows/", api(work.RecipientRows), name="recipient_rows"),
    path(
        "v1/recipient-lists/<int:pk>/submit/",
        api(work.RecipientListSubmit),
        name="recipient_list_submit",
    ),
    path(
        "v1/recipient-lists/<int:pk>/approve/",
        api(work.RecipientListApprove),
        name="recipient_list_approve",
    ),
    path(
        "v1/recipient-lists/<int:pk>/return/",
        api(work.RecipientListReturn),
        name="recipient_list_return",
    ),
    path("v1/registers/", api(work.RegisterList), name="registers"),
    path("v1/registers/<int:pk>/", api(work.RegisterDetail), name="register"),
    path("v1/runs/", api(work.RunList), name="runs"),
    path("v1/runs/<int:pk>/", api(work.RunDetail), name="run"),
    path("v1/findings/", api(work.FindingList), name="findings"),
    path("v1/findings/<int:pk>/", api(work.FindingDetail), name="finding"),
    path("v1/findings/<int:pk>/explain/", api(work.FindingExplain), name="finding_explain"),
    path("v1/findings/<int:pk>/review/", api(work.FindingReview), name="finding_review"),
    path(
        "v1/explanations/<int:pk>/attachment/",
        api(work.ExplanationAttachment),
        name="explanation_attachment",
    ),
    path("v1/reports/progress/<slug:category>/", api(reports.ProgressReport), name="progress"),
    path("v1/reports/summary/<slug:category>/", api(reports.SummaryReport), name="summary"),
    path("v1/jobs/", api(work.JobList), name="jobs"),
    path("v1/jobs/<int:pk>/", api(work.JobDetail), name="job"),
    # any other address under /api/: a 404 in the API's JSON shape, not the HTML page
    re_path(r"^.*$", api(work.NoSuchResource), name="not_found"),
]
