"""Importing external data (SPEC §4.5) and merging person records: ids in URLs, never names."""

from django.urls import path

from cases import views_import

urlpatterns = [
    path("imports/", views_import.import_start, name="import_start"),
    path("imports/<int:import_pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:import_pk>/progress/", views_import.import_progress, name="import_progress"),
    path("imports/<int:import_pk>/commit/", views_import.import_commit, name="import_commit"),
    path("imports/<int:import_pk>/cancel/", views_import.import_cancel, name="import_cancel"),
    path("families/<int:pk>/people/<int:person_pk>/merge/", views_import.person_merge, name="person_merge"),
]
