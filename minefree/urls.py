from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from minefree.accounts.signin import SignInView
from minefree.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", include("minefree.site.urls")),
    path("account/", include("minefree.accounts.urls")),
    path("reports/reminders/", include("minefree.reminders.urls")),
    path("reports/", include("minefree.reporting.urls")),
    path("knowledge/", include("minefree.knowledge.urls")),
    path("cooperation/", include("minefree.cooperation.urls")),
    path("clearance/", include("minefree.clearance.urls")),
    path("clearance/", include("minefree.clearance.exchange_urls")),
    path("fund/", include("minefree.fund.urls")),
    path("indicators/", include("minefree.indicators.urls")),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

#: an unexpected error: a page without a trace, with the request id to quote
handler500 = "minefree.core.views.server_error"
