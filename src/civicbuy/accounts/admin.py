"""Organisations and memberships in the Django admin (site administrators only)."""

from django.contrib import admin

from civicbuy.accounts.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    """Members edited on their organisation's page."""

    model = Membership
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations with their members."""

    list_display = ("name", "slug", "country", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)
