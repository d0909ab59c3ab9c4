from django.urls import path

from zizhu.web import help_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.security_unlock, name="security_unlock"),
    path("help/", help_views.help_index, name="help"),
    path("help/manual.pdf", help_views.help_pdf, name="help_pdf"),
    path("help/img/<str:name>", help_views.help_image, name="help_image"),
    path("help/<slug:slug>/", help_views.help_chapter, name="help_chapter"),
]
