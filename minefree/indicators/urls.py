"""The indicators of the action plans and the committee's documents."""

from django.urls import path

from minefree.indicators import document_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.home, name="home"),
    path("documents/", views.document_list, name="documents"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/redraft/", views.document_redraft, name="document_redraft"),
    path("documents/<int:pk>/publish/", views.document_publish, name="document_publish"),
    path("documents/<int:pk>/new-version/", views.document_reopen, name="document_reopen"),
    path(
        "documents/<int:pk>/v<int:number>.<str:fmt>",
        document_views.download,
        name="document_file",
    ),
    path("<slug:code>.csv", views.indicator_csv, name="indicator_csv"),
    path("<slug:code>/", views.indicator_detail, name="indicator"),
]
