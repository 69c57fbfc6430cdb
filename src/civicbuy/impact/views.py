"""Impact pages: a dataset's carbon, SDG and social value; scenarios; commitments and deliveries; the PDF report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicbuy.analytics.impact import social_value
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.dashboard import queries
from civicbuy.dashboard.charts import Chart
from civicbuy.impact import charts, services
from civicbuy.impact.forms import CommitmentForm, DeliveryForm, ImportForm, ScenarioForm
from civicbuy.impact.models import Commitment, Delivery

TOP_DIVISIONS = 12
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _dataset(request: HttpRequest, pk: int) -> Any:
    dataset = queries.get_visible_dataset(request.user, pk)
    try:
        path = queries.dataset_path(dataset)
    except ValueError:
        path = None
    return dataset, path


def _author(request: HttpRequest) -> Any:
    return None if isinstance(request.user, AnonymousUser) else request.user


def can_edit(user: Any, dataset: Any) -> bool:
    """Members of the dataset's organisation may record commitments; only staff on public (demo) data."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return not dataset.public and queries.visible_datasets(user).filter(pk=dataset.pk).exists()


def index(request: HttpRequest) -> HttpResponse:
    """Go to the user's latest dataset, or list the datasets they may see."""
    latest = queries.latest_dataset(request.user)
    if latest is not None:
        return redirect("impact:dataset", pk=latest.pk)
    datasets = [d for d in queries.visible_datasets(request.user) if d.current_job_id]
    return render(request, "impact/index.html", {"datasets": datasets})


def _number(value: float, decimals: int = 0) -> str:
    """Return a number as the active language writes it ("2,381,245" in English, "2.381.245" in Spanish)."""
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _t(value: float) -> str:
    """Return tonnes with the precision shown on the page: whole tonnes from 100, else one decimal."""
    return _number(value) if value >= 100 else _number(value, 1)  # noqa: PLR2004 - display rounding


def _percent(share: float) -> str:
    """Return a share as a whole percentage, with the active language's sign spacing ("63%", "63 %")."""
    return _("%(value)s%%") % {"value": _number(share * 100)}


def _charts(report: dict[str, Any]) -> list[Chart]:
    carbon = report["carbon"]
    divisions = carbon["by_division"][:TOP_DIVISIONS]
    out = []
    if divisions:
        top = divisions[0]
        out.append(
            charts.bar_with_range(
                "hot-spots",
                _("Estimated emissions by CPV division (tonnes CO2e)"),
                _("%(label)s is the largest source: %(t)s t CO2e (%(low)s to %(high)s), %(share)s of the total.")
                % {
                    "label": top["label"],
                    "t": _t(top["tonnes_co2e"]),
                    "low": _t(top["tonnes_co2e_low"]),
                    "high": _t(top["tonnes_co2e_high"]),
                    "share": _percent(top["share_of_emissions"]),
                },
                [
                    {
                        "label": f"{g['key']} {g['label']}",
                        "value": g["tonnes_co2e"],
                        "low": g["tonnes_co2e_low"],
                        "high": g["tonnes_co2e_high"],
                    }
                    for g in divisions
                ],
                x_title=_("tonnes CO2e (bar: central estimate; line: range)"),
                headers=[_("CPV division"), _("Tonnes CO2e"), _("Low"), _("High"), _("Spend (EUR)")],
                rows=[
                    [
                        f"{g['key']} {g['label']}",
                        _t(g["tonnes_co2e"]),
                        _t(g["tonnes_co2e_low"]),
                        _t(g["tonnes_co2e_high"]),
                        _number(g["spend_eur"]),
                    ]
                    for g in divisions
                ],
            )
        )
    goals: dict[str, dict[str, Any]] = {}
    for target in report["sdg"]["targets"]:
        goal = goals.setdefault(target["goal"], {"label": f"{target['goal']} {target['goal_label']}", "value": 0.0})
        goal["value"] = max(goal["value"], target["spend_eur"])
    if any(g["value"] for g in goals.values()):
        ordered = sorted(goals.values(), key=lambda g: -g["value"])
        out.append(
            charts.bar_with_range(
                "sdg-spend",
                _("Spend linked to each SDG (EUR, largest target of the goal)"),
                _("%(goal)s has the most spend linked to it: EUR %(spend)s.")
                % {"goal": ordered[0]["label"], "spend": _number(ordered[0]["value"])},
                [{"label": g["label"], "value": round(g["value"], 2)} for g in ordered if g["value"]],
                x_title=_("EUR"),
                headers=[_("SDG"), _("Spend (EUR)")],
                rows=[[g["label"], _number(g["value"])] for g in ordered if g["value"]],
            )
        )
    return out


