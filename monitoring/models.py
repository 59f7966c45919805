"""The domain model: regions, indicators, their values, scores and where values came from.

Designed for what follows (see docs/architecture.md): observations by social workers per ward and
quarter, initiatives serving wards, roles per municipality, national scale and re-coded wards.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from monitoring.conditions import Condition, IndicatorRole
from monitoring.fields import PeriodField


class Level(models.TextChoices):
    LAND = "land", "Nederland"
    GEMEENTE = "gemeente", "Gemeente"
    WIJK = "wijk", "Wijk"
    BUURT = "buurt", "Buurt"


LEVEL_BY_CODE_PREFIX = {"NL": Level.LAND, "GM": Level.GEMEENTE, "WK": Level.WIJK, "BU": Level.BUURT}


class RegionQuerySet(models.QuerySet):
    def municipalities(self):
        return self.filter(level=Level.GEMEENTE)

    def in_municipality(self, municipality: Region):
        return self.filter(municipality=municipality)

    def valid_in(self, year: int):
        return self.filter(Q(first_year__lte=year) | Q(first_year__isnull=True)).filter(
            Q(last_year__gte=year) | Q(last_year__isnull=True)
        )

    def for_user(self, user):
        """Regions of the municipalities this user may view (see access.permissions)."""
        from access.permissions import visible_municipality_ids

        visible = visible_municipality_ids(user)
        if visible is None:
            return self
        return self.filter(Q(municipality_id__in=visible) | Q(pk__in=visible))


class Region(models.Model):
    """A CBS region (gemeente, wijk, buurt) for the years in which its code means one area.

    CBS re-draws and re-codes wards: the same code in two years is not always the same area. A
    code that was redrawn gets a second Region row with its own year range; a value points at
    the row that was valid in its period.
    """

    code = models.CharField("CBS-code", max_length=16, help_text="Bijv. GM0518, WK051801.")
    name = models.CharField("naam", max_length=200)
    level = models.CharField("niveau", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="ligt in",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    municipality = models.ForeignKey(
        "self",
        verbose_name="gemeente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="De gemeente waar deze regio in ligt (bij een gemeente: zijzelf).",
    )
    first_year = models.PositiveSmallIntegerField("eerste jaar", null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(
        "laatste jaar", null=True, blank=True, help_text="Leeg: bestaat nog."
    )
    inhabitants = models.PositiveIntegerField(
        "inwoners", null=True, blank=True, help_text="Meest recente aantal inwoners."
    )
    inhabitants_period = PeriodField("inwoners in periode", blank=True, default="")
    geometry = models.JSONField(
        "geometrie",
        null=True,
        blank=True,
        help_text="GeoJSON-geometrie in WGS84, vereenvoudigd voor weergave.",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "regio"
        verbose_name_plural = "regio's"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "first_year"],
                nulls_distinct=False,
                name="region_code_first_year_unique",
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True)
                | Q(first_year__isnull=True)
                | Q(last_year__gte=models.F("first_year")),
                name="region_years_in_order",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "level"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Indicator(models.Model):
    """A figure kept per region and period, and how it feeds a condition of social quality."""

    class Direction(models.IntegerChoices):
        HIGHER_IS_BETTER = 1, "hoger is beter"
        LOWER_IS_BETTER = -1, "lager is beter"

    code = models.SlugField("code", max_length=60, unique=True)
    name_nl = models.CharField("naam", max_length=200)
    name_en = models.CharField("naam (Engels)", max_length=200, blank=True)
    role = models.CharField(
        "conditie", max_length=12, choices=IndicatorRole.choices, default=IndicatorRole.CONTEXT
    )
    unit = models.CharField("eenheid", max_length=30, blank=True)
    direction = models.SmallIntegerField(
        "richting", choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    weight = models.DecimalField("gewicht", max_digits=5, decimal_places=2, default=1)
    source = models.CharField("bron", max_length=200, blank=True)
    definition = models.TextField("definitie", blank=True)
    aliases = ArrayField(
        models.CharField(max_length=200),
        verbose_name="kolomnamen in bestanden",
        default=list,
        blank=True,
        help_text=(
            "Namen waaronder deze cijfers in CBS- en gemeentebestanden staan: OData-sleutel "
            "zonder _NN (HuishoudensMetEenLaagInkomen), Excel-naam (p_hh_lkk) of StatLine-label."
        ),
    )
    numerator = ArrayField(
        models.SlugField(max_length=60),
        verbose_name="teller",
        default=list,
        blank=True,
        help_text="Afgeleide indicator: codes van indicatoren die opgeteld de teller vormen.",
    )
    denominator = ArrayField(
        models.SlugField(max_length=60),
        verbose_name="noemer",
        default=list,
        blank=True,
        help_text="Afgeleide indicator: codes van indicatoren die opgeteld de noemer vormen.",
    )
    factor = models.FloatField("factor", default=1.0)
    weighted_by = ArrayField(
        models.SlugField(max_length=60),
        verbose_name="gewogen naar",
        default=list,
        blank=True,
        help_text=(
            "Codes van indicatoren die opgeteld het gewicht van een wijk in de gemeentelijke "
            "referentie vormen (de eigen noemer: huishoudens, inwoners van 15 tot 65 jaar...). "
            "Leeg: het gewone gemiddelde van de wijken."
        ),
    )
    valid_from = PeriodField(
        "hoort bij het kader vanaf",
        blank=True,
        default="",
        help_text="Eerste periode waarin deze indicator meetelt voor de dekking (leeg: altijd).",
    )
    valid_until = PeriodField(
        "hoort bij het kader tot en met",
        blank=True,
        default="",
        help_text=(
            "Laatste periode waarin deze indicator meetelt voor de dekking, bijvoorbeeld omdat "
            "het CBS het cijfer daarna verving (leeg: altijd)."
        ),
    )
    minimum = models.FloatField("kleinst mogelijke waarde", null=True, blank=True)
    maximum = models.FloatField("grootst mogelijke waarde", null=True, blank=True)
    is_active = models.BooleanField("actief", default=True)
    sort_order = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        verbose_name = "indicator"
        verbose_name_plural = "indicatoren"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="indicator_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(numerator=[]) | ~Q(denominator=[]),
                name="indicator_derived_has_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_nl} ({self.code})"

    @property
    def is_derived(self) -> bool:
        return bool(self.numerator)

    @property
    def is_scored(self) -> bool:
        return self.role != IndicatorRole.CONTEXT and self.is_active


class ImportBatch(models.Model):
    """One applied file: where a set of values came from, and what it takes to undo it."""

    # Period sources that were inferred rather than stated in the file or by the person.
    INFERRED_PERIOD_SOURCES = frozenset({"bestandsnaam", "afgeleid"})

    class Status(models.TextChoices):
        QUEUED = "queued", "In de wachtrij"
        RUNNING = "running", "Bezig"
        PREVIEWED = "previewed", "Voorbeeld klaar"
        APPLIED = "applied", "Ingelezen"
        FAILED = "failed", "Mislukt"
        ROLLED_BACK = "rolled_back", "Teruggedraaid"

    class Job(models.TextChoices):
        """The work the worker does (or last did) for a batch; queued and running say how far."""

        PREVIEW = "preview", "voorbeeld maken"
        APPLY = "apply", "inlezen"
        ROLLBACK = "rollback", "terugdraaien"

    file_name = models.CharField("bestand", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    file_format = models.CharField("formaat", max_length=30, blank=True)
    period = PeriodField("periode", blank=True, default="")
    # Where the period came from (importing.formats.common.choose_period): "kolom" or "titel"
    # (the file states it), "opgegeven" (the person importing gave it), "bestandsnaam" or
    # "afgeleid" (inferred, not stated: shown as such beside every value of the batch).
    period_source = models.CharField(
        "herkomst periode", max_length=16, blank=True, default="", db_default=""
    )
    municipality = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="import_batches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)
    finished_at = models.DateTimeField("klaar", null=True, blank=True)
    values_new = models.PositiveIntegerField("nieuw", default=0)
    values_changed = models.PositiveIntegerField("gewijzigd", default=0)
    values_unchanged = models.PositiveIntegerField("ongewijzigd", default=0)
    cells_rejected = models.PositiveIntegerField("afgewezen", default=0)
    regions_created = models.PositiveIntegerField("nieuwe regio's", default=0)
    message = models.TextField("melding", blank=True)
    # The uploaded file, kept under MEDIA_ROOT so the worker can read it.
    stored_file = models.CharField("opgeslagen bestand", max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField("grootte (bytes)", default=0)
    preview = models.JSONField("voorbeeld", null=True, blank=True)
    skip_rejected = models.BooleanField("afgewezen cellen overslaan", default=False)
    # Earlier state of regions the import changed ({id: {field: value}}) and the regions it
    # created, so that a rollback gives back exactly what was there.
    region_changes = models.JSONField("gewijzigde regio's", default=dict, blank=True)
    task_id = models.CharField("taak", max_length=64, blank=True)
    # Blank for imports that never went through the worker (command line, demo).
    job = models.CharField("taak-soort", max_length=10, choices=Job.choices, blank=True)
    # How the last job ended when that is not the batch's own state: a refused or interrupted
    # rollback leaves the batch applied, and this says why (shown once, after the progress page).
    job_outcome = models.TextField("uitkomst van de taak", blank=True)
    started_at = models.DateTimeField("gestart", null=True, blank=True)
    phase = models.CharField("stap", max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField("voortgang (%)", default=0)
    rows_total = models.PositiveIntegerField("rijen totaal", default=0)
    rows_done = models.PositiveIntegerField("rijen klaar", default=0)
    rolled_back_at = models.DateTimeField("teruggedraaid", null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="teruggedraaid door",
    )

    class Meta:
        verbose_name = "import"
        verbose_name_plural = "imports"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d-%m-%Y %H:%M})"


class IndicatorValueQuerySet(models.QuerySet):
    def for_period(self, period: str):
        return self.filter(period=str(period))


class MissingReason(models.TextChoices):
    """Why CBS gave no figure (``importing.provenance``): its "." means "gegevens ontbreken" as
    well as "geheim", and the two are read differently by a council."""

    SECRET = "geheim", "geheim"
    UNAVAILABLE = "niet_beschikbaar", "niet beschikbaar"


class IndicatorValue(models.Model):
    """One figure: region × indicator × period. ``value`` empty means missing or suppressed."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = PeriodField("periode")
    value = models.FloatField("waarde", null=True, blank=True)
    is_suppressed = models.BooleanField(
        "geheim", default=False, help_text="CBS heeft de cel geheimgehouden of onbetrouwbaar."
    )
    # For a cell CBS marked (is_suppressed): secret (privacy, too few observations) or not
    # available (the whole column of the file was empty: not yet published). db_default: the
    # bulk writers of the import and the benchmark name their columns and may leave it out.
    missing_reason = models.CharField(
        "reden ontbreken",
        max_length=16,
        choices=MissingReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="values"
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = "waarde"
        verbose_name_plural = "waarden"
        constraints = [
            # Also the index for "one region over time": (region, indicator) then period.
            models.UniqueConstraint(
                fields=["region", "indicator", "period"], name="value_region_indicator_period"
            ),
        ]
        # "All regions in one period", per indicator.
        indexes = [models.Index(fields=["indicator", "period"], name="value_indicator_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_id} {self.period}: {self.value}"


class ValueChange(models.Model):
    """What an import did to one value, so that the import can be rolled back exactly."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = PeriodField("periode")
    existed_before = models.BooleanField(default=False)
    old_value = models.FloatField(null=True, blank=True)
    old_is_suppressed = models.BooleanField(default=False)
    old_missing_reason = models.CharField(max_length=16, blank=True, default="", db_default="")
    old_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_value = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch"])]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_id} {self.period}: {self.old_value} → {self.new_value}"


class ScoreMethod(models.TextChoices):
    BASE_YEAR = "basisjaar", "Index t.o.v. basisjaar (100 = gemiddelde, 10 = 1 sd)"
    ZSCORE = "zscore", "z-score binnen de periode"
    MINMAX = "minmax", "min–max binnen de periode"
    PERCENTILE = "percentiel", "percentielrang binnen de periode"
    NATIONAL = "landelijk", "afstand tot de landelijke waarde"
    PRACTICE = "praktijk", "praktijkscore uit observaties van sociaal werkers"


class ConditionScore(models.Model):
    """A stored score of one region on one condition in one period, by one method.

    Its breakdown (raw value, index, weight and contribution per indicator) is not stored: the
    drill-down recomputes it from the values with the same core function, see
    ``selectors.score_breakdowns``. Written only by ``services.scores``, with binary COPY.
    """

    # No index of its own: the unique constraint below starts with the region.
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    period = PeriodField("periode")
    condition = models.CharField("conditie", max_length=12, choices=Condition.choices)
    method = models.CharField(
        "methode", max_length=12, choices=ScoreMethod.choices, default=ScoreMethod.BASE_YEAR
    )
    value = models.FloatField(
        "score", null=True, blank=True, help_text="Leeg: onvoldoende gegevens."
    )
    coverage = models.FloatField("dekking", help_text="Aandeel van het gewicht met een waarde.")
    rank = models.PositiveIntegerField("rang", null=True, blank=True)
    # The margins of method 2.0 (scoring.uncertainty), stored for the base-year methods so that
    # a page shows them without recomputing: the 95 % interval of the score from the size of
    # the population behind each indicator and CBS's rounding, and the best and worst place
    # under other reasonable weights (each weight × 0.5 and × 1.5, each indicator left out).
    low = models.FloatField("ondergrens", null=True, blank=True)
    high = models.FloatField("bovengrens", null=True, blank=True)
    rank_best = models.PositiveIntegerField("beste plaats", null=True, blank=True)
    rank_worst = models.PositiveIntegerField("slechtste plaats", null=True, blank=True)
    # Stored with the scores (scoring.places_and_dependence) so that a ward page reads its own
    # rows instead of every area's ranks: how many areas of its comparison group have a rank
    # by this method in this period, and why its place depends on the method ("bovenste derde
    # bij basisjaar, onderste derde bij zscore"; the same on each method's row, empty if not).
    rank_of = models.PositiveIntegerField("aantal met een rang", null=True, blank=True)
    method_dependence = models.CharField(
        "plaats hangt af van de methode", max_length=120, blank=True, default="", db_default=""
    )
    status = models.CharField(
        "status",
        max_length=30,
        default="berekend",
        help_text="berekend, onvoldoende gegevens of te weinig inwoners.",
    )
    method_version = models.CharField("methodeversie", max_length=20)
    base_period = PeriodField("basisjaar", blank=True, default="")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "score"
        verbose_name_plural = "scores"
        constraints = [
            # Method before period: pages read one method's scores of a group of areas (the
            # municipal averages, the map), which then reads a range of this index per area.
            models.UniqueConstraint(
                fields=["region", "method", "period", "condition"], name="score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period} {self.condition}: {self.value}"


class ScoringSettings(models.Model):
    """Per municipality: the base year of the index and other scoring choices."""

    municipality = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="scoring_settings"
    )
    base_period = PeriodField("basisjaar", blank=True, default="")

    class Meta:
        verbose_name = "score-instelling"
        verbose_name_plural = "score-instellingen"

    def __str__(self) -> str:
        return f"Score-instellingen {self.municipality_id}"


class Role(models.TextChoices):
    POLICY_OFFICER = "beleid", "Beleidsmedewerker"
    SOCIAL_WORKER = "sociaal_werker", "Sociaal werker / buurtcoördinator"
    ADMIN = "beheerder", "Functioneel beheerder"


class Membership(models.Model):
    """A user's role in one municipality (a user can work for several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"level": Level.GEMEENTE},
    )
    role = models.CharField("rol", max_length=20, choices=Role.choices)
    wards = models.ManyToManyField(
        Region,
        blank=True,
        related_name="assigned_memberships",
        verbose_name="wijken",
        help_text="Voor sociaal werkers: de wijken waarvoor zij observaties invoeren.",
    )
    is_coordinator = models.BooleanField(
        "buurtcoördinator",
        default=False,
        help_text="Mag observaties van deze gemeente accepteren of terugsturen.",
    )

    class Meta:
        verbose_name = "rol"
        verbose_name_plural = "rollen"
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} in {self.municipality.name}"
