from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("paper-destruction/", views.paper_tasks, name="paper_tasks"),
    path("paper-destruction/<int:pk>/confirm/", views.confirm_paper, name="confirm_paper"),
]
