"""Structured (JSON) log lines for production, one object per line, for log shippers."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

#: A path segment this long made of URL-safe characters is a secret (an assessment's resume token is its link:
#: 43 characters; case status links), never a word: logs shipped elsewhere must not carry it.
SECRET_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=/|$|\.|\s|\?)")


def redact(text: str) -> str:
    """Return ``text`` with token-like path segments replaced by ``:token``."""
    return SECRET_SEGMENT.sub(":token", text)


class RedactSecrets(logging.Filter):
    """Replace token-like path segments in a record's message (Django logs "Not Found: <path>" for every 404)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message when it holds a secret; never drop the record."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class JsonFormatter(logging.Formatter):
    """Format a log record as one JSON object with time, level, logger, message and exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)
