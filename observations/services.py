"""Every write to observations: save, transition, signal kinds, retention.

Keyword-only, typed, atomic. Checks come first and write nothing: access
(``access.permissions``), personal data in free text (``privacy``), the workflow table
(``workflow``), completeness. Only then one transaction writes, under optimistic locking:
``UPDATE … WHERE version = <the version the form was built on>``; zero rows means someone else
saved first, and the caller gets ``EditConflict`` with what they changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pghistory
import pgtrigger
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from access.permissions import Capability, can, can_write_observation
from monitoring.conditions import CONDITIONS
from monitoring.models import Level, Region
from monitoring.services.data_version import bumps_data_version
from observations import privacy
from observations.models import (
    CONDITION_CODES,
    NARRATIVE_FIELDS,
    NARRATIVE_MAX_LENGTH,
    VERSIONS_TRIGGER,
    Frequency,
    Observation,
    ObservationEvent,
    ObservationSignal,
    ObservationTransition,
    SignalKind,
    Source,
    direction_field,
    narrative_field,
    rating_field,
)
from observations.practice import Direction, Rating
from observations.quarters import parse_quarter, quarter_of
from observations.workflow import EDITABLE, Actor, Status, transition_check

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from observations.history import Change, SignalChange


class ObservationError(Exception):
    """Input the service refuses, with a Dutch message; nothing was written."""

    def __init__(self, message: str, messages: Sequence[str] = ()):
        super().__init__(message)
        self.messages = list(messages) or [message]


class NotAllowed(ObservationError):
    """This user may not do this here (views answer 404: nothing leaks)."""


class PersonalDataRefused(ObservationError):
    def __init__(self, findings: Sequence[privacy.Finding]):
        self.findings = list(findings)
        super().__init__(
            "Niet opgeslagen: de tekst bevat persoonsgegevens. Er is niets van bewaard.",
            [finding.message for finding in self.findings],
        )


class EditConflict(ObservationError):
    """Someone saved (or moved) the observation after this form was opened."""

    def __init__(
        self,
        *,
        current: Observation,
        changed_by: list[str],
        changes: list[Change],
        signal_changes: list[SignalChange],
    ):
        self.current = current
        self.changed_by = changed_by
        self.changes = changes
        self.signal_changes = signal_changes
        who = ", ".join(changed_by) or "iemand anders"
        super().__init__(
            f"Niet opgeslagen: {who} heeft deze observatie intussen gewijzigd "
            f"(nu versie {current.version}, status ‘{current.get_status_display()}’). "
            "Hieronder staat wat er veranderde; uw eigen invoer staat nog in het formulier. "
            "Neem over wat u wilt houden en sla opnieuw op."
        )


@dataclass(frozen=True)
class ObservationInput:
    """What the form holds. Ratings, directions and narratives are keyed by condition."""

    ratings: Mapping[str, int | None] = field(default_factory=dict)
    directions: Mapping[str, str] = field(default_factory=dict)
    narratives: Mapping[str, str] = field(default_factory=dict)
    residents_reached: int | None = None
    sources: Sequence[str] = ()
    signals: Mapping[int, int] = field(default_factory=dict)  # signal kind id → frequency

    def field_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "residents_reached": self.residents_reached,
            "sources": sorted(set(self.sources)),
        }
        for c in CONDITION_CODES:
            rating = self.ratings.get(c)
            values[rating_field(c)] = rating
            # A direction means nothing without a view of the condition.
            values[direction_field(c)] = (
                "" if rating in (None, Rating.NO_VIEW) else self.directions.get(c, "")
            )
            values[narrative_field(c)] = (self.narratives.get(c) or "").strip()
        return values


def narrative_labels() -> dict[str, str]:
    return {info.condition.value: f"Toelichting {info.name_nl.lower()}" for info in CONDITIONS}


def input_problems(data: ObservationInput, *, municipality_id: int) -> list[str]:
    """Values the form should already have refused; checked again here (the service is the
    contract, whatever calls it)."""
    problems = []
    ratings = {r.value for r in Rating}
    for info in CONDITIONS:
        c = info.condition.value
        if data.ratings.get(c) not in (None, *ratings):
            problems.append(f"{info.name_nl}: kies een oordeel van de schaal.")
        if data.directions.get(c, "") not in ("", *Direction.values):
            problems.append(f"{info.name_nl}: kies verslechterd, gelijk of verbeterd.")
        if len(data.narratives.get(c) or "") > NARRATIVE_MAX_LENGTH:
            problems.append(
                f"Toelichting {info.name_nl.lower()}: hooguit {NARRATIVE_MAX_LENGTH} tekens."
            )
    if data.residents_reached is not None and data.residents_reached < 0:
        problems.append("Bereikte bewoners: een aantal van 0 of meer.")
    if set(data.sources) - set(Source.values):
        problems.append("Kies bronnen uit de lijst.")
    if set(data.signals.values()) - set(Frequency.values):
        problems.append("Kies bij elk signaal hoe vaak u het tegenkwam.")
    if data.signals:
        usable = set(
            SignalKind.objects.for_municipality(municipality_id)
            .filter(pk__in=list(data.signals), is_active=True)
            .values_list("pk", flat=True)
        )
        if set(data.signals) - usable:
            problems.append("Kies signalen uit de lijst van deze gemeente.")
    return problems


def completeness_problems(values: Mapping[str, Any]) -> list[str]:
    """What is missing before an observation can be submitted: a rating (or "geen zicht") for
    every condition, and a direction wherever there is a view."""
    problems = []
    for info in CONDITIONS:
        c = info.condition.value
        rating = values.get(rating_field(c))
        if rating is None:
            problems.append(f"{info.name_nl}: kies een oordeel, of ‘geen zicht’.")
        elif rating != Rating.NO_VIEW and not values.get(direction_field(c)):
            problems.append(
                f"{info.name_nl}: geef aan of het verslechterd, gelijk of verbeterd is."
            )
    return problems


def _check_personal_data(texts: Mapping[str, str]) -> None:
    findings = privacy.check_fields(dict(texts))
    if findings:
        raise PersonalDataRefused(findings)


def _check_period(period: str, today: date) -> str:
    try:
        quarter = parse_quarter(period)
    except ValueError as error:
        raise ObservationError(str(error)) from None
    if quarter > quarter_of(today):
        raise ObservationError(f"Het {quarter.label()} is nog niet begonnen.")
    return str(quarter)


# --- Saving -----------------------------------------------------------------------------------


@bumps_data_version
def observation_save(
    *,
    user: AbstractBaseUser,
    ward: Region,
    period: str,
    expected_version: int,
    data: ObservationInput,
    submit: bool = False,
    is_example: bool = False,
    today: date | None = None,
) -> Observation:
    """Save the author's observation of ``ward`` in ``period`` (a new one when
    ``expected_version`` is 0), and with ``submit`` hand it in, in one transaction."""
    today = today or timezone.localdate()
    if ward.level != Level.WIJK or not can_write_observation(user, ward):
        raise NotAllowed("U schrijft alleen observaties voor de wijken die aan u zijn toegewezen.")
    period = _check_period(period, today)
    problems = input_problems(data, municipality_id=ward.municipality_id)
    if problems:
        raise ObservationError("Niet opgeslagen: controleer de invoer.", problems)
    _check_personal_data(
        {narrative_labels()[c]: text for c, text in data.narratives.items() if text}
    )
    values = data.field_values()
    if submit:
        missing = completeness_problems(values)
        if missing:
            raise ObservationError(
                "Niet ingediend (en niet opgeslagen): er ontbreekt nog iets. U kunt de "
                "observatie ook als concept opslaan.",
                missing,
            )
    now = timezone.now()
    with transaction.atomic(), pghistory.context(user=user.pk, action="observatie opslaan"):
        if expected_version == 0:
            observation = _create(
                user=user,
                ward=ward,
                period=period,
                values={**values, "is_example": is_example},
                now=now,
            )
        else:
            observation = _update(
                user=user,
                ward=ward,
                period=period,
                expected_version=expected_version,
                values=values,
                now=now,
            )
        _signals_sync(observation=observation, signals=data.signals)
        if submit:
            observation = observation_transition(
                user=user,
                observation=observation,
                target=Status.SUBMITTED,
                expected_version=observation.version,
            )
    return observation


def _create(
    *, user: AbstractBaseUser, ward: Region, period: str, values: dict[str, Any], now
) -> Observation:
    try:
        with transaction.atomic():
            observation = Observation.objects.create(
                ward=ward,
                municipality_id=ward.municipality_id,
                period=period,
                author=user,
                status=Status.CONCEPT,
                version=1,
                updated_at=now,
                updated_by=user,
                **values,
            )
    except IntegrityError:
        # Saved from another window first: the same conflict as two saves of one version.
        current = Observation.objects.get(ward=ward, period=period, author=user)
        raise _conflict(current, expected_version=0) from None
    ObservationTransition.objects.create(
        observation=observation, from_status="", to_status=Status.CONCEPT, actor=user
    )
    return observation


def _update(
    *,
    user: AbstractBaseUser,
    ward: Region,
    period: str,
    expected_version: int,
    values: dict[str, Any],
    now,
) -> Observation:
    own = Observation.objects.filter(ward=ward, period=period, author=user)
    updated = own.filter(version=expected_version, status__in=EDITABLE).update(
        **values, version=F("version") + 1, updated_at=now, updated_by=user
    )
    current = own.select_for_update().first()
    if current is None:
        raise ObservationError("Deze observatie bestaat niet (meer).")
    if not updated:
        if current.version == expected_version:
            raise ObservationError(
                f"Deze observatie is {current.get_status_display().lower()} en kan nu niet "
                "worden gewijzigd."
                + (" Trek haar eerst terug." if current.status == Status.SUBMITTED else "")
            )
        raise _conflict(current, expected_version=expected_version)
    current.ward = ward
    return current


def _signals_sync(*, observation: Observation, signals: Mapping[int, int]) -> None:
    """Write only what changed, so that the history lists real changes."""
    existing = {s.kind_id: s for s in observation.signals.all()}
    gone = [s.pk for kind, s in existing.items() if kind not in signals]
    if gone:
        ObservationSignal.objects.filter(pk__in=gone).delete()
    for kind_id, frequency in signals.items():
        current = existing.get(kind_id)
        if current is None:
            ObservationSignal.objects.create(
                observation=observation, kind_id=kind_id, frequency=frequency
            )
        elif current.frequency != frequency:
            ObservationSignal.objects.filter(pk=current.pk).update(frequency=frequency)


def _conflict(current: Observation, *, expected_version: int) -> EditConflict:
    from observations.selectors import changes_since

    changed_by, changes, signal_changes = changes_since(current, version=expected_version)
    return EditConflict(
        current=current, changed_by=changed_by, changes=changes, signal_changes=signal_changes
    )


# --- Workflow ---------------------------------------------------------------------------------


def actors_for(user: AbstractBaseUser, observation: Observation) -> set[Actor]:
    """In which capacity this user may act on this observation. A coordinator does not
    handle their own observation (four eyes)."""
    actors: set[Actor] = set()
    if observation.author_id == user.pk and can_write_observation(user, observation.ward):
        actors.add(Actor.AUTHOR)
    elif can(user, Capability.COORDINATE, observation.municipality):
        actors.add(Actor.COORDINATOR)
    return actors


@bumps_data_version
def observation_transition(
    *,
    user: AbstractBaseUser,
    observation: Observation,
    target: str,
    expected_version: int,
    note: str = "",
) -> Observation:
    """Move the observation along the workflow table, as author or coordinator."""
    actors = actors_for(user, observation)
    if not actors:
        raise NotAllowed("U kunt deze observatie niet behandelen.")
    transition_check(current=observation.status, target=target, actors=actors, note=note)
    note = note.strip()
    if note:
        _check_personal_data({"Reden": note})
    if target == Status.SUBMITTED:
        missing = completeness_problems(
            {f.attname: getattr(observation, f.attname) for f in Observation._meta.fields}
        )
        if missing:
            raise ObservationError("Niet ingediend: er ontbreekt nog iets.", missing)
    now = timezone.now()
    with transaction.atomic(), pghistory.context(user=user.pk, action=f"status {target}"):
        updated = Observation.objects.filter(
            pk=observation.pk, version=expected_version, status=observation.status
        ).update(status=target, version=F("version") + 1, updated_at=now, updated_by=user)
        current = Observation.objects.select_for_update().get(pk=observation.pk)
        if not updated:
            raise _conflict(current, expected_version=expected_version)
        ObservationTransition.objects.create(
            observation=current,
            from_status=observation.status,
            to_status=target,
            actor=user,
            note=note,
        )
    return current


# --- Signal kinds (kept by beheerders) ----------------------------------------------------------


@bumps_data_version
def standard_signal_kinds_ensure() -> int:
    """The standard list is there (the migration writes it; a flushed database lost it).
    Returns how many kinds it added."""
    from observations.standard_kinds import STANDARD_KINDS

    added = 0
    for order, (name, description) in enumerate(STANDARD_KINDS, start=1):
        _, created = SignalKind.objects.get_or_create(
            municipality=None,
            name=name,
            defaults={"description": description, "sort_order": order * 10},
        )
        added += created
    return added


@bumps_data_version
def signal_kind_add(
    *, user: AbstractBaseUser, municipality: Region, name: str, description: str = ""
) -> SignalKind:
    if not can(user, Capability.ADMINISTER, municipality):
        raise NotAllowed("Alleen een beheerder van deze gemeente houdt de lijst bij.")
    name = " ".join(name.split())
    if not name:
        raise ObservationError("Geef het signaal een naam.")
    if SignalKind.objects.for_municipality(municipality.pk).filter(name__iexact=name).exists():
        raise ObservationError(f"‘{name}’ staat al op de lijst.")
    last = SignalKind.objects.for_municipality(municipality.pk).order_by("-sort_order").first()
    return SignalKind.objects.create(
        municipality=municipality,
        name=name,
        description=description.strip(),
        sort_order=(last.sort_order if last else 0) + 10,
    )


@bumps_data_version
def signal_kind_set_active(
    *, user: AbstractBaseUser, municipality: Region, kind: SignalKind, is_active: bool
) -> None:
    """Switch a kind on or off for new observations. Standard kinds (no municipality) are
    switched off per municipality by a site administrator only."""
    if kind.municipality_id is None:
        allowed = user.is_superuser
    else:
        allowed = kind.municipality_id == municipality.pk and can(
            user, Capability.ADMINISTER, municipality
        )
    if not allowed:
        raise NotAllowed("U kunt dit signaal niet aan- of uitzetten.")
    SignalKind.objects.filter(pk=kind.pk).update(is_active=is_active)


# --- Retention --------------------------------------------------------------------------------


@bumps_data_version
def narratives_expire(*, today: date | None = None, retention_days: int | None = None) -> int:
    """Remove the narratives of observations whose quarter ended more than the retention
    period ago, from the observation and from its history; ratings and signals stay.
    Returns how many observations lost their narratives."""
    today = today or timezone.localdate()
    days = (
        retention_days
        if retention_days is not None
        else (settings.OBSERVATION_NARRATIVE_RETENTION_DAYS)
    )
    boundary = str(quarter_of(today - timedelta(days=days)))
    expired = Observation.objects.filter(period__lt=boundary, narratives_removed_at__isnull=True)
    now = timezone.now()
    with transaction.atomic(), pghistory.context(action="bewaartermijn verstreken"):
        ids = list(expired.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Observation.objects.filter(pk__in=ids).update(
            **{name: "" for name in NARRATIVE_FIELDS},
            narratives_removed_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        # The history is append-only for everyone else; this one purpose may blank its text.
        event_model = ObservationEvent
        with pgtrigger.ignore(f"{event_model._meta.label}:{VERSIONS_TRIGGER}"):
            event_model.objects.filter(pgh_obj_id__in=ids).update(
                **{name: "" for name in NARRATIVE_FIELDS}
            )
    return len(ids)
