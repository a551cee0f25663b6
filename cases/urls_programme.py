"""URLs of the programme pages, included into the `cases` namespace by `cases.urls`."""

from django.urls import path

from cases import views_programme as views

CASE = "families/<int:pk>/cases/<int:case_pk>/programme/"

urlpatterns = [
    path(CASE, views.programme, name="programme"),
    path(f"{CASE}assessments/new/", views.assessment_new, name="programme_assessment_new"),
    path(
        f"{CASE}assessments/<int:assessment_pk>/edit/",
        views.assessment_edit,
        name="programme_assessment_edit",
    ),
    path(
        f"{CASE}assessments/<int:assessment_pk>/submit/",
        views.assessment_submit,
        name="programme_assessment_submit",
    ),
    path(
        f"{CASE}assessments/<int:assessment_pk>/approve/",
        views.assessment_approve,
        name="programme_assessment_approve",
    ),
    path(f"{CASE}plans/new/", views.plan_new, name="programme_plan_new"),
    path(f"{CASE}plans/<int:plan_pk>/submit/", views.plan_submit, name="programme_plan_submit"),
    path(f"{CASE}plans/<int:plan_pk>/approve/", views.plan_approve, name="programme_plan_approve"),
    path(f"{CASE}plans/<int:plan_pk>/actions/new/", views.action_new, name="programme_action_new"),
    path(f"{CASE}actions/<int:action_pk>/status/", views.action_status, name="programme_action_status"),
    path(f"{CASE}reviews/new/", views.review_new, name="programme_review_new"),
    path(f"{CASE}outcomes/new/", views.outcome_new, name="programme_outcome_new"),
    path("teams/<int:team_pk>/approvals/", views.team_approvals, name="programme_team_approvals"),
]
