"""The production profile (CIVICBUY_ENV=production) as an operator runs it, on PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.config.conftest import CIVICBUY, production_env

HTTPS = {"X-Forwarded-Proto": "https"}


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CIVICBUY, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ARG002 - never follow
        return None


def fetch(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310 - loopback http only
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_check_deploy_reports_nothing(tmp_path: Path) -> None:
    result = run("manage", "check", "--deploy", "--fail-level", "DEBUG", env=production_env(tmp_path, "civicbuy"))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_settings_of_the_profile(tmp_path: Path) -> None:
    env = production_env(tmp_path, "civicbuy")
    env.update(CIVICBUY_MEDIA_DIR=str(tmp_path / "m"), CIVICBUY_DATASETS_DIR=str(tmp_path / "d"))
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT,"
        "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], 'engine': s.DATABASES['default']['ENGINE'],"
        "'media': str(s.MEDIA_ROOT), 'datasets': str(s.DATASETS_ROOT), 'csp': s.CONTENT_SECURITY_POLICY,"
        "'middleware': s.MIDDLEWARE, 'log': s.LOGGING['handlers']['console']['formatter'],"
        "'axes': [s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds()]}, default=str))"
    )
    result = run("manage", "shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["debug"] is False
    assert found["hsts"] >= 31_536_000
    assert found["ssl"] is True
    assert found["cookies"] == [True, True]
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["media"] == str(tmp_path / "m")
    assert found["datasets"] == str(tmp_path / "d")
    assert found["csp"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert "civicbuy.config.production.AdminAwareCSPMiddleware" in found["middleware"]
    assert found["middleware"][-1] == "axes.middleware.AxesMiddleware"
    assert found["log"] == "json"
    assert found["axes"] == [5, 900.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set in production"),
        ({"DATABASE_URL": ""}, "production needs PostgreSQL"),
    ],
)
def test_refuses_to_start_without_a_secret_or_postgresql(tmp_path: Path, change: dict[str, str], message: str) -> None:
    env = {**production_env(tmp_path, "civicbuy"), **change}
    result = run("manage", "check", env=env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_http_is_redirected_to_https(production_site: dict[str, str]) -> None:
    status, headers, _ = fetch(f"{production_site['base']}/en/")
    assert status == 301
    assert headers["Location"].startswith("https://")


@pytest.mark.parametrize("path", ["/en/", "/en/guide/", "/en/case-studies/?q=school", "/api/v1/guide/sections/"])
def test_pages_carry_hsts_csp_and_no_debug(production_site: dict[str, str], path: str) -> None:
    status, headers, body = fetch(production_site["base"] + path, HTTPS)
    assert status == 200, body[:500]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]  # directive order in the header is not fixed
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_public_pages_load_scripts_only_from_the_app(production_site: dict[str, str]) -> None:
    _, _, body = fetch(production_site["base"] + "/en/", HTTPS)
    html = body.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def test_editor_pages_get_their_own_allowances(production_site: dict[str, str]) -> None:
    status, headers, _ = fetch(production_site["base"] + "/admin/login/", HTTPS)
    assert status == 200
    assert "script-src 'self' 'unsafe-inline'" in headers["Content-Security-Policy"]


def test_missing_page_is_a_friendly_404_without_debug_details(production_site: dict[str, str]) -> None:
    status, _, body = fetch(production_site["base"] + "/en/no-such-page-anywhere/", HTTPS)
    assert status == 404
    assert b"Traceback" not in body
    assert b"DEBUG = True" not in body


def test_a_form_sent_without_its_cookie_gets_the_sites_own_page_in_its_language(
    production_site: dict[str, str],
) -> None:
    """CSRF_FAILURE_VIEW: the site's 403 page in Spanish, not Django's bare page in English."""
    status, _, body = fetch(production_site["base"] + "/es/case-studies/submit/", HTTPS, data=b"title=Buses")
    assert status == 403
    assert b'<html lang="es"' in body
    assert b'class="govuk-skip-link"' in body
    assert "Ir a la página de inicio".encode() in body
    assert b"CSRF" not in body
    assert b"Traceback" not in body


def test_logs_are_json_lines(production_site: dict[str, str]) -> None:
    fetch(production_site["base"] + "/api/v1/no-such-thing/", HTTPS)
    lines = [line for line in Path(production_site["log"]).read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any({"time", "level", "logger", "message"} <= set(record) for record in records)


def test_access_log_lines_are_json_without_query_strings_or_tokens(production_site: dict[str, str]) -> None:
    resume_token = "Zq3" * 14 + "x"  # 43 URL-safe characters, like an assessment's resume link
    fetch(f"{production_site['base']}/en/assessment/r/{resume_token}/", HTTPS)
    fetch(
        production_site["base"] + "/en/case-studies/?q=transport&token=hunter2-secret",
        {**HTTPS, "X-Request-ID": "req-abc-123"},
    )
    log = Path(production_site["log"])
    deadline = time.monotonic() + 30  # gunicorn writes the line just after the response; not a timing check
    while "req-abc-123" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    access = [json.loads(line) for line in text.splitlines() if line.startswith("{") and '"method"' in line]
    [record] = [r for r in access if r.get("request_id") == "req-abc-123"]
    assert set(record) == {"time", "method", "path", "status", "duration_ms", "bytes", "request_id"}
    assert (record["method"], record["path"], record["status"]) == ("GET", "/en/case-studies/", 200)
    assert record["duration_ms"] > 0
    assert record["bytes"] > 1000
    assert any(r["path"] == "/en/assessment/r/:token/" for r in access)
    assert "hunter2-secret" not in text
    assert resume_token not in text


def test_collectstatic_misses_only_the_crest_left_out_on_purpose(production_site: dict[str, str]) -> None:
    """`setup` collects the static files: the built scripts name no missing source map, and the only missing file
    is govuk-frontend's crown crest, which the stylesheet names and CivicBuy (not a GOV.UK service) leaves out."""
    log = production_site["setup_output"]
    missing = {Path(name).name for name in re.findall(r"static file (\S+) is referenced but missing", log)}
    assert missing == {"govuk-crest.svg"}
