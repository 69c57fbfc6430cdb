"""Impact pages: dataset overview, scenario form, commitments (form, CSV import, deliveries), PDF report."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicbuy.impact.models import Commitment, Delivery

pytestmark = pytest.mark.django_db


def test_index_lists_visible_datasets(client: Any, dataset: Any) -> None:
    response = client.get("/en/impact/")
    assert response.status_code == 200
    assert b"/en/impact/dataset/7/" in response.content


def test_dataset_page_shows_carbon_sdg_social_value_with_charts(client: Any, dataset: Any) -> None:
    response = client.get("/en/impact/dataset/7/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "tonnes CO2e" in html
    assert "Coverage:" in html
    assert html.count('role="img"') == 2  # both charts have an image role, a title and a description
    assert "Data table:" in html
    assert "12.7" in html or "13.2" in html
    assert "Supply Chain Greenhouse Gas Emission Factors v1.3" in html


def test_spanish_page_writes_numbers_and_words_in_spanish(client: Any, dataset: Any) -> None:
    html = client.get("/es/impact/dataset/7/").content.decode()
    assert "El gasto de cada contrato cuenta para todas las metas de los ODS" in html
    assert "spend of each contract" not in html
    # chart tables and descriptions group thousands the Spanish way, never with a comma
    cells = re.findall(r"<td class=\"govuk-table__cell[^\"]*\">([^<]*)</td>", html)
    grouped = [cell for cell in cells if re.fullmatch(r"\d{1,3}([.\u00a0]\d{3})+", cell.strip())]
    assert grouped, cells[:20]
    assert not [cell for cell in cells if re.fullmatch(r"\d{1,3}(,\d{3})+", cell.strip())]
    assert not re.search(r"EUR \d{1,3}(,\d{3})+", html)


def test_spanish_scenario_page_speaks_spanish(client: Any, dataset: Any) -> None:
    html = client.get("/es/impact/dataset/7/scenario/").content.decode()
    assert "Electricidad renovable" in html
    assert "Mobiliario" in html  # the product groups to choose from
    assert "Renewable electricity" not in html
    assert "Furniture" not in html


def test_unknown_dataset_is_404(client: Any, dataset: Any) -> None:
    assert client.get("/en/impact/dataset/8/").status_code == 404


def test_scenario_form_changes_the_total(client: Any, dataset: Any) -> None:
    page = client.get("/en/impact/dataset/7/scenario/")
    assert page.status_code == 200
    assert b"Show the difference" in page.content
    response = client.get(
        "/en/impact/dataset/7/scenario/",
        {"a0_share": "0", "a1_share": "100", "a1_multiplier": "10", "a2_share": "0", "a3_share": "0", "gpp_group": ""},
    )
    html = response.content.decode()
    assert "What each assumption changes" in html
    assert "Renewable electricity" in html
    bad = client.get("/en/impact/dataset/7/scenario/", {"a0_share": "150"})
    assert b"There is a problem" in bad.content


def test_anonymous_users_cannot_record_commitments(client: Any, dataset: Any) -> None:
    response = client.post("/en/impact/dataset/7/commitments/", {"contract_id": "x"})
    assert response.status_code == 403
    assert b"Sign in" in client.get("/en/impact/dataset/7/commitments/").content


def test_commitment_form_import_and_delivery(staff_client: Any, dataset: Any) -> None:
    url = "/en/impact/dataset/7/commitments/"
    response = staff_client.post(
        url,
        {"contract_id": "ocds-synth1-000000001/C-1", "supplier_name": "Supplier 544 Ltd", "supplier_id": "S544",
         "measure": "jobs.local_hires", "quantity": "10", "due_date": "2026-12-31"},
    )  # fmt: skip
    assert response.status_code == 302
    upload = SimpleUploadedFile(
        "commitments.csv",
        b"contract_id,supplier_id,supplier_name,measure,quantity,due_date\n"
        b"ocds-synth1-000000002/C-2,S912,Supplier 912 Ltd,env.co2e_saved,50,\n"
        b"ocds-synth1-000000002/C-2,S912,Supplier 912 Ltd,no.such.measure,5,\n",
        content_type="text/csv",
    )
    response = staff_client.post(url, {"file": upload}, follow=True)
    html = response.content.decode()
    assert "Imported 1 commitment." in html
    assert html.count("Imported 1 commitment.") == 1  # the page shows each message once
    assert "line 3: unknown measure" in html
    assert Commitment.objects.filter(dataset_id=7).count() == 2
    hires = Commitment.objects.get(measure="jobs.local_hires")
    staff_client.post(f"{url}{hires.pk}/deliveries/", {"quantity": "4", "date": "2026-03-01"})
    staff_client.post(f"{url}{hires.pk}/deliveries/", {"quantity": "abc", "date": "2026-03-01"})
    staff_client.post(f"{url}{hires.pk}/deliveries/", {"quantity": "1e308", "date": "2026-03-01"})
    assert Delivery.objects.filter(commitment=hires).count() == 1
    html = staff_client.get(url).content.decode()
    assert "Committed and delivered, per supplier and theme" in html
    assert "(40%)" in html
    overview = staff_client.get("/en/impact/dataset/7/").content.decode()
    assert "Supplier 544 Ltd" in overview


def test_quantities_beyond_the_cap_are_refused(staff_client: Any, dataset: Any) -> None:
    url = "/en/impact/dataset/7/commitments/"
    fields = {"contract_id": "c/1", "supplier_name": "Acme", "measure": "community.wellbys", "quantity": "1e308"}
    for _ in range(2):  # two of these would add up to infinity
        response = staff_client.post(url, fields)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert not Commitment.objects.filter(dataset_id=7).exists()


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Carbon of what the city buys"), ("es", "Carbono de lo que compra la ciudad")]
)
def test_pdf_report_opens_and_reads(client: Any, dataset: Any, tmp_path: Path, language: str, expected: str) -> None:
    Commitment.objects.create(
        dataset_id=7, contract_id="c/1", supplier_name="Acme", measure="skills.training_hours", quantity=100
    )
    response = client.get(f"/{language}/impact/dataset/7/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content, tmp_path)
    assert expected in text
    assert "CO2e" in text
    assert "Acme" in text
    assert "epa.gov" in text or "doi.org/10.23719/1531143" in text
    # the money of the factors is stated: currency and price year (docs/impact.md, "Conversion")
    assert "USD 2022" in " ".join(text.split())
    # the exchange rates and price indices are cited beside the factors; coverage reads as a percentage
    assert "European Central Bank" in text
    assert "Bureau of Labor Statistics" in text
    assert re.search(r"\b100% ", " ".join(text.split()))
