from django.urls import path

from minefree.reporting import views
from minefree.reporting.drafting import attachment_views, cover_views
from minefree.reporting.exchange import batch_views, document_views, xlsx_views
from minefree.reporting.publication import compliance_views, diff_views, opendata_views

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_report, name="open"),
    path("compare/", diff_views.compare, name="compare"),
    path("import/", xlsx_views.upload, name="xlsx_import"),
    path("import/batches/", batch_views.batches, name="batches"),
    path("import/batches/<int:pk>/", batch_views.batch, name="batch"),
    path("import/batches/<int:pk>/process/", batch_views.batch_process, name="batch_process"),
    path("v/<int:pk>/report.xlsx", xlsx_views.download, name="xlsx"),
    path("v/<int:pk>/report.<str:fmt>", document_views.download, name="document"),
    path("compliance/", compliance_views.dashboard, name="compliance"),
    path("compliance.csv", compliance_views.dashboard_csv, name="compliance_csv"),
    path(
        "compliance/states.csv",
        compliance_views.dashboard_states_csv,
        name="compliance_states_csv",
    ),
    path("data/", opendata_views.page, name="open_data"),
    path("data/<str:dataset>.<str:fmt>", opendata_views.download, name="open_data_download"),
    path("v/<int:pk>/", views.version_detail, name="version"),
    path("v/<int:pk>/explain/", views.warning_explain, name="explain"),
    path("v/<int:pk>/contact/", cover_views.contact, name="contact"),
    path(
        "v/<int:pk>/forms/<str:letter>/attachments/",
        attachment_views.upload,
        name="attachment_upload",
    ),
    path(
        "v/<int:pk>/attachments/<int:attachment_id>/remove/",
        attachment_views.remove,
        name="attachment_remove",
    ),
    path(
        "v/<int:pk>/attachments/<int:attachment_id>/",
        attachment_views.download,
        name="attachment",
    ),
    path("v/<int:pk>/submit/", views.submit, name="submit"),
    path("v/<int:pk>/clarifications/", views.clarification_request, name="clarify"),
    path(
        "v/<int:pk>/clarifications/<int:clarification_id>/answer/",
        views.clarification_answer,
        name="answer",
    ),
    path("v/<int:pk>/amend/", views.amend, name="amend"),
    path("v/<int:pk>/forms/<str:letter>/", views.form_detail, name="form"),
    path("v/<int:pk>/forms/<str:letter>/status/", views.form_status, name="form_status"),
    path("v/<int:pk>/forms/<str:letter>/entry/", views.form_entry, name="form_entry"),
    path(
        "v/<int:pk>/forms/C/remaining-areas/",
        views.remaining_areas_update,
        name="remaining_areas_update",
    ),
    path("v/<int:pk>/forms/<str:letter>/rows/", views.row_save, name="row_save"),
    path(
        "v/<int:pk>/forms/<str:letter>/rows/<int:row_id>/delete/",
        views.row_delete,
        name="row_delete",
    ),
]
