"""The self-assessment pages: start, answer, targets, results, exports, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from civicbuy.assessment.model import default_model

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any, language: str = "en") -> str:
    with override(language):
        return reverse(f"assessment:{name}", args=args)


@pytest.fixture
def assessment(client: Client) -> Any:
    from civicbuy.assessment.models import Assessment

    response = client.post(url("start"), {"organisation": "City of Testville", "department": "Housing"})
    assert response.status_code == 302
    return Assessment.objects.get(organisation="City of Testville")


def answer_all(client: Client, assessment: Any, department: Any, level: int, language: str = "en") -> None:
    for dimension in default_model().dimensions:
        data = {f"answer-{q.id}": str(level) for q in dimension.questions}
        response = client.post(
            url("dimension", assessment.token, department.pk, dimension.code, language=language), data
        )
        assert response.status_code == 302, response.content.decode()[:2000]


def test_start_page_explains_and_lists_levels(client: Client) -> None:
    response = client.get(url("start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Procurement maturity self-assessment" in body
    assert "Starting out" in body
    assert "Transforming" in body


def test_start_page_in_spanish(client: Client) -> None:
    response = client.get(url("start", language="es"))
    assert response.status_code == 200
    assert "Transformador" in response.content.decode()
    assert "/es/assessment/" in url("start", language="es")


def test_start_requires_a_name(client: Client) -> None:
    response = client.post(url("start"), {"organisation": ""})
    assert response.status_code == 400
    assert "Enter the name of your organisation" in response.content.decode()


def test_start_creates_a_resumable_assessment(client: Client, assessment: Any) -> None:
    assert len(assessment.token) >= 40
    response = client.get(url("overview", assessment.token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "City of Testville" in body
    assert assessment.token in body  # the resume link is shown
    assert "Housing" in body


def test_unknown_and_malformed_resume_links(client: Client) -> None:
    for token in ["A" * 43, "not a token", "short"]:
        response = client.get(f"/en/assessment/r/{token}/")
        assert response.status_code == 404
        assert "We cannot find this assessment" in response.content.decode()


def test_expired_resume_link(client: Client, assessment: Any) -> None:
    type(assessment).objects.filter(pk=assessment.pk).update(last_used=timezone.now() - timedelta(days=401))
    response = client.get(url("overview", assessment.token))
    assert response.status_code == 410
    assert "This assessment link has expired" in response.content.decode()


def test_answering_a_dimension_saves_and_moves_on(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    dimension = default_model().dimensions[0]
    data = {f"answer-{q.id}": "3" for q in dimension.questions}
    data[f"note-{dimension.questions[0].id}"] = "Strategy approved in March"
    data[f"evidence-{dimension.questions[0].id}"] = "https://example.org/strategy.pdf"
    response = client.post(url("dimension", assessment.token, department.pk, dimension.code), data)
    assert response.status_code == 302
    assert response["Location"] == url(
        "dimension", assessment.token, department.pk, default_model().dimensions[1].code
    )
    department.refresh_from_db()
    assert department.answers[dimension.questions[0].id] == {
        "level": 3,
        "note": "Strategy approved in March",
        "evidence_url": "https://example.org/strategy.pdf",
    }
    page = client.get(url("dimension", assessment.token, department.pk, dimension.code)).content.decode()
    assert "Strategy approved in March" in page
    assert "Part 1 of 11" in page


@pytest.mark.parametrize("value", ["7", "maybe", "0", "-1", "2.5"])
def test_tampered_answer_is_rejected_and_nothing_typed_is_lost(client: Client, assessment: Any, value: str) -> None:
    department = assessment.departments.get()
    dimension = default_model().dimensions[1]
    first, second = dimension.questions[0], dimension.questions[1]
    data = {f"answer-{first.id}": value, f"answer-{second.id}": "4", f"note-{second.id}": "Kept note"}
    response = client.post(url("dimension", assessment.token, department.pk, dimension.code), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The answer sent is not one of the choices for this question" in body
    assert "Kept note" in body
    assert 'value="4" checked' in body
    department.refresh_from_db()
    assert department.answers == {}


def test_answer_to_a_question_from_another_page_is_rejected(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    model = default_model()
    dimension = model.dimensions[0]
    other = model.dimensions[5].questions[0]
    data = {f"answer-{q.id}": "2" for q in dimension.questions} | {f"answer-{other.id}": "5", "answer-made.up": "1"}
    response = client.post(url("dimension", assessment.token, department.pk, dimension.code), data)
    assert response.status_code == 400
    assert "not on this page" in response.content.decode()
    department.refresh_from_db()
    assert department.answers == {}


def test_another_assessments_department_is_refused(client: Client, assessment: Any) -> None:
    from civicbuy.assessment.models import Assessment, Department

    other = Assessment.objects.create(organisation="Other city")
    foreign = Department.objects.create(assessment=other, name="Finance")
    code = default_model().dimensions[0].code
    response = client.get(url("dimension", assessment.token, foreign.pk, code))
    assert response.status_code == 404
    assert "This department is not part of this assessment" in response.content.decode()
    response = client.post(url("dimension", assessment.token, foreign.pk, code), {})
    assert response.status_code == 404
    response = client.get(url("results", assessment.token) + f"?department={foreign.pk}")
    assert response.status_code == 404
    for tampered in ("abc", "\u00b2", "-1", "9" * 30):  # "²" passes str.isdigit() and int() refuses it
        response = client.get(url("results", assessment.token), {"department": tampered})
        assert response.status_code == 404, tampered
        response = client.get(url("export_pdf", assessment.token), {"department": tampered})
        assert response.status_code == 404, tampered


def test_unknown_dimension(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    response = client.get(url("dimension", assessment.token, department.pk, "gardening"))
    assert response.status_code == 404
    assert "There is no such part of the assessment" in response.content.decode()


def test_departments_roll_up_with_spread(client: Client, assessment: Any) -> None:
    response = client.post(url("add_department", assessment.token), {"name": "Transport"})
    assert response.status_code == 302
    duplicate = client.post(url("add_department", assessment.token), {"name": "Transport"})
    assert duplicate.status_code == 400
    assert "There is already a department with this name" in duplicate.content.decode()
    housing, transport = assessment.departments.all()
    answer_all(client, assessment, housing, 1)
    answer_all(client, assessment, transport, 4)
    rolled = assessment.roll_up()
    assert all((r.level, r.minimum, r.maximum, r.spread) == (1, 1, 4, 3) for r in rolled.values())
    page = client.get(url("results", assessment.token)).content.decode()
    assert "1 to 4" in page  # spread in the data table
    assert "Range across departments" in page
    one = client.get(url("results", assessment.token) + f"?department={transport.pk}").content.decode()
    assert "Results for Transport" in one


def test_targets_results_roadmap_and_exports(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    answer_all(client, assessment, department, 2)
    codes = default_model().dimension_codes
    response = client.post(url("targets", assessment.token), {f"target-{codes[0]}": "4", f"target-{codes[5]}": "3"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.targets == {codes[0]: 4, codes[5]: 3}
    page = client.get(url("results", assessment.token)).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'role="img"' in page
    assert "<desc" in page
    assert "Your roadmap" in page
    assert "/en/guide/plan/set-outcomes-and-priorities/" in page
    assert page.index("Strategy and leadership: level") < page.index("</svg>")  # text alternative
    assert page.index('id="roadmap-strategy-leadership"') < page.index('id="roadmap-open-contracting-data"')

    csv_response = client.get(url("export_csv", assessment.token))
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("department,dimension,")
    assert len(text.splitlines()) == 1 + len(default_model().questions)

    data = json.loads(client.get(url("export_json", assessment.token)).content)
    assert data["levels"][codes[0]] == 2
    assert data["targets"] == {codes[0]: 4, codes[5]: 3}

    pdf = client.get(url("export_pdf", assessment.token))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_tampered_targets_are_rejected(client: Client, assessment: Any) -> None:
    codes = default_model().dimension_codes
    response = client.post(
        url("targets", assessment.token), {f"target-{codes[0]}": "9", "target-gardening": "2", "share_benchmark": "x"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "choose a target level from 1 to 5" in body
    assert "a part that does not exist" in body
    assert "The sharing choice sent was not one of the choices" in body
    assessment.refresh_from_db()
    assert assessment.targets == {}


def test_tampered_target_text_is_refused_not_a_server_error(client: Client, assessment: Any) -> None:
    codes = default_model().dimension_codes
    for tampered in ("--4", "\u00b2", "9" * 5000):
        response = client.post(url("targets", assessment.token), {f"target-{codes[0]}": tampered})
        assert response.status_code == 400, tampered
    assessment.refresh_from_db()
    assert assessment.targets == {}


def test_export_file_names_keep_the_letters_of_spanish_names(client: Client) -> None:
    from civicbuy.assessment.models import Assessment

    client.post(url("start"), {"organisation": "Municipalidad de Peñalolén", "department": "Ñuñoa"})
    assessment = Assessment.objects.get(organisation="Municipalidad de Peñalolén")
    disposition = client.get(url("export_csv", assessment.token))["Content-Disposition"]
    assert 'filename="civicbuy-assessment-municipalidad-de-penalolen-' in disposition


def test_snapshots_show_progress(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    answer_all(client, assessment, department, 2)
    assert client.post(url("snapshot", assessment.token)).status_code == 302
    answer_all(client, assessment, department, 3)
    page = client.get(url("results", assessment.token)).content.decode()
    assert "Change since last saved" in page
    assert "+1" in page


def test_peer_benchmark_is_opt_in_and_needs_five(client: Client, assessment: Any) -> None:
    from civicbuy.assessment.models import Assessment, Snapshot

    codes = default_model().dimension_codes
    for i in range(5):
        peer = Assessment.objects.create(organisation=f"Peer {i}", share_benchmark=True)
        Snapshot.objects.create(assessment=peer, levels=dict.fromkeys(codes, 1 + i % 5))
    page = client.get(url("results", assessment.token)).content.decode()
    assert "How other organisations compare" not in page  # this organisation has not opted in
    client.post(url("targets", assessment.token), {"share_benchmark": "yes"})
    page = client.get(url("results", assessment.token)).content.decode()
    assert "How other organisations compare" in page
    assert "Peer 0" not in page


def test_spanish_results_and_pdf(client: Client, assessment: Any) -> None:
    department = assessment.departments.get()
    answer_all(client, assessment, department, 3, language="es")
    client.post(url("targets", assessment.token, language="es"), {"target-social-value": "5"})
    page = client.get(url("results", assessment.token, language="es")).content.decode()
    assert "Valor social" in page
    assert "Consolidado" in page
    assert "/es/guide/" in page
    pdf = client.get(url("export_pdf", assessment.token, language="es"))
    assert pdf.content.startswith(b"%PDF")


def test_interface_is_translated_to_spanish(client: Client, assessment: Any) -> None:
    page = client.get(url("start", language="es")).content.decode()
    assert "Autoevaluación de madurez en contratación pública" in page
    department = assessment.departments.get()
    code = default_model().dimensions[0].code
    page = client.get(url("dimension", assessment.token, department.pk, code, language="es")).content.decode()
    assert "Guardar y continuar" in page
    assert "Área 1 de 11" in page
