"""Everything the results page, the PDF report and the exports show, computed once per request.

Views and exports call :func:`build_report`; templates only display what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicbuy.assessment.charts import ChartRow, bar_chart, radar_chart
from civicbuy.assessment.model import DEFAULT_LANGUAGE, Link, MaturityModel, default_model
from civicbuy.assessment.roadmap import build_roadmap
from civicbuy.assessment.scoring import (
    AssessmentResult,
    RolledUpScore,
    level_distribution,
    not_assessed,
    progress,
    roll_up,
    strengths,
)

if TYPE_CHECKING:
    from civicbuy.assessment.models import Assessment, Snapshot

LINK_KINDS = {
    "step": gettext_lazy("Guide step"),
    "topic": gettext_lazy("Topic guide"),
    "case": gettext_lazy("Case study"),
}


def link_url(link: Link, language: str) -> str:
    """The public address of a guide step, topic guide or case study (paths from ARCHITECTURE.md)."""
    if link.kind == "case":
        return f"/{language}/case-studies/{link.slug}/"
    if link.kind == "topic":
        return f"/{language}/guide/topics/{link.slug}/"
    return f"/{language}/guide/{link.section}/{link.slug}/"


@dataclass(frozen=True)
class LinkView:
    """A roadmap link ready to display."""

    kind: str
    kind_label: str
    url: str
    title: str
    path: str


@dataclass(frozen=True)
class DimensionRow:
    """One dimension's line in the results: level, target, gap and the departments' spread."""

    code: str
    title: str
    summary: str
    level: int | None
    level_name: str
    score: float | None
    target: int | None
    target_name: str
    minimum: int | None
    maximum: int | None
    spread: int | None
    answered: int
    total: int
    department_levels: dict[str, int | None] = field(default_factory=dict)
    change: int | None = None

    @property
    def gap(self) -> int:
        """Levels still to climb to reach the target (0 when met or not set)."""
        if self.level is None or self.target is None:
            return 0
        return max(self.target - self.level, 0)


@dataclass(frozen=True)
class RoadmapStepView:
    """The actions to reach one level."""

    level: int
    level_name: str
    actions: list[tuple[str, list[LinkView]]]


@dataclass(frozen=True)
class RoadmapView:
    """One roadmap item: a gap and the steps that close it."""

    code: str
    title: str
    current: int
    current_name: str
    target: int
    target_name: str
    steps: list[RoadmapStepView]

    @property
    def gap(self) -> int:
        """Levels between current and target."""
        return self.target - self.current


@dataclass(frozen=True)
class Report:
    """Results of one assessment in one language."""

    language: str
    scope: str  # "organisation" or a department name
    rows: list[DimensionRow]
    departments: list[str]
    strengths: list[DimensionRow]
    roadmap: list[RoadmapView]
    not_assessed: list[DimensionRow]
    radar_svg: str
    bar_svg: str
    answered: int
    total: int
    previous: Snapshot | None = None
    benchmark: dict[str, dict[int, int] | None] = field(default_factory=dict)

    @property
    def completion_percent(self) -> int:
        """Share of questions answered across departments, as a whole percentage."""
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def benchmark_rows(self) -> list[tuple[DimensionRow, list[int]]]:
        """Dimensions with enough sharing organisations, each with counts at levels 1..5."""
        found: list[tuple[DimensionRow, list[int]]] = []
        for row in self.rows:
            counts = self.benchmark.get(row.code)
            if counts:
                found.append((row, [counts[level] for level in range(1, 6)]))
        return found


def build_report(
    assessment: Assessment,
    *,
    language: str = DEFAULT_LANGUAGE,
    department: str | None = None,
    titles: dict[str, str] | None = None,
    model: MaturityModel | None = None,
    benchmark: list[dict[str, int | None]] | None = None,
) -> Report:
    """Score the assessment (the organisation, or one department) and assemble what the pages show."""
    model = model or default_model()
    titles = titles or {}
    results: dict[str, AssessmentResult] = assessment.department_results(model)
    if department is not None:
        results = {department: results[department]}
    rolled: dict[str, RolledUpScore] = roll_up(model, results)
    levels = {code: r.level for code, r in rolled.items()}
    targets = {k: int(v) for k, v in (assessment.targets or {}).items() if k in levels}
    previous = assessment.snapshots.first() if department is None else None
    changes = progress(model, previous.levels, levels) if previous is not None else {}

    def level_name(level: int | None) -> str:
        return model.level(level).name(language) if level else ""

    rows: list[DimensionRow] = []
    for dimension in model.dimensions:
        code = dimension.code
        r = rolled[code]
        answered = sum(res.scores[code].answered for res in results.values())
        total = sum(res.scores[code].total for res in results.values())
        mean_scores: list[float] = [value for res in results.values() if (value := res.scores[code].score) is not None]
        rows.append(
            DimensionRow(
                code=code,
                title=dimension.title(language),
                summary=dimension.summary(language),
                level=r.level,
                level_name=level_name(r.level),
                score=round(sum(mean_scores) / len(mean_scores), 2) if mean_scores else None,
                target=targets.get(code),
                target_name=level_name(targets.get(code)),
                minimum=r.minimum,
                maximum=r.maximum,
                spread=r.spread,
                answered=answered,
                total=total,
                department_levels=r.department_levels,
                change=changes.get(code),
            )
        )
    by_code = {row.code: row for row in rows}

    roadmap: list[RoadmapView] = []
    for item in build_roadmap(model, levels, targets):
        steps = [
            RoadmapStepView(
                level=step.level,
                level_name=level_name(step.level),
                actions=[
                    (action.text(language), [_link_view(link, language, titles) for link in action.links])
                    for action in step.actions
                ],
            )
            for step in item.steps
        ]
        roadmap.append(
            RoadmapView(
                code=item.dimension.code,
                title=item.dimension.title(language),
                current=item.current,
                current_name=level_name(item.current),
                target=item.target,
                target_name=level_name(item.target),
                steps=steps,
            )
        )

    chart_rows = [ChartRow(row.title, row.level, row.target, row.minimum, row.maximum) for row in rows]
    summary = _chart_description(rows)
    scope_title = _("Organisation") if department is None else department
    radar = radar_chart(
        chart_rows,
        chart_id="radar",
        title=_("Maturity level by dimension (radar chart): %(scope)s") % {"scope": scope_title},
        description=summary,
        current_label=_("Current level"),
        target_label=_("Target"),
    )
    bars = bar_chart(
        chart_rows,
        chart_id="bars",
        title=_("Maturity level by dimension (bar chart): %(scope)s") % {"scope": scope_title},
        description=summary,
        current_label=_("Current level"),
        target_label=_("Target"),
        spread_label=_("Range across departments"),
    )
    distribution = level_distribution(model, benchmark) if benchmark is not None else {}
    return Report(
        language=language,
        scope="organisation" if department is None else department,
        rows=rows,
        departments=list(results),
        strengths=[by_code[code] for code in strengths(model, levels, targets)],
        roadmap=roadmap,
        not_assessed=[by_code[code] for code in not_assessed(model, levels)],
        radar_svg=radar,
        bar_svg=bars,
        answered=sum(res.answered for res in results.values()),
        total=sum(res.total for res in results.values()),
        previous=previous,
        benchmark=distribution,
    )


def _link_view(link: Link, language: str, titles: dict[str, str]) -> LinkView:
    title = titles.get(link.path) or link.slug.replace("-", " ").capitalize()
    return LinkView(
        kind=link.kind,
        kind_label=str(LINK_KINDS[link.kind]),
        url=link_url(link, language),
        title=title,
        path=link.path,
    )


def _chart_description(rows: list[DimensionRow]) -> str:
    parts = []
    for row in rows:
        if row.level is None:
            text = _("%(dimension)s: not assessed yet") % {"dimension": row.title}
        else:
            text = _("%(dimension)s: level %(level)s (%(name)s)") % {
                "dimension": row.title,
                "level": row.level,
                "name": row.level_name,
            }
        if row.target:
            text += _(", target %(target)s") % {"target": row.target}
        if row.spread:
            text += _(", departments range from %(min)s to %(max)s") % {"min": row.minimum, "max": row.maximum}
        parts.append(text)
    return "; ".join(parts) + "."


def export_rows(assessment: Assessment, language: str, model: MaturityModel | None = None) -> list[dict[str, Any]]:
    """One row per department and question: the answers as a flat table (CSV and JSON exports)."""
    model = model or default_model()
    rows: list[dict[str, Any]] = []
    for department in assessment.departments.all():
        answers = department.checked_answers(model)
        for dimension in model.dimensions:
            for question in dimension.questions:
                answer = answers.get(question.id)
                level = answer.level if answer else None
                rows.append(
                    {
                        "department": department.name,
                        "dimension": dimension.code,
                        "dimension_title": dimension.title(language),
                        "question": question.id,
                        "question_text": question.text(language),
                        "level": level,
                        "answer": question.option(level).label(language) if level else "",
                        "note": answer.note if answer else "",
                        "evidence_url": answer.evidence_url if answer else "",
                    }
                )
    return rows
