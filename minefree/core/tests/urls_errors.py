"""A URL that fails, to test the error page and the error's log line."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the database said no: secret-internal-detail")


urlpatterns = [path("boom/", boom)]
handler500 = "minefree.core.views.server_error"
