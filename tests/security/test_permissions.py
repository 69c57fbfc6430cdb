"""Object-level permissions: another organisation's dataset, another's assessment or a draft case is a 404
through every page and every API route, for anonymous users, for members of other organisations and for
their API tokens. The owner's access is checked too, so a test cannot pass by refusing everyone."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.conftest import World

pytestmark = pytest.mark.django_db

DATASET_PAGES = [
    "/en/dashboard/{pk}/",
    "/en/dashboard/{pk}/buyers/",
    "/en/dashboard/{pk}/buyers/some-buyer/",
    "/en/dashboard/{pk}/red-flags/",
    "/en/dashboard/{pk}/upload/",
    "/en/dashboard/{pk}/delete/",
    "/en/impact/dataset/{pk}/",
    "/en/impact/dataset/{pk}/scenario/",
    "/en/impact/dataset/{pk}/commitments/",
    "/en/impact/dataset/{pk}/report.pdf",
]
DATASET_API = ["/api/v1/datasets/{pk}/", "/api/v1/datasets/{pk}/indicators/"]


def _refused(status: int) -> bool:
    return status in {302, 404, 405}  # login redirect (anonymous), 404, or a POST-only address


@pytest.mark.parametrize("path", DATASET_PAGES)
def test_other_organisations_dataset_pages_are_404(client: Client, world: World, path: str) -> None:
    url = path.format(pk=world.dataset.pk)
    assert _refused(client.get(url).status_code)
    client.force_login(world.outsider)
    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {}).status_code in {403, 404, 405}  # refused, not found, or GET-only: never acted on


@pytest.mark.parametrize("path", DATASET_API)
def test_other_organisations_dataset_through_the_api_is_404(client: Client, world: World, path: str) -> None:
    url = path.format(pk=world.dataset.pk)
    assert client.get(url).status_code == 401
    outsider = client.get(url, headers={"Authorization": f"Bearer {world.outsider_token}"})
    assert outsider.status_code == 404
    assert outsider.json()["error"]["code"] == "not_found"


def test_the_owner_sees_their_dataset_and_the_outsider_does_not_list_it(client: Client, world: World) -> None:
    mine = client.get(
        f"/api/v1/datasets/{world.dataset.pk}/", headers={"Authorization": f"Bearer {world.owner_token}"}
    )
    assert mine.status_code == 200
    assert mine.json()["organisation"] == "Alpha City"
    listed = client.get("/api/v1/datasets/", headers={"Authorization": f"Bearer {world.outsider_token}"}).json()
    assert world.dataset.pk not in {item["id"] for item in listed["items"]}
    client.force_login(world.outsider)
    assert "Alpha spend" not in client.get("/en/dashboard/").content.decode()


def test_the_dataset_is_not_deleted_by_an_outsider(world: World) -> None:
    from civicbuy.dashboard.models import Dataset

    client = Client()
    client.force_login(world.outsider)
    client.post(f"/en/dashboard/{world.dataset.pk}/delete/")
    assert Dataset.objects.filter(pk=world.dataset.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/en/case-studies/{slug}/",
        "/es/case-studies/{slug}/",
        "/en/case-studies/{slug}/?format=json",
        "/api/v1/case-studies/{slug}/",
    ],
)
def test_draft_case_is_404_for_everyone_outside_the_editor(client: Client, world: World, path: str) -> None:
    url = path.format(slug=world.draft.slug)
    assert client.get(url).status_code == 404
    client.force_login(world.owner)  # even its submitter sees it only through the status link
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"Authorization": f"Bearer {world.owner_token}"}).status_code == 404


def test_draft_case_is_absent_from_search_listing_and_api(client: Client, world: World) -> None:
    page = client.get("/en/case-studies/", {"q": world.draft.title, "format": "json"}).json()
    assert world.draft.slug not in {case["slug"] for case in page["results"]}
    found = client.get("/en/search/", {"q": world.draft.title}).content.decode()
    assert world.draft.slug not in found
    api = client.get("/api/v1/case-studies/", {"q": world.draft.title, "page_size": 100}).json()
    assert world.draft.slug not in {case["slug"] for case in api["items"]}


@pytest.mark.parametrize("suffix", ["", "results/", "targets/", "answers.csv", "answers.json", "departments/"])
def test_assessment_pages_need_its_own_resume_token(client: Client, world: World, suffix: str) -> None:
    token = world.assessment.token
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert client.get(f"/en/assessment/r/{forged}/{suffix}").status_code in {404, 405}  # 405: POST-only
    assert client.get(f"/en/assessment/r/{token}/{suffix}").status_code in {200, 405}


def test_assessment_api_needs_its_own_resume_token(client: Client, world: World) -> None:
    token = world.assessment.token
    assert client.get(f"/api/v1/assessments/{token}/").status_code == 200
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(), token + "x", "../" + token):
        assert client.get(f"/api/v1/assessments/{forged}/").status_code == 404


def test_submission_status_needs_the_exact_link(client: Client, world: World) -> None:
    assert client.get("/en/case-studies/submissions/" + "A" * 43 + "/").status_code == 404
    client.force_login(world.outsider)
    listing = client.get("/en/case-studies/submissions/").content.decode()
    assert world.draft.title not in listing