def dataset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The impact page of one dataset."""
    dataset, path = _dataset(request, pk)
    if path is None:
        return render(request, "impact/not_ready.html", {"dataset": dataset})
    report = services.full_report(path, dataset.pk, request.LANGUAGE_CODE)
    context = {
        "dataset": dataset,
        "report": report,
        "charts": _charts(report),
        "can_edit": can_edit(request.user, dataset),
    }
    return render(request, "impact/dataset.html", context)


def scenario_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a scenario's assumptions and see the difference against the baseline (GET form: works without JS)."""
    dataset, path = _dataset(request, pk)
    if path is None:
        return render(request, "impact/not_ready.html", {"dataset": dataset})
    form = ScenarioForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = services.full_report(path, dataset.pk, request.LANGUAGE_CODE, form.scenario())["scenario"]
    return render(request, "impact/scenario.html", {"dataset": dataset, "form": form, "result": result})


def commitments_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Commitments of a dataset's contracts, committed vs delivered; forms to add and import them."""
    dataset, path = _dataset(request, pk)
    framework = social_value.load_framework()
    editable = can_edit(request.user, dataset)
    form = CommitmentForm(framework=framework, language=request.LANGUAGE_CODE)
    import_form = ImportForm()
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if "file" in request.FILES:
            import_form = ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                return _import(request, dataset, framework, import_form)
        else:
            form = CommitmentForm(request.POST, framework=framework, language=request.LANGUAGE_CODE)
            if form.is_valid():
                Commitment.objects.create(dataset_id=dataset.pk, created_by=_author(request), **form.cleaned_data)
                messages.success(request, _("Commitment recorded."))
                return redirect("impact:commitments", pk=dataset.pk)
    rows, promised, delivered = services.commitments_of(dataset.pk)
    summary = social_value.summarise(
        framework, [c for c in promised if c.measure in framework.measures],
        [d for d in delivered if d.measure in framework.measures], request.LANGUAGE_CODE,
    )  # fmt: skip
    measures = {code: m.label(request.LANGUAGE_CODE) for code, m in framework.measures.items()}
    units = {code: m.unit(request.LANGUAGE_CODE) for code, m in framework.measures.items()}
    commitments = [
        {"row": c, "measure_label": measures.get(c.measure, c.measure), "unit": units.get(c.measure, ""),
         "delivered": c.delivered} for c in rows
    ]  # fmt: skip
    context = {
        "dataset": dataset, "path": path, "form": form, "import_form": import_form, "can_edit": editable,
        "commitments": commitments, "summary": summary, "delivery_form": DeliveryForm(),
    }  # fmt: skip
    return render(request, "impact/commitments.html", context)


def _import(request: HttpRequest, dataset: Any, framework: social_value.Framework, form: ImportForm) -> HttpResponse:
    upload = form.cleaned_data["file"]
    if upload.size > MAX_IMPORT_BYTES:
        messages.error(request, _("The file is larger than 2 MB."))
        return redirect("impact:commitments", pk=dataset.pk)
    try:
        text = upload.read().decode("utf-8-sig")
        parsed = social_value.parse_commitments(text, framework, upload.name)
    except UnicodeDecodeError:
        messages.error(request, _("%(name)s is not a UTF-8 CSV file (save it as CSV UTF-8).") % {"name": upload.name})
        return redirect("impact:commitments", pk=dataset.pk)
    except ImpactError as error:
        messages.error(request, error.user_message())
        return redirect("impact:commitments", pk=dataset.pk)
    Commitment.objects.bulk_create(
        Commitment(dataset_id=dataset.pk, contract_id=c.contract_id, supplier_id=c.supplier_id,
                   supplier_name=c.supplier_name or c.supplier_id, measure=c.measure, quantity=c.quantity,
                   due_date=c.due, created_by=_author(request))
        for c in parsed.rows
    )  # fmt: skip
    count = len(parsed.rows)
    messages.success(
        request,
        ngettext("Imported %(count)s commitment.", "Imported %(count)s commitments.", count) % {"count": count},
    )
    for problem in parsed.problems:
        messages.warning(request, _("Not imported: %(problem)s") % {"problem": problem})
    return redirect("impact:commitments", pk=dataset.pk)


@require_POST
def delivery_view(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    """Record a delivery against a commitment."""
    dataset, _path = _dataset(request, pk)
    if not can_edit(request.user, dataset):
        raise PermissionDenied
    promised = get_object_or_404(Commitment, pk=commitment, dataset_id=dataset.pk)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        Delivery.objects.create(commitment=promised, **form.cleaned_data)
        messages.success(request, _("Delivery recorded."))
    else:
        errors = "; ".join(f"{form.fields[k].label}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        messages.error(request, _("The delivery was not recorded: %(errors)s") % {"errors": errors})
    return redirect("impact:commitments", pk=dataset.pk)


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The impact report for a city council, as PDF (in the page's language)."""
    from weasyprint import HTML

    dataset, path = _dataset(request, pk)
    if path is None:
        return render(request, "impact/not_ready.html", {"dataset": dataset})
    report = services.full_report(path, dataset.pk, request.LANGUAGE_CODE, _example_scenario())
    context = {"dataset": dataset, "report": report, "charts": _charts(report), "generated": timezone.now()}
    html = render(request, "impact/report_pdf.html", context).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="impact-{dataset.slug}-{request.LANGUAGE_CODE}.pdf"'
    return response


def _example_scenario() -> Any:
    from civicbuy.analytics.impact import scenarios

    return scenarios.load_scenario(language=get_language() or "en")
