"""How the engine's commands end: one plain line for a known failure, and clean-up on SIGTERM as on Ctrl-C.

Every analytics and impact command is wrapped by :func:`friendly`. An :class:`AnalyticsError` prints its one-line
message and exits 1; a closed pipe (``civicbuy indicators ... | head``) exits 0; the few operating-system errors
that reach this far print their type and message on one line. SIGTERM (what ``kill``, systemd and container
runtimes send) becomes a normal exit with status 143 while a command runs, so its ``with`` blocks run: without
this the process ended at once and left its scratch folders (:mod:`civicbuy.analytics.scratch`), gigabytes after a
large compile, in the temporary directory.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from civicbuy.analytics.ocds.exceptions import AnalyticsError

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def friendly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a click command's function: plain one-line errors, and SIGTERM ends it like Ctrl-C."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        main = threading.current_thread() is threading.main_thread()  # only the main thread may set handlers
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if main else None
        try:
            return function(*args, **kwargs)
        except AnalyticsError as error:
            click.echo(f"Error: {error.user_message()}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            sys.exit(0)
        except (OSError, MemoryError, RecursionError, ValueError) as error:
            click.echo(f"Error: {type(error).__name__}: {' '.join(str(error).split())[:300]}", err=True)
            sys.exit(1)
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)

    return wrapper
