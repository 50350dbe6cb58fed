"""The knowledge base's pages: /knowledge/..."""

from django.urls import URLPattern, URLResolver, path

from minefree.knowledge import search_views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", search_views.search_page, name="search"),
]
