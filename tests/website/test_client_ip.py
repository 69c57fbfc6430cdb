"""The client's address behind proxies: X-Forwarded-For honoured only CIVICBUY_PROXY_COUNT hops deep."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from civicbuy.config.client_ip import client_ip

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy configured: a forged header is ignored
        (0, "203.0.113.9, 198.51.100.7", PROXY),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client wrote 1.2.3.4; our proxy appended the truth
        (2, "1.2.3.4, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "198.51.100.7", PROXY),  # fewer hops than proxies: did not come through them
        (1, "", PROXY),
        (1, "1.2.3.4, not-an-address", PROXY),
    ],
)
def test_client_ip_counts_hops_from_the_right(settings: Any, proxies: int, forwarded: str, expected: str) -> None:
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "limited"), [(0, True), (1, False)])
def test_forged_forwarded_for_does_not_escape_the_feedback_limit(
    client: Client, settings: Any, proxies: int, limited: bool
) -> None:
    from civicbuy.guide.models import GuideStepPage

    cache.clear()
    settings.PROXY_COUNT = proxies
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    statuses = [
        client.post(
            f"/en/feedback/{step.pk}/",
            {"useful": "yes"},
            HTTP_HX_REQUEST="true",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(22)
    ]
    # Without proxies every post is the same client (the connection's address), whatever the header says;
    # behind one proxy each distinct address the proxy reports is its own client.
    assert (429 in statuses) is limited
