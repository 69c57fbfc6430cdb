"""Self-assessment pages: start, answer by dimension, set targets, see results and a roadmap, export.

Every page after the start is reached through the assessment's resume link (``r/<token>/``). An
unknown or expired link, a department that belongs to another assessment, and a tampered form post
each get a page that says plainly what is wrong; a post that fails re-shows everything that was typed,
so no answer is lost.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbuy.assessment.evidence import measured_lookup
from civicbuy.assessment.forms import DepartmentForm, StartForm
from civicbuy.assessment.model import LEVELS, Dimension, MaturityModel, default_model
from civicbuy.assessment.models import Assessment, Department, Snapshot
from civicbuy.assessment.report import build_report, export_rows
from civicbuy.assessment.scoring import (
    UNANSWERED_VALUES,
    AnswerError,
    Measurement,
    evidence_for,
    parse_answers,
    parse_targets,
)

if TYPE_CHECKING:
    from collections.abc import Callable

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: A department id in a query string: ASCII digits that fit a database integer ("²" passes str.isdigit()).
DEPARTMENT_ID = re.compile(r"[0-9]{1,18}")
FIELD_PREFIXES = ("answer-", "note-", "evidence-")
MAX_DEPARTMENTS = 50


class LinkProblem(Exception):  # noqa: N818 - a page to show, not a programming error
    """A resume link or id that cannot be used; carries the page's status, title and message."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def _language() -> str:
    return (get_language() or "en")[:2]


