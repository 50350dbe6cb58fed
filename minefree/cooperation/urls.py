from django.urls import path

from minefree.cooperation import views

app_name = "cooperation"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/<str:iso3>/", views.need_edit, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/confirm/", views.partnership_confirm, name="confirm"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/<str:iso3>/", views.offer_edit, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership"),
    path("partnerships/<int:pk>/pledge/", views.partnership_pledge, name="pledge"),
    path("flows/", views.flow_list, name="flows"),
    path("flows/export.<str:fmt>", views.flow_export, name="flows_export"),
    path("flows/<int:pk>/advance/", views.flow_advance, name="advance"),
    path("flows/published-totals/", views.published_totals, name="published_totals"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:step>/", views.case_step, name="case_step"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("platforms/<str:iso3>/", views.platform_edit, name="platform"),
    path("bilateral-meetings/", views.bilateral_list, name="bilateral"),
]
