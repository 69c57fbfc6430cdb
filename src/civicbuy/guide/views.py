"""Views of the guide that are not CMS pages: the "Plan a purchase" pathfinder."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale

from civicbuy.guide import pathfinder
from civicbuy.guide.forms import PathfinderForm
from civicbuy.guide.models import TopicGuidePage
from civicbuy.guide.queries import related_cases, step_index
from civicbuy.taxonomy import registry


def pathfinder_view(request: HttpRequest) -> HttpResponse:
    """Ask a few questions (GET form); with valid answers, show a tailored, printable plan."""
    language = (get_language() or "en")[:2]
    # Only the form's own fields make it a submission: links from newsletters and campaigns carry unrelated
    # parameters (utm_source, page...), and those must open the empty questionnaire, not a page of errors.
    submitted = any(name in request.GET for name in PathfinderForm.base_fields)
    form = PathfinderForm(request.GET if submitted else None)
    context: dict[str, object] = {"form": form, "submitted": submitted}
    if submitted and form.is_valid():
        answers = form.cleaned_data
        plan = pathfinder.make_plan(
            division=answers["division"],
            value_band=answers["value"],
            urgency=answers["urgency"],
            goals=answers["goals"],
            language=language,
        )
        locale = Locale.objects.get(language_code=language)
        steps = step_index(locale)
        topics = {page.slug: page for page in TopicGuidePage.objects.live().filter(locale=locale)}
        context.update(
            plan=plan,
            division_label=registry.label("cpv_division", plan.division, language),
            plan_steps=[steps[ref] for ref in plan.steps if ref in steps],
            plan_topics=[topics[slug] for slug in plan.topics if slug in topics],
            green_source=pathfinder.rules()["green_criteria_source"],
            cases=related_cases(locale, themes=plan.themes, cpv_divisions=[plan.division]),
        )
    status = 400 if submitted and not form.is_valid() else 200
    return render(request, "guide/pathfinder.html", context, status=status)
