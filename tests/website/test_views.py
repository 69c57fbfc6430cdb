from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from civicbuy.config import urls
from civicbuy.guide.models import GuideStepPage
from civicbuy.website.models import PageFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


def test_root_redirects_to_a_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    assert response["Location"] == "/es/"


@pytest.mark.parametrize("path", ["/en/", "/es/", "/en/guide/", "/es/guide/", "/en/guide/topics/social-value/",
                                  "/en/guide/emergency/", "/es/guide/plan-a-purchase/"])  # fmt: skip
def test_main_pages_answer(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert b'<a href="#main-content" class="govuk-skip-link"' in response.content


def test_unknown_page_and_language_give_a_plain_404(client: Client) -> None:
    for path in ["/en/nothing-here/", "/fr/guide/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 404
        assert b"We could not find a page at this address" in response.content
        assert b"Traceback" not in response.content


def test_sitemap_lists_at_least_30_step_pages_per_language(client: Client) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    for language in ("en", "es"):
        steps = [u for u in locations if re.search(rf"/{language}/guide/(?!topics/)[a-z-]+/[a-z0-9-]+/$", u)]
        assert len(steps) >= 30, (language, len(steps))
    assert any(u.endswith("/es/guide/plan-a-purchase/") for u in locations)


def test_search_is_accent_insensitive_in_both_directions(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="es", slug="set-realistic-deadlines")
    accented = client.get("/es/search/", {"q": "licitación"}).content.decode()
    plain = client.get("/es/search/", {"q": "licitacion"}).content.decode()
    assert step.title in accented
    assert step.title in plain


def test_search_finds_guide_steps_by_their_words(client: Client) -> None:
    html = client.get("/en/search/", {"q": "single bid"}).content.decode()
    assert "Get more than one good bid" in html


def test_search_rejects_an_overlong_query_with_a_message(client: Client) -> None:
    response = client.get("/en/search/", {"q": "x" * 500})
    assert response.status_code == 200
    assert b"govuk-error-message" in response.content


def test_feedback_is_stored_without_personal_data(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    response = client.post(f"/en/feedback/{step.pk}/", {"useful": "no", "comment": "Add an example"})
    assert response.status_code == 302
    feedback = PageFeedback.objects.get(page=step)
    assert not feedback.useful
    assert feedback.comment == "Add an example"
    assert {f.name for f in PageFeedback._meta.get_fields()} == {
        "id", "page", "useful", "comment", "language", "created_at",
    }  # fmt: skip


def test_feedback_honeypot_and_bad_answers_store_nothing(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    client.post(f"/en/feedback/{step.pk}/", {"useful": "yes", "website": "http://spam.example"})
    bad = client.post(f"/en/feedback/{step.pk}/", {"useful": "maybe"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422  # the form again, which base.html's htmx-config lets htmx swap in
    assert PageFeedback.objects.count() == 0


def test_feedback_counts_line_breaks_as_the_browser_does(client: Client) -> None:
    """170 lines of "line" are 850 characters in the textarea (maxlength=1000) but 1020 as sent (CRLF)."""
    step = GuideStepPage.objects.get(locale__language_code="es", slug="encourage-competition")
    comment = "line\r\n" * 170
    response = client.post(f"/es/feedback/{step.pk}/", {"useful": "no", "comment": comment})
    assert response.status_code == 302
    stored = PageFeedback.objects.get(page=step).comment
    assert "\r" not in stored
    assert stored == ("line\n" * 170).strip()


def test_feedback_over_the_limit_says_so_and_keeps_the_comment(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    comment = "Please add an example & a template. " * 30  # 1,080 characters
    response = client.post(f"/en/feedback/{step.pk}/", {"useful": "no", "comment": comment})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose Yes or No." not in html
    assert "Your comment has 1079 characters. Please shorten it to 1000 or fewer." in html
    assert 'href="#feedback-comment"' in html  # the error summary leads to the field
    assert "Please add an example &amp; a template." in html  # the comment is given back, escaped
    assert 'value="no" checked' in html
    assert step.title in html  # the way back to the page
    assert html.count("<h1") == 1
    assert PageFeedback.objects.count() == 0


def test_feedback_without_an_answer_asks_for_one_in_spanish_and_keeps_the_comment(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="es", slug="encourage-competition")
    response = client.post(f"/es/feedback/{step.pk}/", {"comment": "Falta un ejemplo"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Elija Sí o No." in html
    assert "Volver a “" in html  # the way back to the page, in Spanish
    assert 'href="#useful-yes"' in html
    assert "Falta un ejemplo</textarea>" in html
    assert '<html lang="es"' in html


def test_feedback_with_htmx_gets_the_form_back_with_the_error_in_place(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    response = client.post(
        f"/en/feedback/{step.pk}/", {"useful": "yes", "comment": "x" * 1001}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert "Please shorten it to 1000 or fewer." in html
    assert "x" * 1001 + "</textarea>" in html
    assert 'value="yes" checked' in html
    page = client.get(step.url).content.decode()
    assert '"code":"422","swap":true' in page  # htmx swaps this answer in (by default it ignores a 4xx)


def test_feedback_is_rate_limited_per_address(client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="en", slug="encourage-competition")
    statuses = [
        client.post(f"/en/feedback/{step.pk}/", {"useful": "yes"}, HTTP_HX_REQUEST="true").status_code
        for _ in range(22)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429, 429]
    assert PageFeedback.objects.count() == 20


def test_feedback_on_unknown_page_is_404(client: Client) -> None:
    assert client.post("/en/feedback/999999/", {"useful": "yes"}).status_code == 404
    assert client.get("/en/feedback/1/").status_code == 405


def test_health(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_media_serves_images_but_never_documents(client: Client, tmp_path: Path) -> None:
    (tmp_path / "original_images").mkdir()
    (tmp_path / "original_images" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "private.pdf").write_bytes(b"%PDF-1.4 secret")
    pattern = next(p for p in urls.urlpatterns if "media" in str(getattr(p, "pattern", "")))
    original = dict(pattern.default_args)  # type: ignore[union-attr]
    pattern.default_args["document_root"] = tmp_path  # type: ignore[union-attr]
    try:
        image = client.get("/media/original_images/map.png")
        assert image.status_code == 200
        assert b"".join(image.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
        for path in ["/media/documents/private.pdf", "/media/original_images/../documents/private.pdf"]:
            response = client.get(path, follow=True)
            assert response.status_code == 404
            assert b"secret" not in response.content
    finally:
        pattern.default_args.update(original)  # type: ignore[union-attr]


def test_favicon_is_the_sites_own_svg_cached_and_linked_from_every_page(client: Client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert "max-age=604800" in icon["Cache-Control"]
    assert icon.content.startswith(b"<svg")
    assert b"<script" not in icon.content
    home = client.get("/en/").content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', home)
    linked = client.get(href)
    assert linked.status_code == 200
    assert b"".join(linked.streaming_content if linked.streaming else [linked.content]) == icon.content


def test_search_shows_case_study_summaries_as_text_not_a_python_list(client: Client) -> None:
    html = client.get("/en/search/", {"q": "santiago"}).content.decode()
    assert "Santiago split bus procurement into two contracts" in html
    assert "[&#x27;" not in html
    assert "['" not in html
    assert "[src:" not in html
    assert "<li>Because the transport authority pays the fleet lease" in html


def test_summary_points_keep_guide_summaries_and_unescape_once() -> None:
    from civicbuy.website.templatetags.civicbuy_tags import summary_points

    assert summary_points("One line") == ["One line"]
    assert summary_points(None) == []
    assert summary_points(["Costs & risks fell by 5% [src:1]", ""]) == ["Costs & risks fell by 5%"]
