"""Proposing a case: a draft in moderation, never published by itself; bad input refused next to the field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import BadHeaderError
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, WorkflowState

from civicbuy.casestudies import search, submissions
from civicbuy.casestudies.forms import clean_markup, uncited_figures
from civicbuy.casestudies.models import CaseStudyPage, CaseSubmission

from .factories import PDF_BYTES, jpeg_bytes, png_bytes, submission_data

pytestmark = pytest.mark.django_db
SUBMIT = "/en/case-studies/submit/"

XSS_VECTORS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=\"alert('xss-2')\">",
    "<svg/onload=alert('xss-3')>",
    "[click me](javascript:alert('xss-4'))",
    "[click](java&#x09;script:alert('xss-5'))",
    "&lt;script&gt;alert('xss-6')&lt;/script&gt;",
    "<a href=\"javascript:alert('xss-7')\">x</a>",
    "<iframe src=\"javascript:alert('xss-8')\"></iframe>",
    '<div style="background:url(javascript:alert(9))" onmouseover="alert(10)">hover</div>',
    "<<script>script>alert('xss-11')<</script>/script>",
]


def _post(client: Client, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(SUBMIT, data, **kwargs)


def _error_next_to(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="govuk-error-message" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.DOTALL)
    assert match, f"no error message next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_form_answers_in_both_languages(client: Client) -> None:
    for language in ("en", "es"):
        response = client.get(f"/{language}/case-studies/submit/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert 'name="website"' in html  # honeypot
        assert 'name="sources-0-url"' in html
    assert "Una oración. Ponga [src:N] después de cada cifra." in html  # the summary's hint, in Spanish


def test_a_valid_submission_becomes_a_draft_in_moderation_and_emails_a_status_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    pages_before = Page.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, submission_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    status_path = response["Location"].split("?")[0]
    assert re.fullmatch(r"/en/case-studies/submissions/[A-Za-z0-9_-]{40,}/", status_path)

    submission = CaseSubmission.objects.get()
    page = submission.page
    assert page is not None
    assert Page.objects.count() == pages_before + 1
    assert not page.live
    assert page.has_unpublished_changes
    assert page.get_parent().slug == "case-studies"
    assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 1
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Moderators approval"
    assert submission.status == CaseSubmission.Status.IN_REVIEW
    assert len(page.results) == 1
    assert page.sources[0].value["url"] == "https://example.org/report"
    assert "token" not in submission.token_hash
    assert len(submission.token_hash) == 64

    # Not searchable, not public.
    assert page.pk not in (search.match("en", "Testville") or [])
    assert client.get(page.url_path.replace("/home/", "/en/")).status_code == 404

    status = client.get(response["Location"])
    assert status.status_code == 200
    html = status.content.decode()
    assert "Waiting for review" in html
    assert status["Cache-Control"] == "private, no-store"
    assert status["Referrer-Policy"] == "no-referrer"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert status_path in mail.outbox[0].body


def test_status_link_is_unguessable_and_unknown_links_are_404(client: Client) -> None:
    _post(client, submission_data())
    assert client.get("/en/case-studies/submissions/not-a-real-token/").status_code == 404
    submission = CaseSubmission.objects.get()
    assert client.get(f"/en/case-studies/submissions/{submission.token_hash}/").status_code == 404


def test_approval_publishes_and_the_case_appears_in_search(client: Client) -> None:
    response = _post(client, submission_data())
    submission = CaseSubmission.objects.get()
    editor = get_user_model().objects.create_superuser("moderator", "mod@example.org", "a-long-password-123")
    state = WorkflowState.objects.for_instance(submission.page).get()
    state.current_task_state.task.specific.on_action(state.current_task_state, editor, "approve")
    page = CaseStudyPage.objects.get(pk=submission.page_id)
    assert page.live
    submission.refresh_from_db()
    assert submission.status == CaseSubmission.Status.PUBLISHED
    slugs = [r["slug"] for r in client.get("/en/case-studies/?q=testville&format=json").json()["results"]]
    assert slugs == [page.slug]
    assert "Read the published case study" in client.get(response["Location"]).content.decode()


def test_requested_changes_are_shown_to_the_submitter(client: Client) -> None:
    response = _post(client, submission_data())
    submission = CaseSubmission.objects.get()
    editor = get_user_model().objects.create_superuser("moderator", "mod@example.org", "a-long-password-123")
    state = WorkflowState.objects.for_instance(submission.page).get()
    state.current_task_state.task.specific.on_action(
        state.current_task_state, editor, "reject", comment="Please add the tender notice as a source."
    )
    assert submission.status == CaseSubmission.Status.CHANGES_REQUESTED
    html = client.get(response["Location"]).content.decode()
    assert "Changes requested" in html
    assert "Please add the tender notice as a source." in html
    assert not CaseStudyPage.objects.get(pk=submission.page_id).live


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_hostile_html_is_neutralised_in_storage_and_on_the_page(client: Client, vector: str) -> None:
    fields = ("title", "summary_1", "problem", "approach", "challenges", "reusable", "caveats", "organisation", "city")
    data = submission_data(**{name: f"Safe {name} {vector}" for name in fields})
    data["title"] = f"Hostile case {XSS_VECTORS.index(vector)} {vector}"
    data["results-0-text"] = f"Result {vector}"
    data["sources-0-title"] = f"Source {vector}"
    response = _post(client, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = CaseSubmission.objects.get().page
    stored = " ".join(
        [page.title, page.problem, page.approach, page.challenges, page.reusable, page.caveats, page.organisation,
         page.city, " ".join(page.summary), page.results[0].value["text"], page.sources[0].value["title"]]
    ).lower()  # fmt: skip
    for needle in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "onmouseover", "&lt;script"):
        assert needle not in stored, (needle, stored)
    page.save_revision().publish()
    html = client.get(page.get_url()).content.decode().lower()
    body = html.split('id="main-content"')[1].split("</main>")[0]
    for needle in ("<script", "onerror=", "onload=", "javascript:", "<iframe", "<svg/", "onmouseover="):
        assert needle not in body, needle


def test_clean_markup_keeps_markdown_and_plain_symbols() -> None:
    assert clean_markup("**Bold** and [a link](https://example.org) [src:1]") == (
        "**Bold** and [a link](https://example.org) [src:1]"
    )
    assert clean_markup("5 < 7 & 9 > 3") == "5 < 7 & 9 > 3"
    assert clean_markup("<b>bold</b> text") == "bold text"


def test_missing_required_fields_are_named_next_to_each_field(client: Client) -> None:
    response = _post(client, submission_data(title="", organisation="", confirm=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert _error_next_to(html, "id_title")
    assert _error_next_to(html, "id_organisation")
    assert _error_next_to(html, "id_confirm")
    assert not CaseSubmission.objects.exists()
    assert not CaseStudyPage.objects.filter(live=False).exists()


def test_every_error_summary_link_goes_to_an_element_on_the_page(client: Client) -> None:
    data = submission_data(title="", stages=[], themes=[], sdg_targets=["zz"], **{"sources-0-url": ""})
    html = _post(client, data).content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)"', summary)
    assert {"id_title", "id_stages_0", "id_themes_0", "id_sdg_targets_0", "id_sources-0-url"} <= set(links)
    for target in links:
        assert f'id="{target}"' in html, f"the error summary links to #{target}, which is not on the page"
    sdg_group = html[: html.index('id="id_sdg_targets_0"')].rsplit("<details", 1)[1]
    assert sdg_group.startswith(' class="govuk-details" open>')  # the problem is not hidden in a closed group


def test_a_figure_without_a_source_is_refused(client: Client) -> None:
    html = _post(client, submission_data(**{"results-0-source": ""})).content.decode()
    assert "needs the number of the source" in _error_next_to(html, "id_results-0-source")
    html = _post(client, submission_data(problem="Costs rose by 45% in two years.")).content.decode()
    assert "[src:N]" in _error_next_to(html, "id_problem")
    html = _post(client, submission_data(summary_2="Costs fell by 45% in two years.")).content.decode()
    assert "[src:N]" in _error_next_to(html, "id_summary_2")
    html = _post(client, submission_data(summary_3="Costs fell by 45% [src:2].")).content.decode()
    assert "not listed" in _error_next_to(html, "id_summary_3")
    html = _post(client, submission_data(approach="It worked [src:4].")).content.decode()
    assert "not listed" in _error_next_to(html, "id_approach")
    html = _post(client, submission_data(**{"results-0-source": "3"})).content.decode()
    assert "no source 3" in _error_next_to(html, "id_results-0-source")
    assert not CaseSubmission.objects.exists()


@pytest.mark.parametrize(
    ("count", "row_id", "message"),
    [
        ({"sources-TOTAL_FORMS": "0"}, "id_sources-0-title", "at least one public source"),
        ({"results-TOTAL_FORMS": "0"}, "id_results-0-text", "at least one result"),
        ({"results-TOTAL_FORMS": "-5"}, "id_results-0-text", "at least one result"),
    ],
)
def test_a_tampered_row_count_is_refused_with_the_usual_message_and_the_input_kept(
    client: Client, count: dict[str, str], row_id: str, message: str
) -> None:
    response = _post(client, submission_data(**count))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in _error_next_to(html, row_id)
    assert 'name="results-TOTAL_FORMS" value="6"' in html  # sent again with a count that works
    assert 'name="sources-TOTAL_FORMS" value="8"' in html
    assert 'value="Testville school meals report"' in html
    assert "Local farms supplied 40% of the food by 2023." in html
    assert not CaseSubmission.objects.exists()


def test_line_breaks_in_one_line_fields_become_spaces(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    data = submission_data(
        title="Test case nl\nsecond line",
        city="Test\r\nville",
        organisation="  Testville \n City   Council ",
        problem="First paragraph [src:1].\n\nSecond paragraph.",
        **{"sources-0-title": "Testville\nreport"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, data)
    assert response.status_code == 302
    page = CaseSubmission.objects.get().page
    assert page.title == "Test case nl second line"
    assert page.slug == "test-case-nl-second-line"
    assert page.city == "Test ville"
    assert page.organisation == "Testville City Council"
    assert page.problem == "First paragraph [src:1].\n\nSecond paragraph."  # text areas keep their paragraphs
    assert page.sources[0].value["title"] == "Testville report"
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject


def test_a_failed_email_never_turns_a_stored_submission_into_an_error(
    client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise BadHeaderError("Header values can't contain newlines")

    monkeypatch.setattr(submissions, "send_mail", refuse)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, submission_data())
    assert response.status_code == 302
    assert CaseSubmission.objects.get().status == CaseSubmission.Status.IN_REVIEW
    assert client.get(response["Location"]).status_code == 200  # the status link works


def test_sources_must_be_complete_and_web_addresses(client: Client) -> None:
    html = _post(client, submission_data(**{"sources-0-url": "javascript:alert(1)"})).content.decode()
    assert _error_next_to(html, "id_sources-0-url")
    html = _post(client, submission_data(**{"sources-0-accessed": ""})).content.decode()
    assert "date" in _error_next_to(html, "id_sources-0-accessed")
    assert not CaseSubmission.objects.exists()


def test_quote_needs_attribution_and_source(client: Client) -> None:
    html = _post(client, submission_data(quote_text="We changed everything.")).content.decode()
    assert _error_next_to(html, "id_quote_attribution")
    assert _error_next_to(html, "id_quote_source")


def test_duplicate_titles_are_refused_whatever_the_accents_or_case(client: Client) -> None:
    existing = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en").title
    html = _post(client, submission_data(title=existing.upper())).content.decode()
    assert "already exists" in _error_next_to(html, "id_title")
    assert _post(client, submission_data()).status_code == 302
    html = _post(client, submission_data(title="Buying school meals from local farmers in Téstville")).content.decode()
    assert "already exists" in _error_next_to(html, "id_title")
    assert CaseSubmission.objects.count() == 1


def test_a_valid_image_and_document_are_stored_privately_until_publication(client: Client) -> None:
    data = submission_data(
        image=SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
        image_alt="Farmers unloading vegetables at a school kitchen",
        attachment=SimpleUploadedFile("notice.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    assert _post(client, data).status_code == 302
    page = CaseSubmission.objects.get().page
    assert page.image is not None
    assert page.image.width == 8
    assert page.image_alt.startswith("Farmers")
    assert not page.image.file.name.endswith("photo.png")  # stored under a random name
    document = page.attachment
    assert document is not None
    assert document.collection.name == submissions.SUBMISSIONS_COLLECTION
    assert document.collection.get_view_restrictions().exists()
    page.save_revision().publish()
    document.refresh_from_db()
    assert document.collection.name == submissions.PUBLIC_COLLECTION


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("image", SimpleUploadedFile("big.png", png_bytes() + b"\0" * (6 * 1024 * 1024)), "smaller than 5 MB"),
        ("image", SimpleUploadedFile("fake.png", b"<svg onload=alert(1)></svg>" * 10), "must be one of"),
        ("image", SimpleUploadedFile("doc.png", PDF_BYTES), "must be one of"),
        ("image", SimpleUploadedFile("photo.png", jpeg_bytes()), "content is JPG"),
        ("image", SimpleUploadedFile("broken.png", png_bytes()[:40]), "cannot be read"),
        ("attachment", SimpleUploadedFile("big.pdf", PDF_BYTES + b"\0" * (11 * 1024 * 1024)), "smaller than 10 MB"),
        ("attachment", SimpleUploadedFile("run.pdf", b"MZ\x90\x00" + b"\0" * 200), "must be one of"),
        ("attachment", SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>"), "must be one of"),
        ("attachment", SimpleUploadedFile("notice.docx", PDF_BYTES), "content is PDF"),
    ],
)
def test_oversize_or_wrong_type_uploads_are_refused_next_to_the_field(
    client: Client, field: str, upload: SimpleUploadedFile, message: str
) -> None:
    data = submission_data(**{field: upload, "image_alt": "A description"})
    response = _post(client, data)
    assert response.status_code == 400
    assert message in _error_next_to(response.content.decode(), f"id_{field}")
    assert not CaseSubmission.objects.exists()
    assert not get_image_model().objects.exists()
    assert not get_document_model().objects.exists()


def test_the_honeypot_stores_nothing(client: Client) -> None:
    response = _post(client, submission_data(website="https://spam.example"))
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not CaseSubmission.objects.exists()
    assert not mail.outbox


def test_a_flood_from_one_address_is_rate_limited(client: Client) -> None:
    codes = []
    for number in range(8):
        response = _post(client, submission_data(title=f"Flood case number {number} from one address"))
        codes.append(response.status_code)
    assert codes[:5] == [302] * 5
    assert set(codes[5:]) == {429}
    assert "too many submissions" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert CaseSubmission.objects.count() == 5
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert _post(other, submission_data(title="A case from another address")).status_code == 302


def test_invalid_attempts_are_rate_limited_too(client: Client) -> None:
    codes = {_post(client, submission_data(title="")).status_code for _ in range(22)}
    assert codes == {400, 429}


def test_nothing_is_stored_half_way_when_a_step_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    def broken_start(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("workflow store unavailable")

    monkeypatch.setattr("wagtail.models.Workflow.start", broken_start)
    pages_before = Page.objects.count()
    data = submission_data(
        image=SimpleUploadedFile("photo.png", png_bytes()),
        image_alt="A picture",
        attachment=SimpleUploadedFile("notice.pdf", PDF_BYTES),
    )
    client.raise_request_exception = False
    response = _post(client, data)
    assert response.status_code == 500
    assert Page.objects.count() == pages_before
    assert not CaseSubmission.objects.exists()
    assert not get_image_model().objects.exists()
    assert not get_document_model().objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True
    assert not mail.outbox


def test_a_contributor_sees_their_own_submissions_only(client: Client) -> None:
    user_model = get_user_model()
    contributor = user_model.objects.create_user("carla", "carla@example.org", "a-long-password-123")
    contributor.groups.add(Group.objects.get(name="Contributors"))
    other = user_model.objects.create_user("omar", "omar@example.org", "a-long-password-456")
    client.force_login(contributor)
    assert _post(client, submission_data()).status_code == 302
    assert CaseSubmission.objects.get().user == contributor
    html = client.get("/en/case-studies/submissions/").content.decode()
    assert "Buying school meals from local farmers in Testville" in html
    assert "Waiting for review" in html
    client.force_login(other)
    assert "Testville" not in client.get("/en/case-studies/submissions/").content.decode()
    client.logout()
    response = client.get("/en/case-studies/submissions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_spanish_submission_creates_a_spanish_draft(client: Client) -> None:
    response = client.post("/es/case-studies/submit/", submission_data(title="Comidas escolares locales en Testville"))
    assert response.status_code == 302
    assert response["Location"].startswith("/es/case-studies/submissions/")
    assert CaseSubmission.objects.get().page.locale.language_code == "es"


def test_uncited_figures_detection() -> None:
    assert uncited_figures("In 2019 the city started.") == []
    assert uncited_figures("The city saved 30% [src:1].") == []
    assert uncited_figures("The city saved 30%.")
    assert uncited_figures("Para 2020 ya eran 1.200 empresas.")


def test_the_status_page_and_the_list_of_submissions_give_dates_in_the_page_language(client: Client) -> None:
    user = get_user_model().objects.create_user("lucia", "lucia@example.org", "a-long-password-789")
    user.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(user)
    response = client.post("/es/case-studies/submit/", submission_data(title="Comidas escolares en Testville"))
    assert response.status_code == 302
    for path in (response["Location"], "/es/case-studies/submissions/"):
        html = client.get(path).content.decode()
        sent = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
        assert sent, path
        assert all(re.fullmatch(r"\d{1,2} de [a-záéíóú]+ de \d{4}", text) for text in sent), sent
