"""Turning domain errors into the one-line messages a CLI user sees (never a traceback)."""

from __future__ import annotations

import click


class UserError(click.ClickException):
    """A problem the user can fix, printed as ``Error: <message>`` with exit status 1."""
