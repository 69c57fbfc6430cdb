"""Wagtail admin: a read-only list of case submissions for editors.

Moderation itself is Wagtail's: each submission is a draft page in the "Moderators approval" workflow,
so editors review, edit, request changes or approve (publish) from the page editor, and every step is
kept in the page's revisions and history (who changed what, and when).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from civicbuy.casestudies.models import CaseSubmission


class SubmissionPermissionPolicy(ModelPermissionPolicy):
    """Submissions come only from the public form: nobody adds or edits them in the admin."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        """Allow viewing (and deleting) to those with the model permission, never adding or editing."""
        if action in {"add", "change"}:
            return False
        return bool(super().user_has_permission(user, action))


class CaseSubmissionViewSet(ModelViewSet):
    """Case submissions: title, where it stands, when and from whom, with a link to the draft page."""

    model = CaseSubmission
    icon = "doc-full-inverse"
    menu_label = _("Case submissions")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ("title", "get_status_display", "created_at", "submitter_name", "user")
    list_filter = ("language",)
    search_fields = ("title", "submitter_name")
    form_fields = ("submitter_name",)
    inspect_view_fields = ("title", "page", "submitter_name", "submitter_email", "user", "language", "created_at")


register_permission_policy(CaseSubmission, SubmissionPermissionPolicy(CaseSubmission))
case_submission_viewset = CaseSubmissionViewSet("case_submissions")
