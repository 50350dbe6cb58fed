from django.urls import URLPattern, URLResolver, include, path

from minefree.reporting import views
from minefree.reporting.drafting import attachment_views, cover_views
from minefree.reporting.exchange import batch_views, document_views, xlsx_views
from minefree.reporting.publication import compliance_views, diff_views, opendata_views

#: the pages of one form of a version: /reports/v/<pk>/forms/<letter>/...
form_patterns: list[URLPattern | URLResolver] = [
    path("", views.form_detail, name="form"),
    path("status/", views.form_status, name="form_status"),
    path("entry/", views.form_entry, name="form_entry"),
    path("attachments/", attachment_views.upload, name="attachment_upload"),
    path("rows/", views.row_save, name="row_save"),
    path("rows/<int:row_id>/delete/", views.row_delete, name="row_delete"),
]

#: the pages of one version: /reports/v/<pk>/...
version_patterns: list[URLPattern | URLResolver] = [
    path("", views.version_detail, name="version"),
    path("report.xlsx", xlsx_views.download, name="xlsx"),
    path("report.<str:fmt>", document_views.download, name="document"),
    path("explain/", views.warning_explain, name="explain"),
    path("contact/", cover_views.contact, name="contact"),
    path(
        "attachments/<int:attachment_id>/remove/",
        attachment_views.remove,
        name="attachment_remove",
    ),
    path("attachments/<int:attachment_id>/", attachment_views.download, name="attachment"),
    path("submit/", views.submit, name="submit"),
    path("clarifications/", views.clarification_request, name="clarify"),
    path(
        "clarifications/<int:clarification_id>/answer/",
        views.clarification_answer,
        name="answer",
    ),
    path("amend/", views.amend, name="amend"),
    path(
        "forms/C/remaining-areas/",
        views.remaining_areas_update,
        name="remaining_areas_update",
    ),
    path("forms/<str:letter>/", include(form_patterns)),
]

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_report, name="open"),
    path("compare/", diff_views.compare, name="compare"),
    path("import/", xlsx_views.upload, name="xlsx_import"),
    path("import/batches/", batch_views.batches, name="batches"),
    path("import/batches/<int:pk>/", batch_views.batch, name="batch"),
    path("import/batches/<int:pk>/process/", batch_views.batch_process, name="batch_process"),
    path("compliance/", compliance_views.dashboard, name="compliance"),
    path("compliance.csv", compliance_views.dashboard_csv, name="compliance_csv"),
    path(
        "compliance/states.csv",
        compliance_views.dashboard_states_csv,
        name="compliance_states_csv",
    ),
    path("data/", opendata_views.page, name="open_data"),
    path("data/<str:dataset>.<str:fmt>", opendata_views.download, name="open_data_download"),
    path("v/<int:pk>/", include(version_patterns)),
]
