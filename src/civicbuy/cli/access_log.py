"""gunicorn's access log as one JSON object per line, like the app's own structured logs in production.

``civicbuy serve`` passes ``--logger-class civicbuy.cli.access_log.JsonAccessLogger`` when logs are structured
(``CIVICBUY_ENV=production`` or ``CIVICBUY_LOG_FORMAT=json``); gunicorn's own lines (start, stop, worker
errors) then use the app's JSON formatter too. An access line holds the time, method, path, status,
duration in milliseconds, bytes sent and the ``X-Request-ID`` a proxy set, if any. It never holds the query
string, and a path segment that looks like a secret (an assessment's resume token is its link: 43 URL-safe
characters) is replaced by ``:token``, so a log shipped elsewhere does not carry credentials.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

from civicbuy.config.logs import JsonFormatter, redact

REQUEST_ID_MAX = 200


class JsonAccessLogger(Logger):
    """A gunicorn logger whose access lines, and its own start, stop and error lines, are JSON objects."""

    def setup(self, cfg: Any) -> None:
        """Configure gunicorn's handlers, then give its error log the app's JSON formatter."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        """Write one JSON line for a finished request."""
        if not self.access_log_enabled:
            return
        record: dict[str, Any] = {
            "time": datetime.now(tz=UTC).isoformat(timespec="milliseconds"),
            "method": req.method,
            "path": redact(req.path or ""),
            "status": resp.status_code,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "bytes": getattr(resp, "sent", 0) or 0,
        }
        request_id = environ.get("HTTP_X_REQUEST_ID", "")
        if request_id:
            record["request_id"] = request_id[:REQUEST_ID_MAX]
        try:
            self.access_log.info("%s", json.dumps(record, ensure_ascii=False))
        except Exception:  # noqa: BLE001 - a log line must never break a response (as gunicorn's own access)
            self.exception("could not write the access log line")
