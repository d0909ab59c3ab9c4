from django.urls import path

from zizhu.anomalies import views

TW = {"programme": "tuition_waiver"}
NG = {"programme": "national_grant"}

app_name = "anomalies"
urlpatterns = [
    path("tuition-waiver/", views.findings, TW, name="tuition_waiver"),
    path("tuition-waiver/<int:pk>/", views.finding_detail, TW, name="tuition_waiver_finding"),
    path("tuition-waiver/export.xlsx", views.export, TW, name="tuition_waiver_export"),
    path("national-grant/", views.findings, NG, name="national_grant"),
    path("national-grant/<int:pk>/", views.finding_detail, NG, name="national_grant_finding"),
    path("national-grant/export.xlsx", views.export, NG, name="national_grant_export"),
    path("findings/<int:pk>/explain/", views.explain, name="explain"),
    path("findings/<int:pk>/review/", views.review, name="review"),
    path("findings/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("explanations/<int:pk>/attachment/", views.attachment, name="attachment"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]
