"""API tokens: a user's key for the private parts of the REST API.

Only the SHA-256 of a token is stored, so a database leak gives no working key; the token itself is shown
once, when it is created (``civicbuy api token create USER``). Tokens are 256-bit random strings, so a
plain (fast) hash is enough: there is nothing to brute-force, unlike a password.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "cb_"  # noqa: S105 - a marker, not a secret
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def hash_token(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Queries over tokens."""

    def usable(self) -> ApiTokenQuerySet:
        """Tokens not revoked, not expired, whose user is active."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """One API key of one user; the key acts with that user's access (organisations, submissions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="civicbuy_api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    prefix = models.CharField(_("first characters"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: object, name: str = "", expires_at: object = None) -> tuple[ApiToken, str]:
        """Create a token for ``user``; return the record and the secret (shown once, never stored)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        token = cls.objects.create(
            user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), expires_at=expires_at
        )
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> ApiToken | None:
        """The usable token for ``secret`` (None for an unknown, revoked or expired one)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            return None
        token = cls.objects.usable().select_related("user").filter(token_hash=hash_token(secret)).first()
        if token is not None:
            now = timezone.now()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:  # noqa: PLR2004
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
