"""资助资金填报 under funds/filing/, funds/filings/ and funds/deadlines/ (the vouchers and
reports apps own funds/vouchers/ and funds/reports/)."""

from django.urls import path

from zizhu.funds import views

app_name = "funds"
urlpatterns = [
    # one name per category for the menu and breadcrumbs; `filing_list` takes the category
    *(
        path(
            f"filing/{category}/",
            views.filing_list,
            {"category": category},
            name=f"filing_{category}",
        )
        for category in ("national", "local", "school", "social")
    ),
    path("filing/<slug:category>/", views.filing_list, name="filing_list"),
    path("filing/<slug:category>/new/", views.filing_create, name="filing_create"),
    path("filings/<int:pk>/", views.filing_edit, name="filing_edit"),
    path(
        "filings/<int:pk>/submit/", views.filing_action, {"action": "submit"}, name="filing_submit"
    ),
    path(
        "filings/<int:pk>/approve/",
        views.filing_action,
        {"action": "approve"},
        name="filing_approve",
    ),
    path(
        "filings/<int:pk>/return/", views.filing_action, {"action": "return"}, name="filing_return"
    ),
    path("filings/<int:pk>/document/", views.filing_document, name="filing_document"),
    path("filings/<int:pk>/allocations/", views.allocations, name="allocations"),
    path("filings/<int:pk>/receipt/", views.receipt_confirm, name="receipt_confirm"),
    path(
        "allocations/<int:pk>/reverse/",
        views.allocation_reverse,
        name="allocation_reverse",
    ),
    path("reversals/<int:pk>/agree/", views.reversal_agree, name="reversal_agree"),
    path("reversals/<int:pk>/decline/", views.reversal_decline, name="reversal_decline"),
    path("receipts/<int:pk>/correct/", views.receipt_correct, name="receipt_correct"),
    path("filings/<int:pk>/unlock/", views.filing_unlock, name="filing_unlock"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline_detail"),
]
