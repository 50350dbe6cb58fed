from django.urls import path

from minefree.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("states/", views.states, name="states"),
    path("states/<str:iso3>/", views.country, name="country"),
    path("meetings/", views.meetings, name="meetings"),
    path("committees/", views.committees, name="committees"),
    path("sources/reference/<str:name>", views.reference_file, name="reference_file"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/retry/", views.follow_up_retry, name="follow_up_retry"),
    path("follow-ups/jobs/<uuid:job_id>/rerun/", views.job_rerun, name="job_rerun"),
]
