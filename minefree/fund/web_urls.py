"""The fund's pages (views in ``views``)."""

from django.urls import URLPattern

app_name = "fund"
urlpatterns: list[URLPattern] = []
