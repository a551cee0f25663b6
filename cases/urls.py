from django.urls import include, path

from cases import views

app_name = "cases"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("families/", views.family_search, name="family_search"),
    path("families/new/", views.referral_new, name="referral_new"),
    path("families/break-glass/", views.break_glass, name="break_glass"),
    path("families/<int:pk>/", views.family_detail, name="family_detail"),
    path("families/<int:pk>/notes/", views.family_notes, name="family_notes"),
    path("families/<int:pk>/documents/", views.family_documents, name="family_documents"),
    path("families/<int:pk>/people/new/", views.member_add, name="member_add"),
    path("families/<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("families/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("families/<int:pk>/paper/new/", views.paper_record_add, name="paper_record_add"),
    path("families/<int:pk>/people/<int:person_pk>/", views.person_detail, name="person_detail"),
    path("families/<int:pk>/people/<int:person_pk>/change/", views.person_edit, name="person_edit"),
    path(
        "families/<int:pk>/referrals/<int:referral_pk>/decide/", views.referral_decide, name="referral_decide"
    ),
    path("families/<int:pk>/cases/<int:case_pk>/close/", views.case_close, name="case_close"),
    path("families/<int:pk>/cases/<int:case_pk>/reopen/", views.case_reopen, name="case_reopen"),
    path(
        "families/<int:pk>/cases/<int:case_pk>/closures/<int:closure_pk>/decide/",
        views.closure_decide,
        name="closure_decide",
    ),
    path("families/<int:pk>/cases/<int:case_pk>/notes/new/", views.note_add, name="note_add"),
    # The national programme's part of a case: needs, plan, reviews, outcomes (cases.urls_programme).
    path("", include("cases.urls_programme")),
    # Imports of external data and person merges (cases.urls_import).
    path("", include("cases.urls_import")),
]
