"""A cached public page that says which database rendered it, for the standby test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from minefree.core.audit import SHARED_VERSION_KEY
from minefree.core.models import ContentVersion
from minefree.core.pagecache import cached_public_page


@cached_public_page(lambda: [SHARED_VERSION_KEY])
def which_database(request: HttpRequest) -> HttpResponse:
    rows = ContentVersion.objects.filter(key=SHARED_VERSION_KEY)
    version = rows.values_list("version", flat=True).first()
    return HttpResponse(f"{rows.db}:{version}")


urlpatterns = [path("which-database/", which_database)]
