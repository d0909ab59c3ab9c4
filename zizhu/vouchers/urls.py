from django.urls import path

from zizhu.vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("", views.school_vouchers, name="list"),
    path("new/", views.voucher_upload, name="upload"),
    path("<int:pk>/edit/", views.voucher_edit, name="edit"),
    path("<int:pk>/delete/", views.voucher_delete, name="delete"),
    path("view/", views.authority_vouchers, name="view"),
    path("view/export.xlsx", views.authority_export, name="export"),
    path("files/<int:pk>/", views.voucher_file, name="file"),
]
