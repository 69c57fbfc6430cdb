"""`civicbuy api token create|list|revoke`: manage the keys of the REST API's private parts.

Registered on the main ``civicbuy`` group through :func:`register`, like every part's commands.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from civicbuy.cli import django_env
from civicbuy.cli.errors import UserError


def register(group: click.Group) -> None:
    """Add the ``api`` command group to the ``civicbuy`` CLI."""
    group.add_command(api)


@click.group()
def api() -> None:
    """Work with the REST API (its tokens)."""


@api.group()
def token() -> None:
    """Create, list and revoke API tokens."""


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UserError(f"there is no user named {username!r} (create one with `civicbuy manage createsuperuser`)")
    if not user.is_active:
        raise UserError(f"the user {username!r} is not active")
    return user


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown in `civicbuy api token list`).")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after this many days.")
def create(username: str, name: str, days: int | None) -> None:
    """Create a token for USERNAME and print it (it is shown only this once)."""
    django_env.setup()
    from django.utils import timezone

    from civicbuy.api.models import ApiToken

    expires = timezone.now() + timedelta(days=days) if days else None
    _record, secret = ApiToken.issue(_user(username), name=name, expires_at=expires)
    click.echo(secret)
    click.echo("Keep this token secret: it is not stored and cannot be shown again.", err=True)


@token.command("list")
@click.argument("username", required=False)
def list_tokens(username: str | None) -> None:
    """List tokens (of USERNAME, or of everyone): first characters, user, name, dates, state."""
    django_env.setup()
    from django.utils import timezone

    from civicbuy.api.models import ApiToken

    tokens = ApiToken.objects.select_related("user")
    if username:
        tokens = tokens.filter(user=_user(username))
    now = timezone.now()
    for item in tokens:
        if item.revoked_at:
            state = "revoked"
        elif item.expires_at and item.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        used = item.last_used_at.isoformat(timespec="seconds") if item.last_used_at else "never"
        click.echo(f"{item.prefix}\t{item.user}\t{item.name or '-'}\t{item.created_at:%Y-%m-%d}\tused {used}\t{state}")


@token.command("revoke")
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the token whose first characters are PREFIX (as `civicbuy api token list` shows them)."""
    django_env.setup()
    from django.utils import timezone

    from civicbuy.api.models import ApiToken

    matches = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    count = matches.count()
    if count == 0:
        raise UserError(f"no active token starts with {prefix!r}")
    if count > 1:
        raise UserError(f"{count} tokens start with {prefix!r}; revoke them in the admin")
    matches.update(revoked_at=timezone.now())
    click.echo(f"Revoked {prefix}.")
