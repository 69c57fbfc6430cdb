"""Background work a page starts waits for the page's response to finish (it would take the cores from it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.signals import request_finished, request_started

from civicbuy.dashboard import after_response

# Django's own receivers of these signals (closing old database connections) touch the database.
pytestmark = pytest.mark.django_db


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


def test_work_submitted_during_a_request_starts_when_its_response_is_finished(executor: ThreadPoolExecutor) -> None:
    ran = threading.Event()
    request_started.send(sender=None, environ={})
    try:
        after_response.submit(executor, ran.set)
        assert not ran.wait(0.3), "the work started while the page was still being rendered"
    finally:
        request_finished.send(sender=None)
    assert ran.wait(10)


def test_work_submitted_outside_a_request_starts_at_once(executor: ThreadPoolExecutor) -> None:
    ran = threading.Event()
    after_response.submit(executor, ran.set)
    assert ran.wait(10)


def test_work_left_by_a_response_that_was_never_closed_runs_at_the_next_request(
    executor: ThreadPoolExecutor,
) -> None:
    ran = threading.Event()
    request_started.send(sender=None, environ={})
    after_response.submit(executor, ran.set)
    request_started.send(sender=None, environ={})  # the same thread's next request, without request_finished
    try:
        assert ran.wait(10)
    finally:
        request_finished.send(sender=None)
