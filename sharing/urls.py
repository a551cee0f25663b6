from django.urls import path

from sharing import views
from sharing.urls_returns import urlpatterns as returns_urlpatterns

app_name = "sharing"

urlpatterns = [
    path("families/<int:pk>/sharing/", views.sharing_history, name="history"),
    path("families/<int:pk>/sharing/new/", views.disclosure_new, name="disclosure_new"),
    path("families/<int:pk>/sharing/<int:disclosure_pk>/", views.disclosure_detail, name="disclosure_detail"),
    path(
        "families/<int:pk>/sharing/decisions/<uuid:decision_id>/referral/",
        views.referral_new,
        name="referral_new",
    ),
    path(
        "families/<int:pk>/sharing/decisions/<uuid:decision_id>/document/",
        views.transfer_document,
        name="transfer_document",
    ),
    path(
        "families/<int:pk>/sharing/referrals/<int:referral_pk>/",
        views.referral_update,
        name="referral_update",
    ),
    path("families/<int:pk>/sharing/tasks/<int:task_pk>/", views.recipient_told, name="recipient_told"),
    path("sharing/approvals/", views.approval_queue, name="approval_queue"),
    path("sharing/approvals/<uuid:decision_id>/", views.approval_decide, name="approval_decide"),
    path("sharing/dpo-review/", views.dpo_review_queue, name="dpo_review_queue"),
    path("sharing/dpo-review/<uuid:decision_id>/", views.dpo_review, name="dpo_review"),
]

# Participation of young people, statutory and research returns, statistics (SPEC §6.3, §6.4).
urlpatterns += returns_urlpatterns
