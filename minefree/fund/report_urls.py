"""The fund's yearly report to the Meeting of the States Parties: page, DOCX, PDF."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
