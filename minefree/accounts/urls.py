from django.urls import path

from minefree.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
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
