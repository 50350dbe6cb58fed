from django.urls import URLPattern, URLResolver, include, path

from minefree.clearance import drafting_views, table_views, views, workspace_views

#: the pages of one version: /clearance/v/<pk>/...
version_patterns: list[URLPattern | URLResolver] = [
    path("", views.version_detail, name="version"),
    path("changes/", views.version_changes, name="changes"),
    path("request.pdf", views.document, name="document"),
    path("header/", drafting_views.header_save, name="header"),
    path("document/", drafting_views.document_upload, name="document_upload"),
    path("submit/", drafting_views.submit, name="submit"),
    path("tables/<str:table>/", table_views.table_page, name="table"),
    path("tables/<str:table>/rows/", table_views.row_save, name="row_save"),
    path(
        "tables/<str:table>/rows/<int:row>/delete/",
        table_views.row_delete,
        name="row_delete",
    ),
    path("tables/<str:table>/replace/", table_views.table_replace, name="table_replace"),
]

#: the pages of one request: /clearance/<pk>/...
request_patterns: list[URLPattern | URLResolver] = [
    path("", views.request_detail, name="request"),
    path("revise/", views.revise, name="revise"),
    path("questions/<int:question>/answer/", views.answer, name="answer"),
    path("workspace/", workspace_views.workspace, name="workspace"),
    path("questions/", workspace_views.ask, name="ask"),
    path("analysis/", workspace_views.analysis_save, name="analysis_save"),
    path("analysis/publish/", workspace_views.analysis_publish, name="analysis_publish"),
    path(
        "analysis/v<int:number>/analysis.<str:fmt>",
        views.analysis_document,
        name="analysis_document",
    ),
    path("decision/", workspace_views.decide, name="decide"),
    path(
        "requirements/<int:requirement>/met/",
        workspace_views.requirement_met,
        name="requirement_met",
    ),
]

app_name = "clearance"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_request, name="open"),
    path("<int:pk>/", include(request_patterns)),
    path("v/<int:pk>/", include(version_patterns)),
]
