"""Login throttling (django-axes): repeated wrong passwords lock that user name from that address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-correct-password"
LIMITS = {
    "AXES_FAILURE_LIMIT": 5,
    "AXES_COOLOFF_TIME": timedelta(minutes=15),
    "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
    "AXES_RESET_ON_SUCCESS": True,
}


@pytest.fixture
def editor(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("editor", "e@example.org", PASSWORD)


@pytest.mark.parametrize("login_url", ["/admin/login/", "/django-admin/login/"])
@override_settings(**LIMITS)
def test_five_wrong_passwords_lock_the_account_from_that_address(editor: Any, login_url: str) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(login_url, {"username": "editor", "password": f"wrong-{i}"}).status_code for i in range(5)]
    assert all(status == 200 for status in statuses[:4])  # the form again, with an error
    locked = client.post(login_url, {"username": "editor", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(**LIMITS)
def test_the_lock_does_not_stop_the_same_user_from_another_address(editor: Any) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(6):
        attacker.post("/admin/login/", {"username": "editor", "password": f"wrong-{i}"})
    owner = Client(REMOTE_ADDR="198.51.100.20")
    response = owner.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(editor.pk)


@override_settings(**LIMITS)
def test_a_successful_login_resets_the_count(editor: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(4):
        client.post("/admin/login/", {"username": "editor", "password": f"wrong-{i}"})
    assert client.post("/admin/login/", {"username": "editor", "password": PASSWORD}).status_code == 302
    client.logout()
    for i in range(4):
        assert client.post("/admin/login/", {"username": "editor", "password": f"again-{i}"}).status_code == 200


def test_submission_form_is_rate_limited(client: Client) -> None:
    from tests.casestudies.factories import submission_data

    statuses = [
        client.post("/en/case-studies/submit/", submission_data(title=f"Case number {i} about meals")).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
