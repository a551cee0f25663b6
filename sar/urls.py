from django.urls import path

from sar import views

app_name = "sar"

urlpatterns = [
    path("subject-access/", views.request_list, name="request_list"),
    path("subject-access/<int:pk>/", views.request_detail, name="request_detail"),
    path("subject-access/<int:pk>/compile/", views.compile_request, name="compile"),
    path("subject-access/<int:pk>/review/", views.review, name="review"),
    path("subject-access/<int:pk>/review/all-naming/", views.bulk_decision, name="bulk_decision"),
    path("subject-access/<int:pk>/review/<int:item_pk>/", views.review_item, name="review_item"),
    path(
        "subject-access/<int:pk>/review/<int:item_pk>/withhold/",
        views.manual_redaction,
        name="manual_redaction",
    ),
    path("subject-access/<int:pk>/redaction-log/", views.redaction_log, name="redaction_log"),
    path("subject-access/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("subject-access/<int:pk>/searches/new/", views.search_task_new, name="search_task_new"),
    path(
        "subject-access/<int:pk>/searches/<int:task_pk>/", views.search_task_update, name="search_task_update"
    ),
    path("subject-access/<int:pk>/duplicate/", views.link_duplicate, name="link_duplicate"),
    path("subject-access/<int:pk>/extension/", views.extension, name="extension"),
    path("subject-access/<int:pk>/pause/", views.pause, name="pause"),
    path("subject-access/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("subject-access/<int:pk>/refusal-letter/", views.refusal_letter, name="refusal_letter"),
    path("rights-requests/<int:pk>/decision-letter/", views.rights_letter, name="rights_letter"),
    path("complaints/<int:pk>/outcome-letter/", views.complaint_letter, name="complaint_letter"),
    path("families/<int:pk>/complaints/new/", views.complaint_new, name="complaint_new"),
    # Public (no sign-in): the form for anyone to complain about how we handled their data.
    path("complaints/new/", views.complaint_public, name="complaint_public"),
    path("complaints/received/", views.complaint_received, name="complaint_received"),
    path("subject-access/<int:pk>/packages/new/", views.package_new, name="package_new"),
    path("subject-access/<int:pk>/packages/<int:package_pk>/", views.package_made, name="package_made"),
    path(
        "subject-access/<int:pk>/packages/<int:package_pk>/pdf/",
        views.package_download,
        {"which": "pdf"},
        name="package_pdf",
    ),
    path(
        "subject-access/<int:pk>/packages/<int:package_pk>/zip/",
        views.package_download,
        {"which": "zip"},
        name="package_zip",
    ),
]
