"""Pages of the performance dashboard.

Datasets and uploads, ingest progress, overview, buyers, red flags, processes and exports. Every page works without
JavaScript; htmx only refreshes the progress bar in place.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from civicbuy.accounts.access import is_member, organisations_of
from civicbuy.analytics import api
from civicbuy.dashboard import cards, exports, jobs, process_view, storage, wording
from civicbuy.dashboard.forms import DatasetUploadForm, FilterForm, VersionUploadForm
from civicbuy.dashboard.models import Dataset, IngestJob
from civicbuy.dashboard.queries import (
    dataset_path,
    dataset_summary,
    get_visible_dataset,
    get_visible_job,
    visible_datasets,
)
from civicbuy.dashboard.summary import Filters, Summary, process_flags
from civicbuy.dashboard.uploads import DatasetUploadHandler, max_upload_bytes, too_large_message
from civicbuy.website.views import current_locale, over_limit

logger = logging.getLogger(__name__)

UPLOADS_PER_HOUR = 20
FLAGGED_PAGE_SIZE = 50


def _links() -> cards.Links:
    """Guide steps and case studies for "How to improve this", looked up once per request."""
    from civicbuy.casestudies import queries as case_queries
    from civicbuy.guide.queries import step_index

    locale = current_locale()
    steps = step_index(locale)
    found: dict[tuple[str, ...], list[Any]] = {}

    def step_url(reference: str) -> str | None:
        page = steps.get(reference)
        return page.get_url() if page else None

    def related(themes: tuple[str, ...]) -> list[Any]:
        if themes not in found:
            found[themes] = case_queries.related(locale, themes=themes, limit=2)
        return found[themes]

    return cards.Links(step_url=step_url, cases=related)


# ------------------------------------------------------------------------------------------ datasets


def _list_context(request: HttpRequest, form: Any = None) -> dict[str, Any]:
    datasets = list(visible_datasets(request.user))
    running = list(IngestJob.objects.filter(dataset__in=datasets, status=IngestJob.Status.RUNNING))
    if running:
        jobs.fail_abandoned(running)
    latest_jobs: dict[int, IngestJob] = {}
    for job in IngestJob.objects.filter(dataset__in=datasets).order_by("dataset_id", "-created_at"):
        latest_jobs.setdefault(job.dataset_id, job)
    rows = [
        {"dataset": d, "job": latest_jobs.get(d.pk), "member": is_member(request.user, d.organisation)}
        for d in datasets
    ]
    organisations = organisations_of(request.user)
    if form is None and organisations.exists():
        form = DatasetUploadForm(organisations=organisations)
    return {"rows": rows, "form": form, "max_bytes": max_upload_bytes()}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The datasets the user may see, and the upload of a new one."""
    return render(request, "dashboard/index.html", _list_context(request))


def _refuse(request: HttpRequest, message: str, status: int, dataset: Dataset | None) -> HttpResponse:
    if dataset is None:
        context = _list_context(request)
        context["upload_error"] = message
        return render(request, "dashboard/index.html", context, status=status)
    return render(
        request,
        "dashboard/upload_version.html",
        {"dataset": dataset, "form": VersionUploadForm(), "upload_error": message, "max_bytes": max_upload_bytes()},
        status=status,
    )


