from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from fss import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-factor authentication, confirming it's you, keeping a session alive (SPEC §9).
    path("", include("fss.core.security.urls")),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("consent.urls")),
    path("", include("sharing.urls")),
    path("", include("sar.urls")),
    path("", include("retention.urls")),
    path("", include("console.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
