"""A URLconf whose view fails, to prove the 500 page reveals nothing."""

from django.urls import path

from fss.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def explode(request):
    raise RuntimeError("secret detail: Jane Doe born 2010-01-01")


urlpatterns = [*urlpatterns, path("explode/", explode)]
