from django.urls import path

from zizhu.vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("", views.school_vouchers, name="list"),
    path("new/", views.voucher_upload, name="upload"),
    path("<int:pk>/edit/", views.voucher_edit, name="edit"),
    path("<int:pk>/delete/", views.voucher_delete, name="delete"),
    path("files/<int:pk>/", views.voucher_file, name="file"),
]
