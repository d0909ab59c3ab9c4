"""资金填报详情, 资金填报进展, 资金收支汇总 and 支付凭证查看: read-only pages over the funds ledger
and the vouchers."""

from zizhu.fundreports import details_views, progress_views, summary_views, vouchers_views

app_name = "fundreports"
urlpatterns = [
    *details_views.urlpatterns,
    *progress_views.urlpatterns,
    *summary_views.urlpatterns,
    *vouchers_views.urlpatterns,
]
