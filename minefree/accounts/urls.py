from django.urls import path

from minefree.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("tokens/", views.api_token_create, name="api_token_create"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path(
        "states/<str:iso3>/delegate/",
        views.focal_point_step,
        {"step": "delegate"},
        name="delegate",
    ),
    path(
        "states/<str:iso3>/hand-over/",
        views.focal_point_step,
        {"step": "hand_over"},
        name="hand_over",
    ),
]
