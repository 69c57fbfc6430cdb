"""Who may see what: the one place that decides access to an organisation's private things."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from civicbuy.accounts.models import Membership, Organisation


def organisations_of(user: Any) -> QuerySet[Organisation]:
    """Organisations whose private things ``user`` may see (all of them for superusers, none when anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user).distinct()


def is_member(user: Any, organisation: Organisation | None) -> bool:
    """True when ``user`` may see ``organisation``'s private things."""
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user, organisation=organisation).exists()


def is_admin(user: Any, organisation: Organisation) -> bool:
    """True when ``user`` may manage ``organisation`` (invite members, delete datasets)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        bool(user.is_superuser)
        or Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.ADMIN).exists()
    )


def demo_organisation() -> Organisation:
    """The demo city, whose data is public so a newcomer sees a full dashboard at once."""
    organisation, _ = Organisation.objects.get_or_create(
        slug="demo-city", defaults={"name": "Demo City", "country": ""}
    )
    return organisation
