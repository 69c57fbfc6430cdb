"""Background work that a page starts begins once the page's response is finished.

Pages hand slow work to background threads: a new filter's figures (an engine run) and charts missing from the
cache (vl-convert). Started at once, that work takes the machine's cores from the page that asked for it: on
2 cores, a buyer page that renders in 0.2 s took 1.1-1.5 s while its charts were drawn beside it
(benchmarks/README.md, dashboard pages). So work submitted during a request waits in a per-thread list until
Django's ``request_finished`` signal (sent when the server closes the response, after sending it) and is
submitted then. Outside a request (commands, the ingest job, tests calling the functions directly) it is
submitted at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from django.core.signals import request_finished, request_started

_local = threading.local()


def submit(executor: Executor, function: Callable[..., object], *arguments: Any) -> None:
    """Run ``function(*arguments)`` on ``executor`` after the current response, or now outside a request."""
    waiting: list[tuple[Executor, Callable[..., object], tuple[Any, ...]]] | None = getattr(_local, "waiting", None)
    if waiting is None:
        executor.submit(function, *arguments)
    else:
        waiting.append((executor, function, arguments))


def _release() -> None:
    waiting = getattr(_local, "waiting", None)
    _local.waiting = None
    for executor, function, arguments in waiting or []:
        executor.submit(function, *arguments)


def _request_started(**_kwargs: Any) -> None:
    _release()  # anything a previous request of this thread left (its response was never closed) runs now
    _local.waiting = []


def _request_finished(**_kwargs: Any) -> None:
    _release()


request_started.connect(_request_started, dispatch_uid="civicbuy.dashboard.after_response.started")
request_finished.connect(_request_finished, dispatch_uid="civicbuy.dashboard.after_response.finished")
