"""Initiative pages: list, detail, entry, reach, files and the municipality's sociale basis.

Everyone of the municipality reads; social workers and beheerders keep
(``Capability.KEEP_INITIATIVES``); on a published municipality anonymous visitors see names,
kinds, wards and conditions only (the list, a detail and the sociale-basis page are
``login_not_required`` and decide through ``access.permissions``; entry, reach, files need a
login). Another municipality's pages answer 404; a role that may not keep gets 403.
"""

from __future__ import annotations

import base64
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from access.permissions import Capability, capabilities, require
from initiatives import pages, selectors, services
from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup, label_of
from initiatives.forms import (
    ImportForm,
    InitiativeForm,
    ListFilterForm,
    ReachForm,
    SocialBaseForm,
    current_quarter,
)
from initiatives.importing import import_preview
from initiatives.tabular import (
    INITIATIVE_COLUMNS,
    REACH_COLUMNS,
    XLSX_TYPE,
    table_to_csv,
    table_to_xlsx,
    to_csv,
    to_xlsx,
)
from monitoring.conditions import CONDITIONS
from monitoring.forms import METHOD_CHOICES

EXAMPLE_NOTE = "Voorbeeldgegevens: verzonnen initiatieven om de monitor te laten zien."
SOURCE_NOTE = "Bron: initiatievenregister van de Sociale Kwaliteit Monitor."
_IMPORT_SALT = "initiatives.import"
_IMPORT_MAX_AGE = 60 * 60


def _today() -> date:
    return timezone.localdate()


def _rights(request: HttpRequest, municipality) -> dict[str, bool]:
    granted = capabilities(request.user, municipality)
    return {
        "private": Capability.VIEW_PRIVATE in granted,
        "can_keep": Capability.KEEP_INITIATIVES in granted,
    }


def _htmx_partial(request: HttpRequest, template: str, partial: str) -> str:
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request and not htmx.boosted:
        return f"{template}#{partial}"
    return template


# --- List and detail --------------------------------------------------------------------------


@login_not_required
def initiative_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code)
    rights = _rights(request, municipality)
    form = ListFilterForm(request.GET)
    filters, ignored = form.filters(private=rights["private"])
    initiatives = selectors.initiatives_filtered(
        municipality=municipality, filters=filters, today=_today()
    )
    template = _htmx_partial(request, "initiatives/list.html", "results")
    response = render(
        request,
        template,
        {
            "municipality": municipality,
            "form": form,
            "filters": filters,
            "ignored": ignored,
            "initiatives": initiatives,
            "wards": selectors.ward_choices(municipality),
            "choices": _choice_menus(),
            "has_examples": any(i.is_example for i in initiatives),
            "example_note": EXAMPLE_NOTE,
            "export_query": request.GET.urlencode(),
            **rights,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _choice_menus() -> dict:
    return {
        "conditions": [(c.condition.value, c.name_nl) for c in CONDITIONS],
        "kinds": Kind.choices,
        "target_groups": TargetGroup.choices,
        "statuses": Status.choices,
    }


@login_not_required
def initiative_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code)
    initiative = selectors.initiative_get(municipality=municipality, pk=pk)
    rights = _rights(request, municipality)
    return render(
        request,
        "initiatives/detail.html",
        {
            "municipality": municipality,
            "initiative": initiative,
            "record": selectors.record_of(initiative),
            "labels": _labels_of(initiative),
            "reach": list(initiative.reach.all()),
            "example_note": EXAMPLE_NOTE,
            **rights,
        },
    )


def _labels_of(initiative) -> dict:
    return {
        "kind": label_of(Kind, initiative.kind),
        "status": label_of(Status, initiative.status),
        "funding": label_of(Funding, initiative.funding),
        "conditions": [c.name_nl for c in CONDITIONS if c.condition.value in initiative.conditions],
        "target_groups": [label_of(TargetGroup, g) for g in initiative.target_groups],
        "partners": [label_of(PartnerKind, p) for p in initiative.partner_kinds],
    }


# --- Entry ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, code: str) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code, Capability.KEEP_INITIATIVES)
    initial = {"status": Status.ACTIEF, "funding": Funding.GEEN}
    if request.GET.get("wijk"):
        initial["ward_codes"] = [request.GET["wijk"].upper()]
    return _entry(request, municipality, None, initial)


@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code, Capability.KEEP_INITIATIVES)
    initiative = selectors.initiative_get(municipality=municipality, pk=pk)
    initial = InitiativeForm.initial_of(selectors.record_of(initiative))
    return _entry(request, municipality, initiative, initial)


