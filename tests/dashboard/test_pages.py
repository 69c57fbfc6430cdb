"""Every dashboard page and export, for members, outsiders and anonymous visitors."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import Client
from openpyxl import load_workbook

from civicbuy.dashboard import summary as summary_module
from civicbuy.dashboard.models import Dataset
from civicbuy.dashboard.queries import dataset_summary


def _pages(dataset: Dataset) -> list[str]:
    figures = dataset_summary(dataset)
    buyer = figures.overview["buyer_choices"][0]["id"]
    year = figures.overview["years"][0]
    _total, rows = figures.flagged_processes(summary_module.Filters(), None, 0, 1)
    figures.close()
    base = f"/en/dashboard/{dataset.pk}/"
    return [
        base,
        f"{base}?year={year}",
        f"{base}?cpv=45&method=open",
        f"{base}buyers/",
        f"{base}buyers/{buyer}/",
        f"{base}red-flags/",
        f"{base}red-flags/?flag=R003&page=2",
        f"{base}processes/{rows[0]['ocid']}/",
        f"/en/dashboard/jobs/{dataset.current_job_id}/",
        f"{base}upload/",
    ]


def test_every_page_answers_for_a_member(member_client: Client, ready_dataset: Dataset) -> None:
    for url in ["/en/dashboard/", *_pages(ready_dataset)]:
        response = member_client.get(url)
        assert response.status_code == 200, url


def test_another_organisations_dataset_is_not_found(outsider_client: Client, ready_dataset: Dataset) -> None:
    base = f"/en/dashboard/{ready_dataset.pk}/"
    urls = [
        *_pages(ready_dataset),
        f"{base}export/buyers.xlsx",
        f"{base}report.pdf",
        f"{base}tables/processes.parquet",
    ]
    for url in urls:
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.post(f"/en/dashboard/jobs/{ready_dataset.current_job_id}/cancel/").status_code == 404
    assert outsider_client.post(f"{base}delete/").status_code == 404
    assert ready_dataset.name not in outsider_client.get("/en/dashboard/").content.decode()


def test_anonymous_visitors_see_public_data_but_cannot_upload(ready_dataset: Dataset) -> None:
    client = Client()
    assert client.get(f"/en/dashboard/{ready_dataset.pk}/").status_code == 404
    ready_dataset.public = True
    ready_dataset.save()
    assert client.get(f"/en/dashboard/{ready_dataset.pk}/").status_code == 200
    assert client.get(f"/en/dashboard/{ready_dataset.pk}/upload/").status_code == 404
    page = client.get("/en/dashboard/").content.decode()
    assert "Sign in to upload your data" in page


def test_overview_explains_the_data_and_links_to_the_guide(member_client: Client, ready_dataset: Dataset) -> None:
    page = member_client.get(f"/en/dashboard/{ready_dataset.pk}/").content.decode()
    assert "We can compute" in page
    for family in ("Competition", "Timeliness", "Transparency", "Integrity: red flags", "Supplier diversity"):
        assert family in page
    assert "How to improve this" in page
    assert 'href="/en/guide/tender/set-realistic-deadlines/"' in page  # R003's guide step
    assert 'role="img"' in page  # charts drawn at ingest, with a title and description
    assert "Data table:" in page


def test_filters_stay_in_the_url_and_change_the_figures(member_client: Client, ready_dataset: Dataset) -> None:
    figures = dataset_summary(ready_dataset)
    buyer = figures.overview["buyer_choices"][0]
    figures.close()
    page = member_client.get(f"/en/dashboard/{ready_dataset.pk}/?buyer={buyer['id']}").content.decode()
    assert f"buyer={buyer['id']}" in page  # links to the other sections keep the filter
    assert f'<h1 class="govuk-heading-xl">{ready_dataset.name}: {buyer["name"]}</h1>' in page
    # an unknown value is ignored, not an error
    assert member_client.get(f"/en/dashboard/{ready_dataset.pk}/?year=1066&buyer=nobody").status_code == 200


def test_flagged_processes_give_the_reason_for_each_flag(member_client: Client, ready_dataset: Dataset) -> None:
    page = member_client.get(f"/en/dashboard/{ready_dataset.pk}/red-flags/?flag=R003").content.decode()
    assert "Short submission period" in page
    assert "flagged processes" in page


def test_unknown_buyer_and_process_are_not_found(member_client: Client, ready_dataset: Dataset) -> None:
    base = f"/en/dashboard/{ready_dataset.pk}/"
    assert member_client.get(f"{base}buyers/NOBODY/").status_code == 404
    assert member_client.get(f"{base}processes/ocds-none-1/").status_code == 404
    assert member_client.get(f"{base}export/secrets.csv").status_code == 404
    assert member_client.get(f"{base}tables/..%2Fmanifest.parquet").status_code == 404


def test_excel_and_csv_exports(member_client: Client, ready_dataset: Dataset) -> None:
    base = f"/en/dashboard/{ready_dataset.pk}/export/"
    response = member_client.get(f"{base}flagged.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "OCID"
    assert sheet.max_row > 1
    text = member_client.get(f"{base}indicators.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Indicator code", "Indicator"]
    assert any(row[0] == "competition.single_bid_rate" for row in rows)
    buyers = list(csv.reader(io.StringIO(member_client.get(f"{base}buyers.csv").content.decode("utf-8-sig"))))
    assert len(buyers) > 2


def test_pdf_report_has_the_dashboard(member_client: Client, ready_dataset: Dataset, tmp_path: Path) -> None:
    response = member_client.get(f"/en/dashboard/{ready_dataset.pk}/report.pdf")
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert ready_dataset.name in text
    assert "Competition" in text
    assert "We can compute" in text
    # Charts go in as the images made at ingest from their SVGs (fast to lay out), not as inline SVG.
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert len(images.strip().splitlines()) - 2 >= 2
    assert any((dataset_summary(ready_dataset).path / "charts").glob("*.jpg"))


def test_parquet_tables_for_analysts(member_client: Client, ready_dataset: Dataset, tmp_path: Path) -> None:
    response = member_client.get(f"/en/dashboard/{ready_dataset.pk}/tables/processes.parquet")
    path = tmp_path / "processes.parquet"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert pq.read_table(path).num_rows == 400


@pytest.mark.parametrize("language", ["en", "es"])
def test_pages_have_one_heading_and_the_language(member_client: Client, ready_dataset: Dataset, language: str) -> None:
    page = member_client.get(f"/{language}/dashboard/{ready_dataset.pk}/").content.decode()
    assert page.count("<h1") == 1
    assert f'lang="{language}"' in page
