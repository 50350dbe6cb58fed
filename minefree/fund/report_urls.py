"""The fund's yearly report to the Meeting of the States Parties: page, DOCX, PDF."""

from django.urls import path

from minefree.fund import report_views

app_name = "fund_report"
urlpatterns = [
    path("", report_views.index, name="index"),
    path("<int:year>/", report_views.year_page, name="year"),
    path("<int:year>.docx", report_views.year_docx_view, name="docx"),
    path("<int:year>.pdf", report_views.year_pdf_view, name="pdf"),
]
