"""The fund's pages (views in ``views``, ``views_steps`` and ``views_books``)."""

from django.urls import path

from minefree.fund import views, views_books, views_steps

app_name = "fund"
urlpatterns = [
    path("", views.home, name="home"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/publish/", views.call_publish, name="call_publish"),
    path("calls/<int:pk>/close/", views.call_close, name="call_close"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views_steps.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/letters/", views.letter_add, name="letter_add"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/report/<str:role>/", views_books.visit_report, name="visit_report"),
    path(
        "applications/<int:pk>/financial-report/",
        views_books.financial_report,
        name="financial_report",
    ),
    path("applications/<int:pk>/<str:step>/", views_steps.application_step, name="step"),
    path("follow-ups/<int:pk>/", views_books.follow_up_update, name="follow_up"),
    path("review/", views_books.review, name="review"),
    path("contributions/", views_books.contributions, name="contributions"),
    path(
        "contributions/<int:pk>/receive/",
        views_books.contribution_receive,
        name="contribution_receive",
    ),
    path("ledger/", views_books.ledger, name="ledger"),
    path("hosts/", views_books.hosts, name="hosts"),
    path("hosts/<slug:slug>/", views_books.host_profile_edit, name="host_edit"),
]
