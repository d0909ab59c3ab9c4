from django.urls import path

from zizhu.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("local/", views.local_projects, name="local_projects"),
    path("local/<int:pk>/", views.local_project_edit, name="local_project_edit"),
    path("local/<int:pk>/retire/", views.local_project_retire, name="local_project_retire"),
    path("local/<int:pk>/restore/", views.local_project_restore, name="local_project_restore"),
]
