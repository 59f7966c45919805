"""The web import, for functional administrators: upload, preview, confirm, progress, result,
history and rollback. The work itself happens in ``monitoring.services.imports``; reading the
file for the preview, the apply and the rollback run in the worker
(``monitoring.importing.tasks``), and the progress page follows each of them."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from access.permissions import Capability, municipality_ids_with
from monitoring.importing.column_guide import (
    TEMPLATE_BY_SLUG,
    TEMPLATE_KINDS,
    readable,
    template_file,
)
from monitoring.importing.forms import ApplyForm, UploadForm
from monitoring.importing.parsers import ImportFileError
from monitoring.importing.selectors import column_guide, template_regions
from monitoring.importing.tasks import (
    import_batch_apply,
    import_batch_preview,
    import_batch_rollback,
)
from monitoring.models import ImportBatch, Region
from monitoring.services.imports import (
    RollbackRefused,
    batch_preview,
    import_batch_confirm,
    import_batch_outcome_take,
    import_batch_status_refresh,
    import_rollback_queue,
    import_upload,
    imports_refresh_active,
)

ACTIVE = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)


def _municipalities(user) -> list[Region] | None:
    """Municipalities the user administers (access.permissions); None means all (site admin)."""
    ids = municipality_ids_with(user, Capability.ADMINISTER)
    if ids is None:
        return None
    return list(Region.objects.filter(pk__in=ids).order_by("name"))


def admin_required(view):
    """Functional administrators (role 'beheerder') and site admins only; other users get a
    Dutch 403 (anonymous visitors never get here: LoginRequiredMiddleware)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scope = _municipalities(request.user)
        if scope is not None and not scope:
            return render(request, "importing/forbidden.html", status=403)
        request.import_scope = scope
        return view(request, *args, **kwargs)

    return wrapped


def _batches(request: HttpRequest):
    batches = ImportBatch.objects.select_related("municipality", "user")
    if request.import_scope is not None:
        batches = batches.filter(municipality__in=request.import_scope)
    return batches


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(_batches(request), pk=pk)


@admin_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None, request.FILES or None, municipalities=request.import_scope
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = import_upload(
                data=file.read(),
                filename=file.name,
                period=form.cleaned_data["period"],
                file_format=form.cleaned_data["file_format"],
                municipality=form.cleaned_data["municipality"],
                user=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            _enqueue(import_batch_preview, batch)
            return redirect("importing:preview", pk=batch.pk)
    # Templates with the regions filled in, for each municipality the administrator has (site
    # administrators, who have them all, get the empty ones).
    own = request.import_scope or []
    guide = column_guide()
    return render(
        request,
        "importing/upload.html",
        {
            "form": form,
            "guide": readable(guide),
            "derived": [row for row in guide if row.derived],
            "template_kinds": TEMPLATE_KINDS,
            "template_municipalities": own,
        },
    )


@admin_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """A template file to fill in, headed with the indicators' codes; with ``?gemeente=``,
    one row per region of that municipality (one of the administrator's own, else 404)."""
    chosen = TEMPLATE_BY_SLUG.get(kind)
    if chosen is None:
        raise Http404("Onbekend sjabloon.")
    municipality = None
    if code := request.GET.get("gemeente", "").strip().upper():
        municipalities = Region.objects.municipalities()
        if request.import_scope is not None:
            municipalities = municipalities.filter(pk__in=[m.pk for m in request.import_scope])
        municipality = get_object_or_404(municipalities, code=code)
    regions = template_regions(municipality) if municipality else []
    name = chosen.file_name
    if municipality is not None:
        name = f"{municipality.code}-{name}"
    response = HttpResponse(
        template_file(chosen, column_guide(), regions), content_type=CONTENT_TYPES[chosen.extension]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@admin_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        return redirect("importing:progress", pk=batch.pk)
    form = ApplyForm(request.POST if request.method == "POST" else None)
    summary = batch_preview(batch)
    if request.method == "POST" and form.is_valid():
        skip = form.cleaned_data["skip_rejected"]
        if summary.has_rejections and not skip:
            form.add_error(
                "skip_rejected",
                "Er zijn cellen afgewezen. Kies ervoor ze over te slaan, of verbeter het bestand "
                "en lees het opnieuw in.",
            )
        else:
            if import_batch_confirm(batch=batch, skip_rejected=skip):
                _enqueue(import_batch_apply, batch)
            else:  # a second click, or a second tab: the first one started it
                messages.info(request, "Deze import is al bevestigd; hier ziet u hoe ver hij is.")
            return redirect("importing:progress", pk=batch.pk)
    return render(
        request,
        "importing/preview.html",
        {"batch": batch, "preview": summary, "headline": summary.headline, "form": form},
    )


@admin_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page; with htmx, only its fragment (polled every second while running)."""
    batch = import_batch_status_refresh(batch=_batch(request, pk))
    if batch.status not in ACTIVE:
        _show_outcome(request, batch)
        url = batch_result_url(batch)
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return render(request, "importing/progress.html#progress", {"batch": batch})
    return render(request, "importing/progress.html", {"batch": batch})


def batch_result_url(batch: ImportBatch) -> str:
    """Where a finished job leads: its preview, the history after a rollback, or the result."""
    if batch.status == ImportBatch.Status.PREVIEWED:
        return reverse("importing:preview", kwargs={"pk": batch.pk})
    if batch.job == ImportBatch.Job.ROLLBACK:
        return reverse("importing:history")
    return reverse("importing:result", kwargs={"pk": batch.pk})


def _show_outcome(request: HttpRequest, batch: ImportBatch) -> None:
    """A rollback's outcome, once, as a message on the page the progress page leads to."""
    outcome = import_batch_outcome_take(batch=batch)
    if outcome and batch.status == ImportBatch.Status.ROLLED_BACK:
        messages.success(request, outcome)
    elif outcome:
        messages.error(request, outcome)


def _enqueue(task, batch: ImportBatch) -> None:
    result = task.enqueue(batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))


@admin_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_status_refresh(batch=_batch(request, pk))
    if batch.status in ACTIVE:
        return redirect("importing:progress", pk=batch.pk)
    return render(request, "importing/result.html", {"batch": batch})


@admin_required
def history(request: HttpRequest) -> HttpResponse:
    imports_refresh_active()  # a worker that died shows as such, not as "Bezig" for ever
    batches = (
        _batches(request)
        .exclude(status=ImportBatch.Status.PREVIEWED)
        .exclude(job=ImportBatch.Job.PREVIEW)  # uploads not confirmed (or not readable)
    )[:200]
    return render(request, "importing/history.html", {"batches": batches})


@admin_required
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST":
        return _rollback(request, batch)
    return render(request, "importing/rollback.html", {"batch": batch})


def _rollback(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    try:
        batch = import_rollback_queue(batch=batch, user=request.user)
    except RollbackRefused as refused:
        messages.error(request, refused.message)
        return redirect("importing:history")
    _enqueue(import_batch_rollback, batch)
    return redirect("importing:progress", pk=batch.pk)
