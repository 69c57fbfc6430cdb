"""Turning a valid submission into a draft case page in moderation: all or nothing, never published.

One database transaction creates the uploaded image and document, the draft page, its first revision,
the moderation workflow ("Moderators approval") and the submission record. If any step fails, the
transaction rolls back and the uploaded files are deleted, so nothing is stored half-way. The email to
the submitter is sent only after the transaction commits, and a failure to send it is logged, never shown:
the submission is stored by then, and the page that follows is the only other place its status link appears.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import override
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from civicbuy.casestudies.forms import FILE_TYPES, IMAGE_TYPES, Submission
from civicbuy.casestudies.models import RESERVED_SLUGS, CaseStudyIndexPage, CaseStudyPage, CaseSubmission, hash_token

logger = logging.getLogger(__name__)

SUBMISSIONS_COLLECTION = "Case submissions"
PUBLIC_COLLECTION = "Case studies"


@dataclass(frozen=True)
class Created:
    """A stored submission and the secret of its status link (shown once, emailed, never stored)."""

    submission: CaseSubmission
    token: str

    @property
    def status_path(self) -> str:
        """The status page path in the submission's language."""
        with override(self.submission.language):
            return reverse("casestudies:submission-status", args=[self.token])


def _collection(name: str, *, private: bool) -> Collection:
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=name).first()
    if found is None:
        found = root.add_child(name=name)
    if private and not CollectionViewRestriction.objects.filter(collection=found).exists():
        CollectionViewRestriction.objects.create(collection=found, restriction_type=CollectionViewRestriction.LOGIN)
    return found


def _unique_slug(index: CaseStudyIndexPage, title: str) -> str:
    base = slugify(title)[:70].strip("-") or "case"
    taken = set(CaseStudyPage.objects.child_of(index).values_list("slug", flat=True)) | RESERVED_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _random_name(types: dict[str, tuple[str, ...]], mime: str) -> str:
    return f"{uuid.uuid4().hex}.{types[mime][0]}"


def _save_image(upload: UploadedFile, title: str, collection: Collection) -> Any:
    from civicbuy.casestudies.forms import sniff

    mime = sniff(upload, IMAGE_TYPES, 1 << 62, "image")  # already checked: this only reads the type
    upload.name = _random_name(IMAGE_TYPES, mime)
    image = get_image_model()(title=title[:255], file=upload, collection=collection)
    image._set_image_file_metadata()  # noqa: SLF001 - Wagtail's own way to fill size, hash and dimensions
    image.save()
    return image


def _save_document(upload: UploadedFile, title: str, collection: Collection) -> Any:
    from civicbuy.casestudies.forms import sniff

    mime = sniff(upload, FILE_TYPES, 1 << 62, "document")
    upload.name = _random_name(FILE_TYPES, mime)
    document = get_document_model()(title=title[:255], file=upload, collection=collection)
    document._set_document_file_metadata()  # noqa: SLF001 - Wagtail's own way to fill size and hash
    document.save()
    return document


def _page_fields(submission: Submission) -> dict[str, Any]:
    data = submission.form.cleaned_data
    sources = [
        (
            "source",
            {"title": s["title"], "publisher": s.get("publisher") or "", "url": s["url"], "accessed": s["accessed"]},
        )
        for s in submission.filled_sources()
    ]
    results = [("result", {"text": r["text"], "source": r["source"]}) for r in submission.filled_results()]
    return {
        "title": data["title"],
        "country": data["country"],
        "city": data.get("city") or "",
        "organisation": data["organisation"],
        "years": data["years"],
        "summary": [data["summary_1"], data["summary_2"], data["summary_3"]],
        "problem": data["problem"],
        "approach": data["approach"],
        "results": results,
        "challenges": data.get("challenges") or "",
        "reusable": data.get("reusable") or "",
        "quote_text": data.get("quote_text") or "",
        "quote_attribution": data.get("quote_attribution") or "",
        "quote_source": data.get("quote_source") if data.get("quote_text") else None,
        "caveats": data.get("caveats") or "",
        "stages": list(data.get("stages") or []),
        "themes": list(data.get("themes") or []),
        "sdg_targets": list(data.get("sdg_targets") or []),
        "sources": sources,
        "image_alt": data.get("image_alt") or "",
    }


def create(
    submission: Submission, index: CaseStudyIndexPage, user: AbstractBaseUser | AnonymousUser | None
) -> Created:
    """Store a valid submission as a draft page submitted to moderation; email the submitter after commit."""
    data = submission.form.cleaned_data
    account: Any = user if user is not None and user.is_authenticated else None
    token = secrets.token_urlsafe(32)
    saved_files: list[Any] = []
    try:
        with transaction.atomic():
            fields = _page_fields(submission)
            if data.get("image"):
                image = _save_image(data["image"], data["title"], _collection(PUBLIC_COLLECTION, private=False))
                saved_files.append(image.file)
                fields["image"] = image
            if data.get("attachment"):
                document = _save_document(
                    data["attachment"], data["title"], _collection(SUBMISSIONS_COLLECTION, private=True)
                )
                saved_files.append(document.file)
                fields["attachment"] = document
            page = CaseStudyPage(slug=_unique_slug(index, data["title"]), live=False, owner=account, **fields)
            index.add_child(instance=page)
            page.save_revision(user=account, log_action=True)
            workflow = page.get_workflow()
            if workflow is not None:
                workflow.start(page, account)
            record = CaseSubmission.objects.create(
                page=page,
                title=data["title"],
                token_hash=hash_token(token),
                submitter_name=data.get("submitter_name") or "",
                submitter_email=data.get("submitter_email") or "",
                user=account,
                language=str(index.locale.language_code)[:8],
            )
            created = Created(submission=record, token=token)
            # robust: whatever goes wrong in the email, the submission is stored and the submitter gets the link
            transaction.on_commit(lambda: _notify(created), robust=True)
    except BaseException:
        for stored in saved_files:
            stored.delete(save=False)
        raise
    return created


def _notify(created: Created) -> None:
    submission = created.submission
    if not submission.submitter_email:
        return
    link = settings.CIVICBUY_BASE_URL + created.status_path
    with override(submission.language):
        subject_text = render_to_string("casestudies/email/submitted_subject.txt", {"submission": submission})
        body = render_to_string("casestudies/email/submitted.txt", {"submission": submission, "link": link})
    subject = " ".join(subject_text.split())  # a line break in a header is refused (BadHeaderError)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.submitter_email])
    except (OSError, ValueError):  # mail server down (OSError), header refused (BadHeaderError is a ValueError)
        logger.exception("could not email the submitter of case submission %s", submission.pk)


def release_files(page: CaseStudyPage) -> None:
    """On publication, move the case's document out of the private submissions collection."""
    document = page.attachment
    if document is not None and document.collection.name == SUBMISSIONS_COLLECTION:
        document.collection = _collection(PUBLIC_COLLECTION, private=False)
        document.save(update_fields=["collection"])


def find(token: str) -> CaseSubmission | None:
    """The submission a status-link token belongs to (None for an unknown or malformed token)."""
    if not token or len(token) > 100:  # noqa: PLR2004 - tokens are 43 characters
        return None
    return CaseSubmission.objects.select_related("page").filter(token_hash=hash_token(token)).first()
