"""The knowledge base's pages: /knowledge/... (the search page itself is ``knowledge.search``'s)."""

from django.urls import URLPattern, URLResolver, path

from minefree.knowledge import search_views, views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("challenges/", views.challenges, name="challenges"),
    path("challenges.csv", views.challenges_csv, name="challenges_csv"),
    path("challenges/<slug:category>/", views.challenge_passages, name="challenge_passages"),
    path("passages/<int:pk>/", views.passage_detail, name="passage"),
    path("passages/<int:pk>/labels/", views.passage_label, name="passage_label"),
    path("documents/", views.documents, name="documents"),
    path("documents/add/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/file", views.document_file, name="document_file"),
    path("practices/", views.practices, name="practices"),
    path("practices/propose/", views.practice_propose, name="practice_propose"),
    path("practices/<int:pk>/", views.practice_detail, name="practice"),
    path("practices/<int:pk>/publish/", views.practice_publish, name="practice_publish"),
    path("practices/<int:pk>/feedback/", views.practice_feedback, name="practice_feedback"),
    path("", search_views.search_page, name="search"),
]
