"""Uploads: streamed to disk, checked as they arrive, refused with a clear message, never left behind."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.test import Client, RequestFactory
from django_tasks_db.models import DBTaskResult

from civicbuy.accounts.models import Organisation
from civicbuy.dashboard import jobs, storage, views
from civicbuy.dashboard.models import Dataset, IngestJob

RELEASE = (
    b'{"uri": "https://example.org/p.json", "publishedDate": "2024-01-01T00:00:00Z", "version": "1.1", '
    b'"releases": [{"ocid": "ocds-abc123-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], '
    b'"initiationType": "tender", "buyer": {"id": "B1", "name": "Parks"}, '
    b'"tender": {"id": "T1", "procurementMethod": "open", "numberOfTenderers": 1}}]}'
)


def _files_left(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _new_dataset(
    client: Client, organisation: Organisation, upload: SimpleUploadedFile, name: str = "Parks 2024"
) -> Any:
    return client.post("/en/dashboard/upload/", {"organisation": organisation.pk, "name": name, "file": upload})


def test_an_upload_is_stored_and_queued(
    member_client: Client, organisation: Organisation, dashboard_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _new_dataset(member_client, organisation, SimpleUploadedFile("parks.json", RELEASE))
    job = IngestJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/dashboard/jobs/{job.pk}/"
    assert job.status == IngestJob.Status.QUEUED
    assert job.dataset.organisation == organisation
    assert not job.dataset.public
    assert storage.upload_path(job).read_bytes() == RELEASE
    assert not list(storage.uploads_dir().glob("*.part"))
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("ingest_dataset")
    assert task.queue_name == "ingest"
    assert task.args_kwargs["args"] == [job.pk]
    page = member_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Cancel the upload" in page


def test_the_overview_names_the_file_the_user_uploaded(
    member_client: Client, organisation: Organisation, dashboard_root: Path
) -> None:
    response = _new_dataset(member_client, organisation, SimpleUploadedFile("parks-2024.json", RELEASE))
    job = IngestJob.objects.get()
    assert jobs.run_ingest(job.pk) == IngestJob.Status.SUCCEEDED
    page = member_client.get(f"/en/dashboard/{job.dataset.pk}/").content.decode()
    assert response.status_code == 302
    assert "Source: parks-2024.json (" in page
    assert ".upload" not in page  # not the name of the stored copy
    assert str(job.key) not in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4", "is not an OCDS file"),
        ("data.json", b"ocid,buyer\n1,2\n", "does not contain JSON"),
        ("data.json", b"   \n", "is empty"),
        ("data.json", b'{"hello": "world"}', "This file is not OCDS data"),
    ],
)
def test_files_that_are_not_ocds_are_refused(
    member_client: Client, organisation: Organisation, dashboard_root: Path, *, name: str, content: bytes, message: str
) -> None:
    response = _new_dataset(member_client, organisation, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IngestJob.objects.exists()
    assert not Dataset.objects.exists()
    assert _files_left(dashboard_root) == []


def test_the_engines_message_names_the_users_file_not_the_server_path(
    member_client: Client, organisation: Organisation, dashboard_root: Path
) -> None:
    response = _new_dataset(member_client, organisation, SimpleUploadedFile("mine.json", b'{"hello": 1}'))
    text = response.content.decode()
    assert "mine.json" in text
    assert str(dashboard_root) not in text


def test_an_oversized_upload_is_refused_while_it_streams(
    member_client: Client, organisation: Organisation, dashboard_root: Path, settings: Any
) -> None:
    settings.CIVICBUY_UPLOAD_MAX_BYTES = 100 * 1024
    big = b'{"releases": [' + b" " * (300 * 1024) + b"]}"
    response = _new_dataset(member_client, organisation, SimpleUploadedFile("big.json", big))
    assert response.status_code == 400
    assert "larger than the 100.0\xa0KB limit" in response.content.decode()
    assert _files_left(dashboard_root) == []


def test_an_upload_declaring_more_than_the_limit_is_refused_before_reading(
    member_client: Client, organisation: Organisation, dashboard_root: Path, settings: Any
) -> None:
    settings.CIVICBUY_UPLOAD_MAX_BYTES = 1024
    response = member_client.post(
        "/en/dashboard/upload/", data=b"x", content_type="multipart/form-data; boundary=B", CONTENT_LENGTH="9999999"
    )
    assert response.status_code == 413
    assert "larger than the" in response.content.decode()


@pytest.mark.parametrize("closed", [False, True], ids=["mid-file", "after-the-file"])
def test_a_cut_off_upload_leaves_nothing_behind(
    member: Any, organisation: Organisation, dashboard_root: Path, *, closed: bool
) -> None:
    boundary = "XyZ"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="organisation"\r\n\r\n{organisation.pk}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nCut\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    body = head + b'{"releases": [' + b" " * 200_000  # the connection drops here: the rest never arrives
    if closed:  # the file part looks complete, but far less than the declared body arrived
        body += f"]}}\r\n--{boundary}--\r\n".encode()
    request = RequestFactory().generic(
        "POST",
        "/en/dashboard/upload/",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(body) + 5_000_000),
    )
    request.environ["wsgi.input"] = request.META["wsgi.input"] = io.BytesIO(body)
    stream = LimitedStream(request.environ["wsgi.input"], len(body) + 5_000_000)
    request._stream = stream  # type: ignore[assignment]
    request.user = member
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    response = views.upload(request)
    assert response.status_code == 400
    assert "cut off" in response.content.decode()
    assert not IngestJob.objects.exists()
    assert _files_left(dashboard_root) == []


def test_two_uploads_into_one_dataset_at_once(
    member_client: Client, ready_dataset: Dataset, dashboard_root: Path
) -> None:
    first = member_client.post(
        f"/en/dashboard/{ready_dataset.pk}/upload/", {"file": SimpleUploadedFile("a.json", RELEASE)}
    )
    assert first.status_code == 302
    second = member_client.post(
        f"/en/dashboard/{ready_dataset.pk}/upload/", {"file": SimpleUploadedFile("b.json", RELEASE)}
    )
    assert second.status_code == 409
    assert "already being updated" in second.content.decode()
    assert ready_dataset.jobs.filter(status=IngestJob.Status.QUEUED).count() == 1
    assert len(list(storage.uploads_dir().glob("*.upload"))) == 1


def test_the_database_refuses_a_second_active_ingest(ready_dataset: Dataset) -> None:
    from django.db import IntegrityError, transaction

    IngestJob.objects.create(dataset=ready_dataset, file_name="a.json")
    with pytest.raises(IntegrityError), transaction.atomic():
        IngestJob.objects.create(dataset=ready_dataset, file_name="b.json")


def test_a_name_already_used_is_refused(member_client: Client, ready_dataset: Dataset, dashboard_root: Path) -> None:
    response = _new_dataset(
        member_client, ready_dataset.organisation, SimpleUploadedFile("x.json", RELEASE), name=ready_dataset.name
    )
    assert response.status_code == 400
    assert "already has a dataset with this name" in response.content.decode()
    assert not list(storage.uploads_dir().glob("*"))


def test_only_members_can_upload(
    outsider_client: Client, organisation: Organisation, ready_dataset: Dataset, dashboard_root: Path
) -> None:
    response = _new_dataset(outsider_client, organisation, SimpleUploadedFile("x.json", RELEASE))
    assert response.status_code == 400  # not one of the user's organisations
    assert "Select a valid choice" in response.content.decode()
    anonymous = Client().post("/en/dashboard/upload/", {"file": SimpleUploadedFile("x.json", RELEASE)})
    assert anonymous.status_code == 403
    assert outsider_client.post(f"/en/dashboard/{ready_dataset.pk}/upload/", {}).status_code == 404
    assert not IngestJob.objects.exclude(pk=ready_dataset.current_job_id or 0).exists()
    assert not list(storage.uploads_dir().glob("*"))


def test_uploads_are_rate_limited(
    member_client: Client, organisation: Organisation, dashboard_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "UPLOADS_PER_HOUR", 1)
    assert (
        _new_dataset(member_client, organisation, SimpleUploadedFile("a.json", RELEASE), name="A").status_code == 302
    )
    response = _new_dataset(member_client, organisation, SimpleUploadedFile("b.json", RELEASE), name="B")
    assert response.status_code == 429
    assert "Too many uploads" in response.content.decode()
    assert IngestJob.objects.count() == 1
