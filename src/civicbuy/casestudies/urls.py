"""Routes of the case-study library that are not CMS pages (mounted at /<lang>/case-studies/).

The list (/case-studies/) and each case (/case-studies/<slug>/) are Wagtail pages; unmatched paths here
fall through to Wagtail. These slugs are therefore reserved: submit, submissions, api, map.
"""

from __future__ import annotations

from django.urls import path

from civicbuy.casestudies import views

app_name = "casestudies"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submissions/", views.my_submissions, name="my-submissions"),
    path("submissions/<str:token>/", views.submission_status, name="submission-status"),
]
