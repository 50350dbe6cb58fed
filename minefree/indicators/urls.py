"""The indicators' pages: here only the committee's documents as files."""

from django.urls import path

from minefree.indicators import document_views

app_name = "indicators"
urlpatterns = [
    path(
        "documents/<int:pk>/v<int:number>.<str:fmt>",
        document_views.download,
        name="document_file",
    ),
]
