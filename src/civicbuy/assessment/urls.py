"""URLs of the self-assessment, included under /<language>/assessment/ by the project URL map."""

from __future__ import annotations

from django.urls import path

from civicbuy.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.start, name="start"),
    path("r/<str:token>/", views.overview, name="overview"),
    path("r/<str:token>/departments/", views.add_department, name="add_department"),
    path("r/<str:token>/d/<int:department_id>/<slug:code>/", views.dimension, name="dimension"),
    path("r/<str:token>/targets/", views.targets, name="targets"),
    path("r/<str:token>/results/", views.results, name="results"),
    path("r/<str:token>/snapshot/", views.snapshot, name="snapshot"),
    path("r/<str:token>/answers.csv", views.export_csv, name="export_csv"),
    path("r/<str:token>/answers.json", views.export_json, name="export_json"),
    path("r/<str:token>/report.pdf", views.export_pdf, name="export_pdf"),
]
