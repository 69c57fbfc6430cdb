"""/api/v1/assessments/{token}/: one self-assessment, reached only with its resume token.

An assessment has no account: its resume link's token (256 random bits) is the credential, exactly as on
the pages. The API therefore answers only for a token the caller already holds, and the same 404 for an
unknown token as for a malformed one; it never lists assessments.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from civicbuy.api.errors import ErrorBody
from civicbuy.assessment.model import default_model
from civicbuy.assessment.views import LinkProblem, load_assessment

router = Router(tags=["assessments"])


class Spread(Schema):
    """The lowest and highest department level of a dimension."""

    minimum: int | None
    maximum: int | None


class DepartmentOut(Schema):
    """One department's answers and levels."""

    name: str
    answers: dict[str, Any]
    levels: dict[str, int | None]


class AssessmentOut(Schema):
    """An assessment's targets and levels per dimension, rolled up across departments."""

    organisation: str
    language: str
    model_version: int
    created: datetime
    updated: datetime
    expires: datetime
    targets: dict[str, int]
    levels: dict[str, int | None]
    spread: dict[str, Spread]
    departments: list[DepartmentOut]


@router.get(
    "/{token}/",
    response={200: AssessmentOut, 404: ErrorBody, 410: ErrorBody},
    summary="One assessment (by its resume token)",
)
def get_assessment(request: HttpRequest, token: str) -> dict[str, Any]:
    """The assessment whose resume link carries ``token``: targets, levels and departments' answers."""
    del request
    try:
        assessment = load_assessment(token)
    except LinkProblem as problem:
        raise HttpError(problem.status, str(problem.message)) from None
    model = default_model()
    rolled = assessment.roll_up(model)
    return {
        "organisation": assessment.organisation,
        "language": assessment.language,
        "model_version": model.version,
        "created": assessment.created,
        "updated": assessment.updated,
        "expires": assessment.expires,
        "targets": {str(k): int(v) for k, v in (assessment.targets or {}).items()},
        "levels": {code: r.level for code, r in rolled.items()},
        "spread": {code: {"minimum": r.minimum, "maximum": r.maximum} for code, r in rolled.items()},
        "departments": [
            {"name": d.name, "answers": d.answers, "levels": d.result(model).levels}
            for d in assessment.departments.all()
        ],
    }
