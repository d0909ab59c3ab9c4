from django.urls import path

from zizhu.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.security_unlock, name="security_unlock"),
]
