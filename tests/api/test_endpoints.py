"""The REST API through Django's test client: each part, pagination, errors and token authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicbuy.api.models import ApiToken
from civicbuy.api.urls import api
from civicbuy.assessment.models import Assessment, Department
from civicbuy.casestudies.models import CaseSubmission

pytestmark = pytest.mark.django_db


def get(client: Client, path: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, params, headers=headers)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


def test_openapi_document_lists_versioned_routes(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert paths
    assert all(path.startswith("/api/v1/") for path in paths)
    for expected in (
        "/api/v1/taxonomy/{kind}/",
        "/api/v1/guide/steps/{stage}/{slug}/",
        "/api/v1/case-studies/",
        "/api/v1/case-studies/{slug}/",
        "/api/v1/assessments/{token}/",
        "/api/v1/impact/{dataset_id}/",
        "/api/v1/impact/{dataset_id}/carbon/divisions/",
        "/api/v1/impact/{dataset_id}/sdg/",
        "/api/v1/impact/{dataset_id}/social-value/",
    ):
        assert expected in paths


def test_docs_page_uses_only_the_apps_own_assets(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "https://" not in html


def test_version_index_links_every_part(client: Client) -> None:
    parts = get(client, "/api/v1/").json()["parts"]
    assert set(parts) >= {"taxonomy", "guide", "case-studies", "assessments", "datasets", "impact"}


def test_taxonomy_in_spanish(client: Client) -> None:
    kinds = get(client, "/api/v1/taxonomy/").json()
    assert {k["kind"] for k in kinds} >= {"stage", "theme", "sdg", "country"}
    stages = get(client, "/api/v1/taxonomy/stage/", lang="es").json()
    assert stages[0]["code"] == "plan"
    assert stages[0]["label"] == "Planificar"


def test_unknown_taxonomy_kind_is_a_validation_error(client: Client) -> None:
    body = assert_error(get(client, "/api/v1/taxonomy/colour/"), 422, "invalid_request")
    assert body["error"]["details"][0]["location"] == ["path", "kind"]


def test_guide_sections_steps_and_topics(client: Client) -> None:
    sections = get(client, "/api/v1/guide/sections/").json()
    assert sections[0]["stage"] == "plan"
    first = sections[0]["steps"][0]
    step = get(client, f"/api/v1/guide/steps/{first['stage']}/{first['slug']}/").json()
    assert step["title"] == first["title"]
    assert step["actions"]
    assert step["url"].endswith(f"/en/guide/{first['stage']}/{first['slug']}/")
    topics = get(client, "/api/v1/guide/topics/").json()
    assert topics
    assert get(client, f"/api/v1/guide/topics/{topics[0]['slug']}/").json()["title"] == topics[0]["title"]


def test_guide_steps_are_paginated(client: Client) -> None:
    everything = get(client, "/api/v1/guide/steps/", page_size=100).json()
    assert everything["count"] == len(everything["items"]) > 10
    second = get(client, "/api/v1/guide/steps/", page=2, page_size=5).json()
    assert second["page"] == 2
    assert second["pages"] == -(-everything["count"] // 5)
    assert second["items"] == everything["items"][5:10]
    beyond = get(client, "/api/v1/guide/steps/", page=999).json()
    assert beyond["items"] == []
    assert_error(get(client, "/api/v1/guide/steps/", page_size=101), 422, "invalid_request")
    assert_error(get(client, "/api/v1/guide/steps/", page=0), 422, "invalid_request")


def test_unknown_step_is_a_json_404(client: Client) -> None:
    assert_error(get(client, "/api/v1/guide/steps/plan/no-such-step/"), 404, "not_found")


@pytest.mark.parametrize(
    "params",
    [{}, {"country": "KR"}, {"theme": "environment"}, {"sdg": "12"}, {"q": "school meals"}, {"stage": "tender"}],
)
def test_case_list_matches_the_library_pages_json(client: Client, params: dict[str, str]) -> None:
    page = client.get("/en/case-studies/", {**params, "format": "json"}).json()
    listed = get(client, "/api/v1/case-studies/", page_size=20, **params).json()
    assert listed["count"] == page["count"]
    assert [c["slug"] for c in listed["items"]] == [c["slug"] for c in page["results"]]
    facets = get(client, "/api/v1/case-studies/facets/", **params).json()
    assert facets["facets"] == page["facets"]


def test_case_detail_and_unknown_case(client: Client) -> None:
    first = get(client, "/api/v1/case-studies/", page_size=1).json()["items"][0]
    case = get(client, f"/api/v1/case-studies/{first['slug']}/").json()
    assert case["title"] == first["title"]
    assert case["sources"]
    assert_error(get(client, "/api/v1/case-studies/no-such-case/"), 404, "not_found")


def test_draft_case_is_not_found_even_with_a_token(client: Client, draft: Any, ana_token: str) -> None:
    assert_error(get(client, f"/api/v1/case-studies/{draft.slug}/"), 404, "not_found")
    assert_error(get(client, f"/api/v1/case-studies/{draft.slug}/", token=ana_token), 404, "not_found")
    listed = get(client, "/api/v1/case-studies/", page_size=100, q="draft nobody").json()
    assert draft.slug not in {c["slug"] for c in listed["items"]}


def test_submissions_need_a_token_and_show_only_your_own(
    client: Client, ana: Any, ben: Any, ana_token: str, draft: Any
) -> None:
    CaseSubmission.objects.create(page=draft, title="Ana's case", token_hash="a" * 64, user=ana, language="en")
    CaseSubmission.objects.create(page=None, title="Ben's case", token_hash="b" * 64, user=ben, language="en")
    assert_error(get(client, "/api/v1/case-studies/submissions/"), 401, "not_authenticated")
    mine = get(client, "/api/v1/case-studies/submissions/", token=ana_token).json()
    assert [item["title"] for item in mine] == ["Ana's case"]
    assert mine[0]["status"] == "in_review"
    assert mine[0]["url"] is None


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer cb_" + "x" * 43, "Basic YW5hOnB3", "Bearer "])
def test_bad_credentials_are_refused(client: Client, header: str) -> None:
    response = client.get("/api/v1/case-studies/submissions/", headers={"Authorization": header})
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_expired_and_inactive_tokens_are_refused(client: Client, ana: Any, ana_token: str) -> None:
    assert get(client, "/api/v1/case-studies/submissions/", token=ana_token).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(get(client, "/api/v1/case-studies/submissions/", token=ana_token), 401, "not_authenticated")
    ApiToken.objects.update(expires_at=None, revoked_at=timezone.now())
    assert_error(get(client, "/api/v1/case-studies/submissions/", token=ana_token), 401, "not_authenticated")
    ApiToken.objects.update(revoked_at=None)
    ana.is_active = False
    ana.save()
    assert_error(get(client, "/api/v1/case-studies/submissions/", token=ana_token), 401, "not_authenticated")


def test_only_the_hash_of_a_token_is_stored(ana: Any) -> None:
    record, secret = ApiToken.issue(ana)
    assert secret.startswith("cb_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=record.pk)
    assert secret not in {stored.token_hash, stored.prefix}
    assert ApiToken.authenticate(secret) == record
    assert ApiToken.objects.get(pk=record.pk).last_used_at is not None


def test_assessment_by_its_resume_token_only(client: Client) -> None:
    mine = Assessment.objects.create(organisation="Testville", targets={"strategy": 3})
    Department.objects.create(assessment=mine, name="Whole organisation", answers={})
    other = Assessment.objects.create(organisation="Elsewhere")
    body = get(client, f"/api/v1/assessments/{mine.token}/").json()
    assert body["organisation"] == "Testville"
    assert body["targets"] == {"strategy": 3}
    assert [d["name"] for d in body["departments"]] == ["Whole organisation"]
    assert get(client, f"/api/v1/assessments/{other.token}/").json()["organisation"] == "Elsewhere"
    assert_error(get(client, f"/api/v1/assessments/{mine.token[:-1]}x/"), 404, "not_found")
    assert_error(get(client, "/api/v1/assessments/short/"), 404, "not_found")


def test_expired_assessment_is_gone(client: Client) -> None:
    old = Assessment.objects.create(organisation="Old", last_used=timezone.now() - timedelta(days=500))
    assert_error(get(client, f"/api/v1/assessments/{old.token}/"), 410, "gone")


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v2/taxonomy/", "/api/v1/case-studies/x/y/z/", "/api/v1"])
def test_unknown_api_paths_are_json_404s_not_redirects(client: Client, path: str) -> None:
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_wrong_method_is_a_json_405(method: str) -> None:
    client = Client(enforce_csrf_checks=True)  # as a real client sends it: no CSRF token
    response = getattr(client, method)("/api/v1/taxonomy/", {}, content_type="application/json")
    body = assert_error(response, 405, "method_not_allowed")
    assert method.upper() in body["error"]["message"]
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("path", ["/api/", "/api/v1/nothing/"])
def test_a_post_without_csrf_token_outside_the_routes_is_a_json_error(path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {}, content_type="application/json")
    assert_error(response, 405 if path == "/api/" else 404, "method_not_allowed" if path == "/api/" else "not_found")


def test_too_many_requests_get_a_429_with_the_error_body(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    for throttle in api.throttle:  # type: ignore[union-attr]
        monkeypatch.setattr(throttle, "num_requests", 3)
    statuses = [get(client, "/api/v1/taxonomy/").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    response = get(client, "/api/v1/taxonomy/")
    assert_error(response, 429, "too_many_requests")
    assert int(response["Retry-After"]) > 0


def test_a_forged_forwarded_for_does_not_escape_the_anonymous_limit(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for throttle in api.throttle:  # type: ignore[union-attr]
        monkeypatch.setattr(throttle, "num_requests", 3)
    statuses = [
        client.get("/api/v1/taxonomy/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(5)
    ]  # CIVICBUY_PROXY_COUNT is 0 in tests: the header is not the client's address
    assert statuses == [200, 200, 200, 429, 429]


def test_api_root_points_to_the_version_and_the_docs(client: Client) -> None:
    body = client.get("/api/").json()
    assert body["versions"]["v1"].endswith("/api/v1/")
    assert body["openapi"].endswith("/api/openapi.json")