def _entry(request, municipality, initiative, initial) -> HttpResponse:
    form = InitiativeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        ward_choices=selectors.ward_choices(municipality),
        area_of=lambda: selectors.municipality_area(municipality),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if initiative is None:
                saved = services.initiative_create(municipality=municipality, record=form.record())
                messages.success(request, f"Initiatief ‘{saved.name}’ is opgeslagen.")
            else:
                record = form.record(is_example=initiative.is_example)
                saved = services.initiative_update(initiative=initiative, record=record)
                messages.success(request, f"Wijzigingen in ‘{saved.name}’ zijn opgeslagen.")
            return redirect("initiatives:detail", municipality.code, saved.pk)
        except services.InitiativeInvalid as invalid:
            for name, problems in invalid.problems.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
    return render(
        request,
        "initiatives/form.html",
        {"municipality": municipality, "initiative": initiative, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def reach_entry(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code, Capability.KEEP_INITIATIVES)
    initiative = selectors.initiative_get(municipality=municipality, pk=pk)
    existing = {r.period: r for r in initiative.reach.all()}
    quarter = request.GET.get("kwartaal") or current_quarter(_today())
    if request.method == "POST":
        form = ReachForm(request.POST)
        if form.is_valid():
            services.reach_set(initiative=initiative, record=form.record(initiative.name))
            messages.success(request, f"Bereik van {form.cleaned_data['kwartaal']} is opgeslagen.")
            return redirect("initiatives:detail", municipality.code, initiative.pk)
    else:
        current = existing.get(quarter)
        initial = {"kwartaal": quarter}
        if current:
            initial |= {
                "deelnemers": current.participants,
                "vrijwilligers": current.volunteers,
                "bereikt": current.reached_groups,
                "niet_bereikt": current.missed_groups,
                "toelichting": current.missed_note,
            }
        form = ReachForm(initial=initial)
    return render(
        request,
        "initiatives/reach_form.html",
        {
            "municipality": municipality,
            "initiative": initiative,
            "form": form,
            "existing": sorted(existing),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Files ------------------------------------------------------------------------------------


def initiatives_export(request: HttpRequest, code: str, what: str, ext: str) -> HttpResponse:
    """The (filtered) list, or every quarter of reach, as CSV or Excel, ready to import."""
    if what not in ("initiatieven", "bereik") or ext not in ("csv", "xlsx"):
        raise Http404("Onbekende export.")
    # Exports carry contacts and reach: never public.
    municipality = selectors.municipality_for(request.user, code, Capability.VIEW_PRIVATE)
    require(request.user, Capability.EXPORT, municipality)
    if what == "initiatieven":
        filters, _ = ListFilterForm(request.GET).filters(private=True)
        records = selectors.export_records(
            municipality=municipality, filters=filters, today=_today()
        )
        columns = INITIATIVE_COLUMNS
    else:
        records = selectors.reach_export_records(municipality=municipality)
        columns = REACH_COLUMNS
    name = f"{what}-{municipality.code}-{_today():%Y%m%d}.{ext}"
    if ext == "csv":
        response = HttpResponse(to_csv(records, columns), content_type="text/csv; charset=utf-8")
    else:
        notes = [SOURCE_NOTE]
        if any(getattr(r, "is_example", False) for r in records):
            notes.append(EXAMPLE_NOTE)
        response = HttpResponse(to_xlsx(records, columns, notes=notes), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def initiatives_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload → preview with a message per line → confirm. Nothing is written before the
    confirmation, and a file with any problem is never written at all."""
    municipality = selectors.municipality_for(request.user, code, Capability.KEEP_INITIATIVES)
    context = {"municipality": municipality, "form": ImportForm()}
    if request.method == "POST" and "bevestig" in request.POST:
        try:
            filename, data = _unpack(request, municipality)
        except signing.BadSignature:
            messages.error(
                request, "Dit voorbeeld is verlopen of ongeldig: lees het bestand opnieuw in."
            )
            return redirect("initiatives:import", municipality.code)
        try:
            result = services.initiatives_import(
                municipality=municipality, data=data, filename=filename
            )
        except services.ImportRefused as refused:
            context |= {"preview": refused.preview, "filename": filename}
            return render(request, "initiatives/import.html", context, status=400)
        what = "initiatieven" if result.kind == "initiatieven" else "kwartalen bereik"
        messages.success(
            request,
            f"‘{filename}’ is ingelezen: {result.created} nieuw, {result.updated} gewijzigd, "
            f"{result.unchanged} ongewijzigd ({what}).",
        )
        return redirect("initiatives:list", municipality.code)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["bestand"]
            data = upload.read()
            preview = import_preview(municipality=municipality, data=data, filename=upload.name)
            context |= {"preview": preview, "filename": upload.name}
            if preview.ok and preview.changes_anything:
                context["token"] = _pack(request, municipality, upload.name, data)
            return render(
                request, "initiatives/import.html", context, status=200 if preview.ok else 400
            )
        return render(request, "initiatives/import.html", context, status=400)
    return render(request, "initiatives/import.html", context)


def _pack(request, municipality, filename: str, data: bytes) -> str:
    payload = {
        "m": municipality.pk,
        "u": request.user.pk,
        "n": filename,
        "d": base64.b64encode(data).decode(),
    }
    return signing.dumps(payload, salt=_IMPORT_SALT, compress=True)


def _unpack(request, municipality) -> tuple[str, bytes]:
    payload = signing.loads(
        request.POST.get("token", ""), salt=_IMPORT_SALT, max_age=_IMPORT_MAX_AGE
    )
    if payload.get("m") != municipality.pk or payload.get("u") != request.user.pk:
        raise signing.BadSignature("not for this municipality or user")
    return payload["n"], base64.b64decode(payload["d"])


# --- Sociale basis ----------------------------------------------------------------------------


@login_not_required
def social_base(request: HttpRequest, code: str) -> HttpResponse:
    municipality = selectors.municipality_for(request.user, code)
    rights = _rights(request, municipality)
    params = SocialBaseForm(request.GET).params()
    data = selectors.social_base(
        municipality=municipality, method=params["method"], period=params["period"], today=_today()
    )
    page = pages.social_base_page(data, threshold=params["threshold"], private=rights["private"])
    if params["format"]:
        require(request.user, Capability.EXPORT, municipality)
        table = page.tables.get(params["table"] or "matrix")
        if table is None:
            raise Http404("Deze pagina heeft geen tabel met die naam.")
        filename = f"sociale-basis-{municipality.code}-{params['table'] or 'matrix'}"
        if params["format"] == "csv":
            response = HttpResponse(table_to_csv(table), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                table_to_xlsx(table, notes=[SOURCE_NOTE]), content_type=XLSX_TYPE
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{params["format"]}"'
        return response
    template = _htmx_partial(request, "initiatives/social_base.html", "dashboard")
    response = render(
        request,
        template,
        {
            **page.context,
            **rights,
            "params": params,
            "form_methods": METHOD_CHOICES,
            "example_note": EXAMPLE_NOTE,
            "list_url": reverse("initiatives:list", args=[municipality.code]),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