@csrf_exempt
def upload(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Stream an OCDS file to disk and queue its ingest (a new dataset, or a new version of dataset ``pk``)."""
    # CSRF is checked below, after our upload handler is in place (Django's would read the file first).
    request.upload_handlers = [DatasetUploadHandler(request)]
    return _upload(request, pk)


def _precheck(request: HttpRequest, dataset: Dataset | None, organisations: Any) -> HttpResponse | None:
    """Refuse an upload before reading its body, when the answer does not depend on the file."""
    if not organisations.exists():
        return _refuse(request, _("Sign in as a member of an organisation to upload its data."), 403, dataset)
    if over_limit(request, "dashboard-upload", UPLOADS_PER_HOUR):
        return _refuse(request, _("Too many uploads from your connection. Please try again later."), 429, dataset)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_upload_bytes() + 1024 * 1024:
        return _refuse(request, too_large_message(declared), 413, dataset)
    if dataset is not None and dataset.jobs.filter(status__in=IngestJob.ACTIVE).exists():
        message = _("This dataset is already being updated. Wait for that upload to finish or cancel it.")
        return _refuse(request, message, 409, dataset)
    return None


@csrf_protect
def _upload(request: HttpRequest, pk: int | None) -> HttpResponse:
    dataset = get_visible_dataset(request.user, pk) if pk is not None else None
    if dataset is not None and not is_member(request.user, dataset.organisation):
        raise Http404
    if request.method != "POST":
        if dataset is None:
            return HttpResponseRedirect(reverse("dashboard:index"))
        context = {"dataset": dataset, "form": VersionUploadForm(), "max_bytes": max_upload_bytes()}
        return render(request, "dashboard/upload_version.html", context)
    organisations = organisations_of(request.user)
    refused = _precheck(request, dataset, organisations)
    if refused is not None:
        return refused
    handler = request.upload_handlers[0]
    assert isinstance(handler, DatasetUploadHandler)  # noqa: S101 - set by upload()
    try:
        post, files = request.POST, request.FILES
    except (UnreadablePostError, MultiPartParserError, OSError):
        handler.discard()
        return _refuse(request, _("The upload was cut off before the end. Please try again."), 400, dataset)
    try:
        return _queue(request, dataset, handler, post, files, organisations=organisations)
    finally:
        if handler.stored is not None and not IngestJob.objects.filter(key=handler.key).exists():
            handler.discard()


def _queue(
    request: HttpRequest,
    dataset: Dataset | None,
    handler: DatasetUploadHandler,
    post: Any,
    files: Any,
    *,
    organisations: Any,
) -> HttpResponse:
    if handler.error:
        handler.discard()
        return _refuse(request, handler.error, 400, dataset)
    form: Any = (
        VersionUploadForm(post, files)
        if dataset is not None
        else DatasetUploadForm(post, files, organisations=organisations)
    )
    if not form.is_valid() or handler.stored is None:
        if dataset is None:
            context = _list_context(request, form)
            return render(request, "dashboard/index.html", context, status=400)
        return render(
            request,
            "dashboard/upload_version.html",
            {"dataset": dataset, "form": form, "max_bytes": max_upload_bytes()},
            status=400,
        )
    try:
        api.detect(handler.stored.path)
    except api.AnalyticsError as error:
        # The engine names the file by its path on the server; show the user's own file name instead.
        message = error.user_message().replace(str(handler.stored.path), handler.stored.name or "")
        handler.discard()
        return _refuse(request, _("This file is not OCDS data: %(message)s") % {"message": message}, 400, dataset)
    try:
        with transaction.atomic():
            if dataset is None:
                dataset = Dataset.objects.create(
                    organisation=form.cleaned_data["organisation"],
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"],
                    public=form.cleaned_data["public"],
                )
            job = IngestJob.objects.create(
                dataset=dataset,
                key=handler.key,
                created_by=request.user if request.user.is_authenticated else None,
                file_name=handler.stored.name or "upload",
                file_size=handler.stored.size or 0,
            )
            transaction.on_commit(lambda: jobs.ingest_dataset.enqueue(job.pk))
    except IntegrityError:
        handler.discard()
        message = _(
            "This dataset is already being updated, or the name is taken. Wait for the other upload to finish."
        )
        return _refuse(request, message, 409, None if pk_is_new(form) else dataset)
    return HttpResponseRedirect(reverse("dashboard:job", args=[job.pk]))


def pk_is_new(form: Any) -> bool:
    """Return whether the form created a new dataset."""
    return isinstance(form, DatasetUploadForm)


@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """An ingest's progress; htmx polls the same URL for the progress fragment."""
    found = get_visible_job(request.user, pk)
    if found.status == IngestJob.Status.RUNNING:
        jobs.fail_abandoned([found])
    context = {"job": found, "dataset": found.dataset, "member": is_member(request.user, found.dataset.organisation)}
    if request.headers.get("HX-Request"):
        return render(request, "dashboard/_progress.html", context)
    return render(request, "dashboard/job.html", context)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an ingest (members only)."""
    found = get_visible_job(request.user, pk)
    if not is_member(request.user, found.dataset.organisation):
        raise Http404
    jobs.cancel(found)
    messages.success(
        request, _("The upload was cancelled.") if found.status == IngestJob.Status.CANCELLED else _("Cancelling…")
    )
    return HttpResponseRedirect(reverse("dashboard:job", args=[found.pk]))


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a dataset and its files (members only; not while an upload runs)."""
    dataset = get_visible_dataset(request.user, pk)
    if not is_member(request.user, dataset.organisation):
        raise Http404
    if dataset.jobs.filter(status__in=IngestJob.ACTIVE).exists():
        messages.error(request, _("Cancel the upload in progress before deleting the dataset."))
        return HttpResponseRedirect(reverse("dashboard:index"))
    dataset.delete()
    storage.remove_dataset_files(dataset)
    messages.success(request, _("The dataset “%(name)s” was deleted.") % {"name": dataset.name})
    return HttpResponseRedirect(reverse("dashboard:index"))


# ------------------------------------------------------------------------------------------ dashboard


def _open(request: HttpRequest, pk: int) -> tuple[Dataset, Summary, Filters, FilterForm]:
    dataset = get_visible_dataset(request.user, pk)
    if not dataset.is_ready:
        raise Http404
    summary = dataset_summary(dataset)
    form = FilterForm(request.GET or None, summary.overview)
    return dataset, summary, form.filters(), form


def _base_context(
    dataset: Dataset, summary: Summary, filters: Filters, form: FilterForm, section: str
) -> dict[str, Any]:
    query = filters.as_query()
    return {
        "dataset": dataset,
        "overview": summary.overview,
        "filters": filters,
        "filter_form": form,
        "query": "&".join(f"{k}={v}" for k, v in query.items()),
        "section": section,
        "buyer_name": summary.buyer_name(filters.buyer) if filters.buyer else "",
    }


def review_sentence(overview: dict[str, Any]) -> str:
    """The data review in plain words: how many indicators can be computed and what would unlock the rest."""
    done, total = len(overview["computable"]), overview["indicator_count"]
    text = _("We can compute %(done)s of %(total)s indicators from this data.") % {"done": done, "total": total}
    if done < total:
        text += " " + _("To unlock the rest, publish the fields listed below.")
    return text


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard of one dataset: headline figures, the data review, one card per indicator family."""
    dataset, summary, filters, form = _open(request, pk)
    try:
        family_cards = cards.page_cards(summary, filters, _links())
        counts = summary.counts(filters)
        context = _base_context(dataset, summary, filters, form, "overview")
        context.update(
            cards=family_cards,
            has_charts=any(card.charts for card in family_cards),
            counts=counts,
            review=review_sentence(summary.overview),
            missing=_missing(summary.overview),
            warnings=[
                {"message": wording.warning(w.get("code", ""), w.get("message", "")), "count": w.get("count", 0)}
                for w in summary.overview["warnings"]
            ],
            source_format=wording.file_format(summary.overview["source"].get("format", "")),
            # The name the file had when it was uploaded (the engine only saw the stored copy's name).
            source_file=dataset.current_job.file_name
            if dataset.current_job
            else summary.overview["source"].get("file", ""),
            parquet_tables=exports.parquet_tables(dataset_path(dataset)),
        )
        return render(request, "dashboard/overview.html", context)
    finally:
        summary.close()


def _missing(overview: dict[str, Any]) -> list[dict[str, Any]]:
    from civicbuy.analytics.indicators.registry import get

    return [
        {
            "name": wording.indicator_name(get(m["code"])),
            "code": m["code"],
            "reason": wording.reason(m["reason"]),
            "inputs": m["inputs"],
        }
        for m in overview["missing"]
    ]


@require_GET
def buyers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every buyer of the dataset with its processes, value and red flags."""
    dataset, summary, filters, form = _open(request, pk)
    try:
        context = _base_context(dataset, summary, filters, form, "buyers")
        context["buyers"] = summary.buyers(filters)
        return render(request, "dashboard/buyers.html", context)
    finally:
        summary.close()


@require_GET
def buyer(request: HttpRequest, pk: int, buyer_id: str) -> HttpResponse:
    """One buyer's figures beside the median buyer, and its flagged processes."""
    dataset, summary, filters, form = _open(request, pk)
    try:
        if buyer_id not in {b["id"] for b in summary.overview["buyer_choices"]}:
            raise Http404
        filters = Filters(filters.year, buyer_id, filters.cpv, filters.method)
        family_cards = cards.page_cards(summary, filters, _links())
        total, flagged = summary.flagged_processes(filters, None, 0, 20)
        context = _base_context(dataset, summary, filters, form, "buyers")
        context.update(
            buyer_id=buyer_id,
            buyer_name=summary.buyer_name(buyer_id),
            cards=family_cards,
            has_charts=any(card.charts for card in family_cards),
            counts=summary.counts(filters),
            flagged=flagged,
            flagged_total=total,
        )
        return render(request, "dashboard/buyer.html", context)
    finally:
        summary.close()


def flag_reasons(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Why a process is flagged: each red flag it raises with its name, value and definition."""
    from civicbuy.analytics.indicators.registry import get

    reasons = []
    for code in (row.get("flags") or "").split():
        declared = get(code)
        value = row.get(f"{code}_value")
        reasons.append(
            {
                "code": code,
                "name": wording.indicator_name(declared),
                "definition": wording.indicator_definition(declared),
                "value": value,
                "guide_step": declared.guide_step,
            }
        )
    return reasons


@require_GET
def flagged(request: HttpRequest, pk: int) -> HttpResponse:
    """Processes raising red flags, with the reason for each flag, newest first."""
    dataset, summary, filters, form = _open(request, pk)
    try:
        code = request.GET.get("flag") or None
        if code not in process_flags():
            code = None
        page_number = max(1, int(request.GET.get("page", "1"))) if request.GET.get("page", "1").isdigit() else 1
        total, rows = summary.flagged_processes(
            filters, code, (page_number - 1) * FLAGGED_PAGE_SIZE, FLAGGED_PAGE_SIZE
        )
        links = _links()
        for row in rows:
            row["reasons"] = flag_reasons(row)
            for reason in row["reasons"]:
                reason["guide_url"] = links.step_url(reason["guide_step"])
        paginator = Paginator(range(total), FLAGGED_PAGE_SIZE)
        page_obj = paginator.get_page(page_number)
        from civicbuy.analytics.indicators.registry import get

        context = _base_context(dataset, summary, filters, form, "flags")
        context.update(
            rows=rows,
            total=total,
            page_obj=page_obj,
            flag=code,
            flag_choices=[(c, wording.indicator_name(get(c))) for c in process_flags()],
        )
        return render(request, "dashboard/flagged.html", context)
    finally:
        summary.close()


@require_GET
def process(request: HttpRequest, pk: int, ocid: str) -> HttpResponse:
    """One contracting process, compiled, in readable form."""
    dataset, summary, filters, form = _open(request, pk)
    try:
        facts = summary.process(ocid)
        if facts is None:
            raise Http404
        release = process_view.compiled_release(dataset_path(dataset), ocid)
        links = _links()
        reasons = flag_reasons(facts)
        for reason in reasons:
            reason["guide_url"] = links.step_url(reason["guide_step"])
        context = _base_context(dataset, summary, filters, form, "flags")
        context.update(
            facts=facts,
            method_label=wording.method_label(facts["method"]) if facts.get("method") else "",
            release=list(release.items()),
            reasons=reasons,
        )
        return render(request, "dashboard/process.html", context)
    finally:
        summary.close()


# ------------------------------------------------------------------------------------------ exports


@require_GET
def export_table(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    """A table of the dashboard as CSV or Excel (the current filters apply)."""
    dataset, summary, filters, _form = _open(request, pk)
    try:
        if table not in exports.TABLES or fmt not in ("csv", "xlsx"):
            raise Http404
        return exports.table_response(dataset, summary, filters, table, fmt)
    finally:
        summary.close()


@require_GET
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard as a PDF report (the current filters apply)."""
    dataset, summary, filters, _form = _open(request, pk)
    try:
        family_cards = cards.family_cards(summary, filters, _links())
        return exports.pdf_response(
            request,
            dataset,
            summary,
            filters,
            cards=family_cards,
            review=review_sentence(summary.overview),
            missing=_missing(summary.overview),
        )
    finally:
        summary.close()


@require_GET
def export_parquet(request: HttpRequest, pk: int, table: str) -> FileResponse:
    """One of the engine's flat tables (or its indicator results) as Parquet, for analysts."""
    dataset = get_visible_dataset(request.user, pk)
    if not dataset.is_ready:
        raise Http404
    path = exports.parquet_path(dataset_path(dataset), table)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{dataset.slug}-{table}.parquet",
        content_type="application/vnd.apache.parquet",
    )


def language() -> str:
    """The active language code."""
    return (get_language() or "en")[:2]
