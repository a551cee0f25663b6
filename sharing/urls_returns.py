"""Addresses of the participation, returns and statistics pages (SPEC §6.3, §6.4), added to `sharing.urls`
under its namespace. Ids only, never names."""

from django.urls import path

from sharing.returns import views as returns
from sharing.statistics import views as statistics

urlpatterns = [
    path("participation/", returns.participation_list, name="participation"),
    path(
        "families/<int:pk>/participation/<int:person_pk>/",
        returns.participation_person,
        name="participation_person",
    ),
    path(
        "families/<int:pk>/participation/<int:person_pk>/activity/", returns.activity_new, name="activity_new"
    ),
    path("families/<int:pk>/participation/<int:person_pk>/contact/", returns.contact_new, name="contact_new"),
    path("families/<int:pk>/participation/<int:person_pk>/offer/", returns.offer_new, name="offer_new"),
    path("participation/tasks/<int:task_pk>/done/", returns.task_done, name="participation_task_done"),
    path("returns/", returns.returns_index, name="returns"),
    path("returns/new/", returns.return_new, name="return_new"),
    path("returns/research-projects/new/", returns.research_project_new, name="research_project_new"),
    path("returns/<int:run_pk>/", returns.return_detail, name="return_detail"),
    path("returns/<int:run_pk>/download/", returns.return_download, name="return_download"),
    path("returns/<int:run_pk>/sent/", returns.transfer_sent, name="transfer_sent"),
    path("returns/<int:run_pk>/destruction/", returns.destruction_confirmed, name="destruction_confirmed"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("statistics/disclosure-control/", statistics.disclosure_policy, name="disclosure_policy"),
]
