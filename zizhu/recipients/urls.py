from django.urls import path

from zizhu.recipients import views

app_name = "recipients"
urlpatterns = [
    path("", views.recipient_lists, name="list"),
    path("upload/", views.recipient_list_upload, name="upload"),
    path("template.xlsx", views.recipient_template, name="template"),
    path("import/<int:job_id>/errors.csv", views.recipient_import_report, name="import_report"),
    path(
        "import/<int:job_id>/warnings.csv",
        views.recipient_import_report,
        {"part": "warnings"},
        name="import_warnings",
    ),
    path("<int:pk>/", views.recipient_list_detail, name="detail"),
    path("<int:pk>/export.xlsx", views.recipient_list_export, name="export"),
    path("<int:pk>/<str:action>/", views.recipient_list_action, name="action"),
    path("<int:pk>/rows/add/", views.recipient_row_edit, name="row_add"),
    path("<int:pk>/rows/<int:row_pk>/", views.recipient_row_edit, name="row_edit"),
    path("<int:pk>/rows/<int:row_pk>/delete/", views.recipient_row_delete, name="row_delete"),
]
