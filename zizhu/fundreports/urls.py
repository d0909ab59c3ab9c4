"""资金填报详情, 资金填报进展 and 资金收支汇总: read-only pages over the funds ledger."""

from zizhu.fundreports import details_views, progress_views, summary_views

app_name = "fundreports"
urlpatterns = [
    *details_views.urlpatterns,
    *progress_views.urlpatterns,
    *summary_views.urlpatterns,
]
