from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
]
