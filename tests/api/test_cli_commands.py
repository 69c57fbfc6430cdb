"""`civicbuy api token create|list|revoke` in-process (click's runner) against the test database."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from civicbuy.api.models import ApiToken
from civicbuy.cli.main import cli

pytestmark = pytest.mark.django_db


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_create_list_and_revoke(ana: Any) -> None:
    created = invoke("api", "token", "create", "ana", "--name", "reports", "--days", "30")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("cb_")
    record = ApiToken.authenticate(secret)
    assert record is not None
    assert record.user == ana
    assert record.expires_at is not None
    listed = invoke("api", "token", "list", "ana")
    assert record.prefix in listed.stdout
    assert "reports" in listed.stdout
    assert "active" in listed.stdout
    assert secret not in listed.stdout
    revoked = invoke("api", "token", "revoke", record.prefix)
    assert revoked.exit_code == 0
    assert ApiToken.authenticate(secret) is None
    assert "revoked" in invoke("api", "token", "list").stdout


def test_unknown_user_and_prefix_are_one_line_errors() -> None:
    result = CliRunner().invoke(cli, ["api", "token", "create", "nobody"])
    assert result.exit_code == 1
    assert "there is no user named 'nobody'" in result.output
    result = CliRunner().invoke(cli, ["api", "token", "revoke", "cb_nothing"])
    assert result.exit_code == 1
    assert "no active token" in result.output
