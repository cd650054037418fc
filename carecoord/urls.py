"""Root URLs: the browser app, the admin, and the API under /api/."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carecoord.audit import views as audit_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", audit_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("carecoord.api.urls")),
    path("clocks/", include("carecoord.clocks.urls")),
    path("dashboard/", include("carecoord.dashboards.urls")),
    path("referrals/", include("referrals.urls")),
    path("ccs/", include("cases.ccs_urls")),
    path("ecm/", include("cases.ecm_urls")),
    path("consents/", include("consents.urls")),
    path("transitions/", include("transitions.urls")),
    path("notices/", include("notices.urls")),
    path("directory/", include("directory.urls")),
    path("", include("carecoord.audit.urls")),
    path("", include("cases.urls")),
]
