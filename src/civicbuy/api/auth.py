"""Token authentication for the private parts of the API (``Authorization: Bearer cb_...``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from civicbuy.api.models import ApiToken


class TokenAuth(HttpBearer):
    """Accept a usable :class:`ApiToken`; the request then acts as the token's user."""

    openapi_description = "An API token made with `civicbuy api token create USER`, sent as a Bearer token."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the token's user (truthy) or None (401)."""
        found = ApiToken.authenticate(token.strip())
        if found is None:
            return None
        request.user = found.user
        return found.user


token_auth = TokenAuth()
