"""URLs of the performance dashboard, included under /<language>/dashboard/ by the project URL map."""

from __future__ import annotations

from django.urls import path

from civicbuy.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/upload/", views.upload, name="upload_version"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/buyers/", views.buyers, name="buyers"),
    path("<int:pk>/buyers/<path:buyer_id>/", views.buyer, name="buyer"),
    path("<int:pk>/red-flags/", views.flagged, name="flagged"),
    path("<int:pk>/processes/<path:ocid>/", views.process, name="process"),
    path("<int:pk>/export/<slug:table>.<str:fmt>", views.export_table, name="export_table"),
    path("<int:pk>/report.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/tables/<slug:table>.parquet", views.export_parquet, name="export_parquet"),
]
