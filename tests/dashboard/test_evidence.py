"""The assessment's evidence hook reads measured figures from the user's latest dataset (dashboard.queries)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbuy.assessment.evidence import measured_lookup
from civicbuy.assessment.model import default_model
from civicbuy.assessment.models import Assessment
from civicbuy.assessment.scoring import evidence_for
from civicbuy.dashboard.models import Dataset
from civicbuy.dashboard.queries import dataset_summary
from civicbuy.dashboard.summary import ALL

SINGLE_BID = "competition.single_bid_rate"


def test_questions_show_the_figure_measured_in_the_latest_dataset(
    ready_dataset: Dataset, member: Any, member_client: Client, outsider: Any
) -> None:
    figures = dataset_summary(ready_dataset)
    expected = figures.indicator_values(ALL)[(SINGLE_BID, "dataset", "dataset")]
    figures.close()
    model = default_model()
    question = next(q for q in model.questions if q.evidence == SINGLE_BID)
    found = evidence_for(model, measured_lookup(member))
    assert found[question.id].value == pytest.approx(expected)
    assert found[question.id].dataset == ready_dataset.name
    assert evidence_for(model, measured_lookup(outsider)) == {}  # no data of their own: no figures

    assessment = Assessment.objects.create(organisation="Riverton")
    department = assessment.departments.create(name="Procurement office")
    dimension = next(d for d in model.dimensions if question in d.questions)
    page = member_client.get(f"/en/assessment/r/{assessment.token}/d/{department.pk}/{dimension.code}/")
    assert page.status_code == 200
    assert f"Measured in your data ({ready_dataset.name}, " in page.content.decode()
    assert f": {round(expected * 100)}%." in page.content.decode()
