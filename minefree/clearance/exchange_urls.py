"""The extension request template's addresses, under ``/clearance/`` (their own module
and namespace, beside the request pages of ``clearance.urls``)."""

from django.urls import URLPattern, URLResolver, path

from minefree.clearance import exchange_views

app_name = "clearance_exchange"
urlpatterns: list[URLPattern | URLResolver] = [
    path("template/", exchange_views.template_page, name="template"),
    path("template/import/", exchange_views.upload, name="upload"),
    path("template/<str:iso3>.xlsx", exchange_views.blank, name="blank"),
    path(
        "requests/<int:pk>/v<int:number>.xlsx",
        exchange_views.version_download,
        name="version",
    ),
]
