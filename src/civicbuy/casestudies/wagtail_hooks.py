"""Wagtail discovers hooks here; the admin additions live in ``casestudies/admin/``."""

from __future__ import annotations

from wagtail import hooks

from civicbuy.casestudies.admin.wagtail_hooks import case_submission_viewset


@hooks.register("register_admin_viewset")
def register_case_submissions() -> object:
    """The read-only list of case submissions."""
    return case_submission_viewset
