from django.urls import path

from zizhu.registers import views

app_name = "registers"
urlpatterns = [
    path("", views.snapshot_list, name="list"),
    path("upload/", views.snapshot_upload, name="upload"),
    path("<int:pk>/", views.snapshot_detail, name="detail"),
    path("<int:pk>/problems.csv", views.snapshot_problems, name="problems"),
]
