"""Initiatives get their full profile; target groups and reach become structured tags.

Free-text target groups and reach from 0001 are carried forward: words that name a known target
group become that tag, anything else is kept in the reach's note (nothing is lost).
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def _tags(text, known):
    tags, rest = [], []
    for part in (text or "").replace(";", ",").split(","):
        word = part.strip()
        if not word:
            continue
        match = next(
            (code for code, label in known if word.lower() in (code, label.lower())), None
        )
        if match and match not in tags:
            tags.append(match)
        else:
            rest.append(word)
    return tags, rest


def carry_forward(apps, schema_editor):
    known = TARGET_GROUPS
    Initiative = apps.get_model("initiatives", "Initiative")
    Reach = apps.get_model("initiatives", "InitiativeReach")
    # Names become unique per municipality: number the later ones of a same-named pair.
    seen = set()
    for initiative in Initiative.objects.order_by("pk"):
        name, n = initiative.name, 1
        while (initiative.municipality_id, name) in seen:
            n += 1
            name = f"{initiative.name} ({n})"
        seen.add((initiative.municipality_id, name))
        if name != initiative.name:
            initiative.name = name
            initiative.save(update_fields=["name"])
    for initiative in Initiative.objects.exclude(target_groups_text=""):
        initiative.target_groups, rest = _tags(initiative.target_groups_text, known)
        if rest:
            extra = "Doelgroepen: " + ", ".join(rest)
            initiative.description = f"{initiative.description}\n\n{extra}".strip()
        initiative.save(update_fields=["target_groups", "description"])
    for reach in Reach.objects.all():
        reach.reached_groups, rest_reached = _tags(reach.reached_text, known)
        reach.missed_groups, rest_missed = _tags(reach.missed_text, known)
        notes = []
        if rest_missed:
            notes.append(", ".join(rest_missed))
        if rest_reached:
            notes.append("Ook bereikt: " + ", ".join(rest_reached))
        reach.missed_note = "; ".join(notes)[:500]
        reach.save(update_fields=["reached_groups", "missed_groups", "missed_note"])


def _choice_array(choices, verbose_name, max_length=20):
    return django.contrib.postgres.fields.ArrayField(
        base_field=models.CharField(choices=choices, max_length=max_length),
        blank=True,
        default=list,
        size=None,
        verbose_name=verbose_name,
    )


TARGET_GROUPS = [
    ("ouderen", "Ouderen"),
    ("jongeren", "Jongeren"),
    ("kinderen", "Kinderen"),
    ("gezinnen", "Gezinnen"),
    ("nieuwkomers", "Nieuwkomers"),
    ("laag_inkomen", "Mensen met een laag inkomen"),
    ("lhbti", "LHBTI+"),
    ("beperking", "Mensen met een beperking"),
    ("mantelzorgers", "Mantelzorgers"),
    ("psychisch", "Mensen met psychische kwetsbaarheid"),
    ("laaggeletterden", "Laaggeletterden"),
    ("alleenstaanden", "Alleenstaanden"),
]
PARTNER_KINDS = [
    ("bewoners", "Bewoners"),
    ("welzijn", "Welzijn"),
    ("woningcorporatie", "Woningcorporatie"),
    ("religieus", "Religieuze instelling"),
    ("vereniging", "Vereniging"),
    ("bedrijf", "Bedrijf"),
    ("gemeente", "Gemeente"),
    ("zorg", "Zorg"),
    ("onderwijs", "Onderwijs"),
]
KINDS = [
    ("ontmoetingsplek", "Ontmoetingsplek"),
    ("vrijwilligersnetwerk", "Vrijwilligersnetwerk"),
    ("activiteit", "Activiteit (wandelen, koken, lezen, …)"),
    ("informele_hulp", "Informele hulp"),
    ("voedsel", "Voedsel"),
    ("digitale_hulp", "Digitale hulp"),
    ("vervoer", "Vervoer"),
    ("taal", "Taal en lezen"),
    ("bewegen", "Sport en bewegen"),
    ("overig", "Overig"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("initiatives", "0001_initial"),
        ("monitoring", "0005_membership_is_coordinator"),
    ]

    operations = [
        # Initiative: renames keep what was there.
        migrations.RenameField("initiative", "organisation", "contact_organisation"),
        migrations.AlterField(
            model_name="initiative",
            name="contact_organisation",
            field=models.CharField(
                blank=True,
                help_text="Een organisatie, nooit een privépersoon.",
                max_length=200,
                verbose_name="contactorganisatie",
            ),
        ),
        migrations.RenameField("initiative", "started", "start_date"),
        migrations.AlterField(
            model_name="initiative",
            name="start_date",
            field=models.DateField(blank=True, null=True, verbose_name="start"),
        ),
        migrations.RenameField("initiative", "ended", "end_date"),
        migrations.AlterField(
            model_name="initiative",
            name="end_date",
            field=models.DateField(blank=True, null=True, verbose_name="einde"),
        ),
        migrations.RenameField("initiative", "target_groups", "target_groups_text"),
        migrations.AddField(
            model_name="initiative",
            name="target_groups",
            field=_choice_array(TARGET_GROUPS, "doelgroepen"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="kind",
            field=models.CharField(
                choices=KINDS, default="activiteit", max_length=24, verbose_name="soort"
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="partner_kinds",
            field=_choice_array(PARTNER_KINDS, "partners (soort)"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="status",
            field=models.CharField(
                choices=[("idee", "Idee"), ("actief", "Actief"), ("gestopt", "Gestopt")],
                default="idee",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="funding",
            field=models.CharField(
                choices=[
                    ("structureel", "Structureel"),
                    ("tijdelijk", "Tijdelijk (tot een datum)"),
                    ("geen", "Geen"),
                ],
                default="geen",
                max_length=12,
                verbose_name="financiering",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="funding_until",
            field=models.DateField(
                blank=True,
                help_text="Alleen bij tijdelijk.",
                null=True,
                verbose_name="tijdelijke financiering tot",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="funder",
            field=models.CharField(blank=True, max_length=200, verbose_name="financier"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="contact_email",
            field=models.EmailField(
                blank=True, max_length=254, verbose_name="algemeen e-mailadres"
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="contact_phone",
            field=models.CharField(
                blank=True, max_length=30, verbose_name="algemeen telefoonnummer"
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="website",
            field=models.URLField(blank=True, verbose_name="website"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="latitude",
            field=models.FloatField(blank=True, null=True, verbose_name="breedtegraad"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="longitude",
            field=models.FloatField(blank=True, null=True, verbose_name="lengtegraad"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="is_example",
            field=models.BooleanField(
                default=False,
                help_text="Verzonnen voorbeeld uit de demo.",
                verbose_name="voorbeeldgegevens",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="aangemaakt"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="initiative",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="gewijzigd"),
        ),
        migrations.AlterField(
            model_name="initiative",
            name="municipality",
            field=models.ForeignKey(
                limit_choices_to={"level": "gemeente"},
                on_delete=django.db.models.deletion.CASCADE,
                related_name="initiatives",
                to="monitoring.region",
                verbose_name="gemeente",
            ),
        ),
        # Reach: free text becomes tags plus a note.
        migrations.RenameField("initiativereach", "reached_groups", "reached_text"),
        migrations.RenameField("initiativereach", "missed_groups", "missed_text"),
        migrations.AddField(
            model_name="initiativereach",
            name="reached_groups",
            field=_choice_array(TARGET_GROUPS, "bereikte doelgroepen"),
        ),
        migrations.AddField(
            model_name="initiativereach",
            name="missed_groups",
            field=_choice_array(TARGET_GROUPS, "wie bereiken we (nog) niet"),
        ),
        migrations.AddField(
            model_name="initiativereach",
            name="missed_note",
            field=models.CharField(
                blank=True,
                max_length=500,
                verbose_name="toelichting: wie bereiken we (nog) niet",
            ),
        ),
        migrations.RunPython(carry_forward, migrations.RunPython.noop),
        migrations.RemoveField("initiative", "target_groups_text"),
        migrations.RemoveField("initiativereach", "reached_text"),
        migrations.RemoveField("initiativereach", "missed_text"),
        migrations.AlterModelOptions(
            name="initiativereach",
            options={"ordering": ["period"], "verbose_name": "bereik", "verbose_name_plural": "bereik"},
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.UniqueConstraint(
                fields=("municipality", "name"), name="initiative_unique_name_per_municipality"
            ),
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="initiative_dates_in_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.CheckConstraint(
                condition=models.Q(funding="tijdelijk", funding_until__isnull=False)
                | (~models.Q(funding="tijdelijk") & models.Q(funding_until__isnull=True)),
                name="initiative_temporary_funding_has_end",
            ),
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="initiative_location_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="initiativereach",
            constraint=models.CheckConstraint(
                condition=models.Q(period__regex="^\\d{4}-K[1-4]$"),
                name="reach_period_is_quarter",
            ),
        ),
    ]
