from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="submissions:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("submissions/", include("pages.submission_urls")),
    path("validation/", include("pages.report_urls")),
    path("data/", include("pages.data_urls")),
    path("admin/", admin.site.urls),
    # /healthz, /readyz, /metrics, /api/…, the profile page with API tokens.
    path("", include("operations.urls")),
]
