from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("console/", views.dashboard, name="dashboard"),
    path("console/charts/", views.chart_page, name="charts"),
    path("console/charts/<slug:chart>.csv", views.chart_csv, name="chart_csv"),
    path("console/break-glass/", views.break_glass, name="break_glass"),
    path("console/break-glass/<int:pk>/", views.break_glass_review, name="break_glass_review"),
    path("console/access-review/", views.access_review, name="access_review"),
    path("console/access-review/<int:pk>/", views.access_review_detail, name="access_review_detail"),
    path("console/accounts/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