def _problem_page(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    return render(
        request,
        "assessment/problem.html",
        {"title": problem.title, "message": problem.message},
        status=problem.status,
    )


def with_assessment(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the assessment of the resume link (or show why it cannot be used) and pass it to the view."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            assessment = load_assessment(token)
            return view(request, assessment, *args, **kwargs)
        except LinkProblem as problem:
            return _problem_page(request, problem)

    return wrapper


def load_assessment(token: str) -> Assessment:
    """Return the assessment for a resume token; raise :class:`LinkProblem` when unknown or expired."""
    unknown = LinkProblem(
        404,
        _("We cannot find this assessment"),
        _(
            "The link may be mistyped or incomplete: check that you copied all of it. "
            "If the assessment was deleted, start a new one."
        ),
    )
    if not TOKEN_PATTERN.match(token):
        raise unknown
    assessment = Assessment.objects.filter(token=token).first()
    if assessment is None:
        raise unknown
    if assessment.expired:
        raise LinkProblem(
            410,
            _("This assessment link has expired"),
            _("Links stop working after 400 days without use, to protect your answers. Start a new assessment."),
        )
    assessment.touch()
    return assessment


def _department(assessment: Assessment, department_id: int) -> Department:
    department = assessment.departments.filter(pk=department_id).first()
    if department is None:
        raise LinkProblem(
            404,
            _("This department is not part of this assessment"),
            _("Go back to the assessment overview and choose one of its departments."),
        )
    return department


def _dimension(model: MaturityModel, code: str) -> Dimension:
    try:
        return model.dimension(code)
    except KeyError:
        raise LinkProblem(
            404,
            _("There is no such part of the assessment"),
            _("Go back to the assessment overview and choose one of the listed parts."),
        ) from None


# --------------------------------------------------------------------------------------------------
# Start and overview


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Explain the self-assessment and start one (no account needed)."""
    model = default_model()
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organisation=form.cleaned_data["organisation"], language=_language(), model_version=model.version
            )
            Department.objects.create(
                assessment=assessment, name=form.cleaned_data["department"] or _("Whole organisation")
            )
        messages.success(
            request,
            _("Your assessment is saved. Keep the link to this page: anyone with it can see and change the answers."),
        )
        return HttpResponseRedirect(reverse("assessment:overview", args=[assessment.token]))
    language = _language()
    return render(
        request,
        "assessment/start.html",
        {
            "form": form,
            "levels": [(level.number, level.name(language), level.summary(language)) for level in model.levels],
            "dimensions": [(d.title(language), d.summary(language)) for d in model.dimensions],
        },
        status=400 if form.errors else 200,
    )


def _overview_context(
    request: HttpRequest, assessment: Assessment, form: DepartmentForm | None = None
) -> dict[str, Any]:
    model = default_model()
    language = _language()
    departments = []
    for department in assessment.departments.all():
        result = department.result(model)
        dimensions: list[dict[str, Any]] = [
            {
                "code": d.code,
                "title": d.title(language),
                "answered": result.scores[d.code].answered,
                "total": result.scores[d.code].total,
                "url": reverse("assessment:dimension", args=[assessment.token, department.pk, d.code]),
            }
            for d in model.dimensions
        ]
        next_dimension = next((d for d in dimensions if d["answered"] < d["total"]), dimensions[0])
        departments.append(
            {
                "department": department,
                "percent": round(100 * result.completion),
                "dimensions": dimensions,
                "continue_url": next_dimension["url"],
                "complete": result.answered == result.total,
            }
        )
    return {
        "assessment": assessment,
        "departments": departments,
        "form": form or DepartmentForm(),
        "resume_url": request.build_absolute_uri(reverse("assessment:overview", args=[assessment.token])),
        "can_add": len(departments) < MAX_DEPARTMENTS,
    }


@require_http_methods(["GET"])
@with_assessment
def overview(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The resume page: departments and their progress, what to do next, and the links to keep."""
    return render(request, "assessment/overview.html", _overview_context(request, assessment))


@require_POST
@with_assessment
def add_department(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Add a department; its answers will roll up into the organisation's results."""
    form = DepartmentForm(request.POST)
    if form.is_valid():
        if assessment.departments.count() >= MAX_DEPARTMENTS:
            form.add_error(
                "name", _("An assessment can have at most %(count)s departments") % {"count": MAX_DEPARTMENTS}
            )
        else:
            try:
                with transaction.atomic():
                    department = Department.objects.create(assessment=assessment, name=form.cleaned_data["name"])
            except IntegrityError:
                form.add_error("name", _("There is already a department with this name"))
            else:
                messages.success(request, _("Department added: %(name)s") % {"name": department.name})
                return HttpResponseRedirect(reverse("assessment:overview", args=[assessment.token]))
    return render(request, "assessment/overview.html", _overview_context(request, assessment, form), status=400)


# --------------------------------------------------------------------------------------------------
# Answering one dimension


def _answer_fields(request: HttpRequest, dimension: Dimension) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Read the posted answers of one dimension; report fields that name questions not on this page."""
    expected = {q.id for q in dimension.questions}
    problems = [
        _("The form contained an answer to a question that is not on this page (%(id)s); nothing was saved.")
        % {"id": key.removeprefix(prefix)[:80]}
        for key in request.POST
        for prefix in FIELD_PREFIXES
        if key.startswith(prefix) and key.removeprefix(prefix) not in expected
    ]
    submitted = {
        q.id: {
            "level": request.POST.get(f"answer-{q.id}", ""),
            "note": request.POST.get(f"note-{q.id}", ""),
            "evidence_url": request.POST.get(f"evidence-{q.id}", ""),
        }
        for q in dimension.questions
    }
    return submitted, problems


def _question_errors(model: MaturityModel, submitted: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for question_id, raw in submitted.items():
        try:
            parse_answers(model, {question_id: raw})
        except AnswerError as error:
            errors[question_id] = [_friendly(problem) for problem in error.problems]
    return errors


def _friendly(problem: str) -> str:
    """Turn a scoring problem into the sentence shown beside the question."""
    if "is not one of the options" in problem or "out of range" in problem:
        return _("The answer sent is not one of the choices for this question. Choose one of the answers listed.")
    if "evidence link" in problem:
        return _("Enter the evidence link as a web address starting with https://")
    if "note: too long" in problem:
        return _("The note is too long: use 2,000 characters or fewer")
    return problem


@require_http_methods(["GET", "POST"])
@with_assessment
def dimension(request: HttpRequest, assessment: Assessment, department_id: int, code: str) -> HttpResponse:
    """One dimension's questions for one department; saving goes on to the next dimension."""
    model = default_model()
    department = _department(assessment, department_id)
    current = _dimension(model, code)
    codes = list(model.dimension_codes)
    position = codes.index(code)
    next_code = codes[position + 1] if position + 1 < len(codes) else None
    stored = department.answers or {}
    errors: dict[str, list[str]] = {}
    page_problems: list[str] = []
    status = 200
    if request.method == "POST":
        submitted, page_problems = _answer_fields(request, current)
        errors = _question_errors(model, submitted)
        if not errors and not page_problems:
            answers = parse_answers(model, submitted)
            merged = dict(stored)
            for question in current.questions:
                answer = answers[question.id]
                if answer.level is None and not answer.note and not answer.evidence_url:
                    merged.pop(question.id, None)
                else:
                    merged[question.id] = {
                        "level": answer.level,
                        "note": answer.note,
                        "evidence_url": answer.evidence_url,
                    }
            department.answers = merged
            department.save(update_fields=["answers", "updated"])
            if request.POST.get("next") == "overview" or next_code is None:
                messages.success(request, _("Answers saved."))
                target = reverse("assessment:overview", args=[assessment.token])
            else:
                target = reverse("assessment:dimension", args=[assessment.token, department.pk, next_code])
            return HttpResponseRedirect(target)
        status = 400
        values = submitted
    else:
        values = {
            q.id: {
                "level": str(stored.get(q.id, {}).get("level") or ""),
                "note": stored.get(q.id, {}).get("note", ""),
                "evidence_url": stored.get(q.id, {}).get("evidence_url", ""),
            }
            for q in current.questions
        }
    language = _language()
    measured = evidence_for(model, measured_lookup(request.user)) if any(q.evidence for q in current.questions) else {}
    questions = [
        {
            "id": q.id,
            "number": i,
            "text": q.text(language),
            "help": q.help(language),
            "options": [(str(o.level), o.label(language), model.level(o.level).name(language)) for o in q.options],
            "value": values[q.id]["level"] if values[q.id]["level"] not in UNANSWERED_VALUES else "",
            "note": values[q.id]["note"],
            "evidence_url": values[q.id]["evidence_url"],
            "errors": errors.get(q.id, []),
            "evidence_code": q.evidence,
            "measured": _measured_text(measured.get(q.id)),
        }
        for i, q in enumerate(current.questions, start=1)
    ]
    return render(
        request,
        "assessment/dimension.html",
        {
            "assessment": assessment,
            "department": department,
            "dimension": {"code": code, "title": current.title(language), "summary": current.summary(language)},
            "questions": questions,
            "position": position + 1,
            "count": len(codes),
            "percent": round(100 * position / len(codes)),
            "steps": [
                {
                    "title": d.title(language),
                    "url": reverse("assessment:dimension", args=[assessment.token, department.pk, d.code]),
                    "current": d.code == code,
                }
                for d in model.dimensions
            ],
            "next_code": next_code,
            "has_errors": bool(errors or page_problems),
            "page_problems": page_problems,
        },
        status=status,
    )


def _measured_text(measurement: Measurement | None) -> str:
    """A measured figure beside its question, in words ("" when there is none)."""
    if measurement is None or measurement.value is None:
        return ""
    if measurement.unit == "share":
        value = _("%(value)s%%") % {"value": number_format(round(measurement.value * 100), force_grouping=True)}
    else:
        value = number_format(measurement.value, decimal_pos=1, force_grouping=True)
    return _("Measured in your data (%(dataset)s, %(date)s): %(value)s.") % {
        "dataset": measurement.dataset,
        "date": measurement.as_of,
        "value": value,
    }


# --------------------------------------------------------------------------------------------------
# Targets


@require_http_methods(["GET", "POST"])
@with_assessment
def targets(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Choose a target level per dimension (and whether to share anonymised levels with peers)."""
    model = default_model()
    language = _language()
    values: dict[str, str] = {code: str(level) for code, level in (assessment.targets or {}).items()}
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        raw = {
            key.removeprefix("target-"): request.POST.get(key, "") for key in request.POST if key.startswith("target-")
        }
        share = request.POST.get("share_benchmark", "")
        values = raw
        try:
            parsed = parse_targets(model, raw)
        except AnswerError as error:
            problems = [_target_problem(model, problem, language) for problem in error.problems]
        if share not in {"", "yes"}:
            problems.append(_("The sharing choice sent was not one of the choices. Tick the box or leave it empty."))
        if not problems:
            assessment.targets = parsed
            assessment.share_benchmark = share == "yes"
            assessment.save(update_fields=["targets", "share_benchmark", "updated"])
            messages.success(request, _("Targets saved."))
            return HttpResponseRedirect(reverse("assessment:results", args=[assessment.token]))
        status = 400
    rolled = assessment.roll_up(model)
    rows = [
        {
            "code": d.code,
            "title": d.title(language),
            "current": current,
            "current_name": model.level(current).name(language) if current else "",
            "value": values.get(d.code, ""),
        }
        for d in model.dimensions
        for current in [rolled[d.code].level]
    ]
    return render(
        request,
        "assessment/targets.html",
        {
            "assessment": assessment,
            "rows": rows,
            "levels": [(str(level.number), level.name(language)) for level in model.levels],
            "problems": problems,
            "share": assessment.share_benchmark
            if request.method == "GET"
            else request.POST.get("share_benchmark") == "yes",
        },
        status=status,
    )


def _target_problem(model: MaturityModel, problem: str, language: str) -> str:
    if problem.startswith("unknown dimension"):
        return _("The form contained a target for a part that does not exist; nothing was saved.")
    for d in model.dimensions:
        if f"'{d.code}'" in problem:
            return _("%(dimension)s: choose a target level from 1 to %(max)s.") % {
                "dimension": d.title(language),
                "max": LEVELS[-1],
            }
    return problem


# --------------------------------------------------------------------------------------------------
# Results, snapshots, exports


def _link_titles(language: str, model: MaturityModel) -> dict[str, str]:
    """Titles of the guide steps, topic guides and case studies the roadmap links to, from the CMS.

    Falls back to readable slugs (empty result) when pages are not loaded or the CMS is unavailable.
    """
    try:
        from wagtail.models import Page

        slugs = {path.rsplit("/", 1)[1] for path in model.links}
        pages = Page.objects.live().filter(locale__language_code=language, slug__in=slugs)
        titles: dict[str, str] = {}
        for url_path, title in pages.values_list("url_path", "title"):
            parts = url_path.strip("/").split("/")
            if len(parts) < 2:  # noqa: PLR2004
                continue
            parent, slug = parts[-2], parts[-1]
            for candidate in (f"{parent}/{slug}", f"cases/{slug}"):
                if candidate in model.links:
                    titles[candidate] = title
                    break
    except (DatabaseError, LookupError, ImportError):
        return {}
    return titles


def _benchmark_levels(model: MaturityModel) -> list[dict[str, int | None]]:
    """The latest saved levels of every organisation that opted in to the peer benchmark."""
    shared: list[dict[str, int | None]] = []
    for assessment in Assessment.objects.live().sharing_benchmark().prefetch_related("snapshots"):
        latest = assessment.snapshots.first()
        if latest is not None and latest.model_version == model.version:
            shared.append(latest.levels)
    return shared


def _report_for(request: HttpRequest, assessment: Assessment, *, for_export: bool = False) -> tuple[Any, Any]:
    model = default_model()
    language = _language()
    department = None
    department_id = request.GET.get("department", "")
    if department_id:
        if not DEPARTMENT_ID.fullmatch(department_id):
            raise LinkProblem(
                404, _("This department is not part of this assessment"), _("Choose one of the departments listed.")
            )
        department = _department(assessment, int(department_id))
    report = build_report(
        assessment,
        language=language,
        department=department.name if department else None,
        titles=_link_titles(language, model),
        model=model,
        benchmark=_benchmark_levels(model) if assessment.share_benchmark and not for_export else None,
    )
    return report, department


@require_http_methods(["GET"])
@with_assessment
def results(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Levels per dimension (radar, bars, table), strengths, gaps, roadmap, progress and exports."""
    report, department = _report_for(request, assessment)
    query = f"?department={department.pk}" if department else ""
    return render(
        request,
        "assessment/results.html",
        {
            "assessment": assessment,
            "report": report,
            "department": department,
            "department_list": list(assessment.departments.all()),
            "query": query,
            "snapshots": list(assessment.snapshots.all()[:10]),
        },
    )


@require_POST
@with_assessment
def snapshot(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Save today's organisation levels, so the next assessment can show progress."""
    model = default_model()
    rolled = assessment.roll_up(model)
    Snapshot.objects.create(
        assessment=assessment,
        model_version=model.version,
        levels={code: r.level for code, r in rolled.items()},
        department_levels={code: r.department_levels for code, r in rolled.items()},
    )
    messages.success(request, _("Results saved. Repeat the assessment later to see your progress."))
    return HttpResponseRedirect(reverse("assessment:results", args=[assessment.token]))


def _filename(assessment: Assessment, extension: str) -> str:
    slug = slugify(assessment.organisation)[:60].strip("-") or "assessment"  # "Peñalolén" → "penalolen"
    return f"civicbuy-assessment-{slug}-{timezone.now():%Y-%m-%d}.{extension}"


@require_http_methods(["GET"])
@with_assessment
def export_csv(_request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """All answers as CSV (one row per department and question), for spreadsheets."""
    rows = export_rows(assessment, _language())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["department"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "csv")}"'
    return response


def _csv_safe(value: Any) -> Any:
    """Stop spreadsheet formula injection from free-text notes (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


@require_http_methods(["GET"])
@with_assessment
def export_json(_request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Answers, targets and levels as JSON (answers keyed by question id, as the scoring module reads them)."""
    model = default_model()
    rolled = assessment.roll_up(model)
    data = {
        "organisation": assessment.organisation,
        "model_version": model.version,
        "exported": timezone.now().isoformat(),
        "targets": assessment.targets,
        "levels": {code: r.level for code, r in rolled.items()},
        "spread": {code: {"min": r.minimum, "max": r.maximum} for code, r in rolled.items()},
        "departments": [
            {"name": d.name, "answers": d.answers, "levels": d.result(model).levels}
            for d in assessment.departments.all()
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "json")}"'
    return response


@require_http_methods(["GET"])
@with_assessment
def export_pdf(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """A print-quality PDF report in the user's language (WeasyPrint)."""
    from weasyprint import HTML

    report, department = _report_for(request, assessment, for_export=True)
    html = render_to_string(
        "assessment/report_pdf.html",
        {"assessment": assessment, "report": report, "department": department, "today": timezone.now()},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "pdf")}"'
    return response
