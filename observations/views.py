"""Observation screens: my wards, the form, one observation, coordination, export, signal kinds.

Every view decides access through ``access.permissions`` on the server, with the site's
contract: an anonymous visitor goes to the login page; a user with a role in the municipality
whose role does not allow it gets 403; anyone else 404 (another municipality's observations do
not exist for them). A draft is its author's own: for anyone else it does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from access.permissions import (
    Capability,
    can,
    can_write_observation,
    has_role,
    memberships,
    not_found,
    require,
)
from monitoring.exports import CSV_TYPE, XLSX_TYPE
from monitoring.models import Level, Region
from observations import selectors, services
from observations.exports import export_table
from observations.forms import DecisionForm, ObservationForm
from observations.models import Observation, SignalKind
from observations.quarters import parse_quarter, quarter_of, recent_quarters
from observations.services import narrative_labels
from observations.workflow import COUNTED, HANDED_IN, Status, TransitionRefused, transitions_from

EXAMPLE_NOTE = (
    "Voorbeeldgegevens: deze observaties zijn verzonnen voor de demo, het zijn geen echte "
    "waarnemingen."
)


def _ward_or_404(code: str) -> Region:
    ward = Region.objects.select_related("municipality").filter(code=code, level=Level.WIJK).first()
    if ward is None:
        raise Http404("Onbekende wijk.")
    return ward


def _require_writer(request: HttpRequest, ward: Region) -> None:
    """Only the social workers the ward is assigned to; others of the municipality 403."""
    if can_write_observation(request.user, ward):
        return
    if has_role(request.user, ward.municipality):
        raise PermissionDenied(
            "U schrijft alleen observaties voor de wijken die aan u zijn toegewezen."
        )
    raise not_found(request.user)


def _municipality_or_404(code: str) -> Region:
    municipality = Region.objects.municipalities().filter(code=code).first()
    if municipality is None:
        raise Http404("Onbekende gemeente.")
    return municipality


def _quarter_or_404(text: str) -> str:
    try:
        return str(parse_quarter(text))
    except ValueError:
        raise Http404("Onbekend kwartaal.") from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The social worker's wards with their observations of recent quarters; links for
    coordinators."""
    quarters = [str(q) for q in recent_quarters(timezone.localdate())]
    wards = selectors.assigned_wards(user=request.user, periods=quarters)
    coordinated = [
        {
            "municipality": m.municipality,
            "administers": can(request.user, Capability.ADMINISTER, m.municipality),
        }
        for m in memberships(request.user).values()
        if can(request.user, Capability.COORDINATE, m.municipality)
    ]
    earlier = selectors.own_earlier(user=request.user, exclude_periods=quarters) if wards else []
    return render(
        request,
        "observations/index.html",
        {"wards": wards, "quarters": quarters, "coordinated": coordinated, "earlier": earlier},
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_form(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """The author's own observation of a ward in a quarter: save as draft, or submit."""
    ward = _ward_or_404(code)
    period = _quarter_or_404(period)
    _require_writer(request, ward)
    observation = selectors.own_observation(user=request.user, ward=ward, period=period)
    kinds = selectors.signal_kinds_for(
        ward.municipality_id,
        keep=[s.kind_id for s in observation.signals.all()] if observation else (),
    )
    context = {"ward": ward, "period": period, "observation": observation, "conflict": None}
    if request.method == "GET":
        form = ObservationForm(initial=ObservationForm.initial_for(observation), signal_kinds=kinds)
        return _form_page(request, form, context)
    form = ObservationForm(request.POST, signal_kinds=kinds)
    if not form.is_valid():
        return _form_page(request, form, context)
    try:
        saved = services.observation_save(
            user=request.user,
            ward=ward,
            period=period,
            expected_version=form.cleaned_data["version"],
            data=form.to_input(),
            submit=form.wants_submit,
        )
    except services.NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    except services.PersonalDataRefused as refused:
        fields = {label: f"{c}_narrative" for c, label in narrative_labels().items()}
        for finding in refused.findings:
            form.add_error(fields.get(finding.field), finding.message)
        context["refusal"] = str(refused)  # the messages are on their fields
        return _form_page(request, form, context)
    except services.EditConflict as conflict:
        # Their input stays in the form; saving again (on the new version) replaces the
        # other person's version, after they have seen what it changed.
        form.data = form.data.copy()
        form.data["version"] = str(conflict.current.version)
        context.update(conflict=conflict, observation=conflict.current)
        return _form_page(request, form, context)
    except (services.ObservationError, TransitionRefused) as error:
        context["refusal"] = str(error)
        context["refusal_messages"] = [m for m in getattr(error, "messages", []) if m != str(error)]
        return _form_page(request, form, context)
    if saved.status == Status.SUBMITTED:
        messages.success(request, f"Observatie van {ward.name} ({period}) is ingediend.")
        return redirect("observations:detail", pk=saved.pk)
    messages.success(request, f"Concept opgeslagen (versie {saved.version}).")
    return redirect("observations:form", code=ward.code, period=period)


def _form_page(request: HttpRequest, form: ObservationForm, context: dict) -> HttpResponse:
    observation = context["observation"]
    context["form"] = form
    context["editable"] = observation is None or observation.status in (
        Status.CONCEPT,
        Status.RETURNED,
    )
    context["last_return"] = (
        observation.transitions.filter(to_status=Status.RETURNED).last()
        if observation is not None and observation.status == Status.RETURNED
        else None
    )
    return render(request, "observations/form.html", context)


def _visible_or_404(request: HttpRequest, pk: int) -> Observation:
    """The author sees their own; coordinators every handed-in one; other staff of the
    municipality the accepted ones. Anyone else: 404."""
    observation = selectors.observation_get(pk)
    user = request.user
    if observation is None:
        raise not_found(user)
    if observation.author_id == user.pk:
        return observation
    require(user, Capability.VIEW_PRIVATE, observation.municipality)
    if observation.status in COUNTED:
        return observation
    if observation.status != Status.CONCEPT and can(
        user, Capability.COORDINATE, observation.municipality
    ):
        return observation
    raise not_found(user)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = _visible_or_404(request, pk)
    return _detail_page(request, observation, DecisionForm())


def _detail_page(
    request: HttpRequest, observation: Observation, decision: DecisionForm, status: int = 200
) -> HttpResponse:
    actors = services.actors_for(request.user, observation)
    return render(
        request,
        "observations/detail.html",
        {
            "observation": observation,
            "history": selectors.observation_history(observation),
            "actions": transitions_from(observation.status, actors),
            "decision": decision,
            "example_note": EXAMPLE_NOTE,
            "is_author": observation.author_id == request.user.pk,
        },
        status=status,
    )


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    observation = _visible_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, observation, form, status=400)
    try:
        moved = services.observation_transition(
            user=request.user,
            observation=observation,
            target=form.cleaned_data["target"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except services.NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    except (services.ObservationError, TransitionRefused) as error:
        for message in getattr(error, "messages", [str(error)]):
            form.add_error("note" if "Reden" in message else None, message)
        return _detail_page(request, observation, form, status=400)
    messages.success(request, f"Status is nu ‘{moved.get_status_display().lower()}’.")
    return redirect("observations:detail", pk=moved.pk)


@login_required
def coordination(request: HttpRequest, code: str) -> HttpResponse:
    """For coordinators: which assigned wards lack a handed-in observation this quarter, and
    what waits for a decision."""
    municipality = _municipality_or_404(code)
    granted = require(request.user, Capability.COORDINATE, municipality)
    current = str(quarter_of(timezone.localdate()))
    period = _quarter_or_404(request.GET.get("kwartaal") or current)
    data = selectors.coordination(municipality=municipality, period=period)
    return render(
        request,
        "observations/coordination.html",
        {
            "data": data,
            "municipality": municipality,
            "period": period,
            "quarters": [str(q) for q in recent_quarters(timezone.localdate(), 8)],
            "handed_in": HANDED_IN,
            "administers": Capability.ADMINISTER in granted,
        },
    )


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse:
    """Ratings and signals of a quarter (or all quarters) as CSV or XLSX; narratives only
    with ``toelichting=1``. Coordinators get every handed-in observation, other staff the
    accepted ones."""
    municipality = _municipality_or_404(code)
    require(request.user, Capability.VIEW_PRIVATE, municipality)
    require(request.user, Capability.EXPORT, municipality)
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404("Kies format=csv of format=xlsx.")
    quarter = request.GET.get("kwartaal", "")
    periods = (
        [_quarter_or_404(quarter)]
        if quarter
        else [str(q) for q in recent_quarters(timezone.localdate(), 40)]
    )
    coordinator = can(request.user, Capability.COORDINATE, municipality)
    with_narratives = request.GET.get("toelichting") == "1"
    rows, signal_names = selectors.export_rows(
        municipality=municipality, periods=periods, statuses=HANDED_IN if coordinator else COUNTED
    )
    table = export_table(
        rows,
        caption=f"Observaties van sociaal werkers in {municipality.name}"
        + (f", {quarter}" if quarter else "")
        + (" (met toelichtingen)" if with_narratives else ""),
        with_narratives=with_narratives,
        signal_names=signal_names,
    )
    name = f"observaties-{municipality.code}{'-' + quarter if quarter else ''}.{file_format}"
    source = "Bron: observaties van sociaal werkers, Sociale Kwaliteit Monitor."
    if any(row.is_example for row in rows):
        source += " " + EXAMPLE_NOTE
    if file_format == "csv":
        body = table.to_csv(title=table.caption, source=source)
        response = HttpResponse(body, content_type=CSV_TYPE)
    else:
        body = table.to_xlsx(title=table.caption, source=source)
        response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def signal_kinds(request: HttpRequest, code: str) -> HttpResponse:
    """The beheerder's list of signal kinds: add one, switch one off or on."""
    municipality = _municipality_or_404(code)
    require(request.user, Capability.ADMINISTER, municipality)
    error = None
    if request.method == "POST":
        try:
            if "name" in request.POST:
                added = services.signal_kind_add(
                    user=request.user,
                    municipality=municipality,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                )
                messages.success(request, f"‘{added.name}’ staat op de lijst.")
            else:
                kind = (
                    SignalKind.objects.for_municipality(municipality.pk)
                    .filter(pk=request.POST.get("kind"))
                    .first()
                )
                if kind is None:
                    raise Http404("Onbekend signaal.")
                services.signal_kind_set_active(
                    user=request.user,
                    municipality=municipality,
                    kind=kind,
                    is_active=request.POST.get("active") == "1",
                )
            return redirect("observations:signal_kinds", code=municipality.code)
        except services.NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        except services.ObservationError as refused:
            error = str(refused)
    kinds = list(SignalKind.objects.for_municipality(municipality.pk))
    return render(
        request,
        "observations/signal_kinds.html",
        {"municipality": municipality, "kinds": kinds, "error": error},
        status=400 if error else 200,
    )
