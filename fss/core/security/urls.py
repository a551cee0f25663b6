from django.urls import path

from fss.core.security import views

app_name = "security"

urlpatterns = [
    path("sign-in/two-factor/", views.mfa_verify, name="mfa_verify"),
    path("sign-in/again/", views.reauthenticate, name="reauthenticate"),
    path("account/two-factor/", views.mfa_manage, name="mfa_manage"),
    path("account/two-factor/set-up/", views.mfa_enrol, name="mfa_enrol"),
    path("account/two-factor/recovery-codes/", views.mfa_new_recovery_codes, name="mfa_recovery_codes"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("data-protection/sensitive-fields/", views.sensitive_fields_register, name="sensitive_fields"),
]
