"""A URLconf with one page more than the project's, to prove the matrix notices it."""

from django.http import HttpResponse
from django.urls import path

from zizhu.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("forgotten/", lambda r: HttpResponse(), name="forgotten")]
