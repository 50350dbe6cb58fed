"""The fund's pages: the public summary, calls, applications and the ISU and committee
steps (``web_urls``), and the yearly report (``report_urls``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("minefree.fund.web_urls")),
    path("report/", include("minefree.fund.report_urls")),
]
