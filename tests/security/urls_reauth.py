"""A sensitive page for the re-authentication tests, beside the project's own URLs."""

from datetime import timedelta

from django.http import HttpResponse
from django.urls import include, path

from fss.core.security import recent_login_required


@recent_login_required(max_age=timedelta(minutes=5))
def sensitive(request):
    return HttpResponse("the package")


urlpatterns = [
    path("sensitive/", sensitive, name="sensitive"),
    path("", include("fss.urls")),
]
