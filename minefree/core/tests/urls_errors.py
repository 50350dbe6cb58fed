"""URLs that fail, to test the error pages and the error's log line."""

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the database said no: secret-internal-detail")


def database_gone(request: HttpRequest) -> HttpResponse:
    """Query, for real, a database that cannot be opened (as during a primary's restart)."""
    settings = {**connections["default"].settings_dict, "OPTIONS": {}, "TEST": {}}
    settings["NAME"] = "/nonexistent-directory/minefree.sqlite3"
    unreachable = DatabaseWrapper(settings, alias="unreachable")
    with unreachable.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("reached")


def database_not_migrated(request: HttpRequest) -> HttpResponse:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
    return HttpResponse("found")


urlpatterns = [
    path("not-migrated/", database_not_migrated),
    path("boom/", boom),
    path("database-gone/", database_gone),
    path("api/database-gone/", database_gone),
]
handler500 = "minefree.core.views.server_error"
