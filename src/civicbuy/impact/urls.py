from django.urls import path

from civicbuy.impact import views

app_name = "impact"

urlpatterns = [
    path("", views.index, name="index"),
    path("dataset/<int:pk>/", views.dataset_view, name="dataset"),
    path("dataset/<int:pk>/scenario/", views.scenario_view, name="scenario"),
    path("dataset/<int:pk>/commitments/", views.commitments_view, name="commitments"),
    path("dataset/<int:pk>/commitments/<int:commitment>/deliveries/", views.delivery_view, name="delivery"),
    path("dataset/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
