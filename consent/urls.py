from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("families/<int:pk>/consent/", views.family_consent, name="family_consent"),
    path("families/<int:pk>/consent/new/", views.record_decision, name="record_decision"),
    path("families/<int:pk>/consent/visit/", views.record_visit, name="record_visit"),
    path(
        "families/<int:pk>/people/<int:person_pk>/education-opt-out/",
        views.education_opt_out,
        name="education_opt_out",
    ),
]
