"""Bring the aliases of an installed default framework in line with the real CBS files.

``framework_install`` never changes an indicator that exists (admins may have edited it), so a
database installed before this fix keeps the wrong Excel alias ``p_hh_li`` (the national bottom
40 %) on the low-income share. This migration replaces it by ``p_hh_lkk`` and adds the StatLine
labels that the real files use; aliases an admin added stay.
"""

from django.db import migrations

ADDED = {
    "sez_laag_inkomen": ["p_hh_lkk"],
    "inc_arbeidsparticipatie": ["Arbeid/Nettoarbeidsparticipatie"],
    "inc_afstand_huisarts": ["Nabijheid voorzieningen/Afstand tot huisartsenpraktijk"],
    "inc_afstand_supermarkt": ["Nabijheid voorzieningen/Afstand tot grote supermarkt"],
    "inc_afstand_school": ["Nabijheid voorzieningen/Basisonderwijs/Afstand tot school"],
    "inc_afstand_kinderopvang": ["Nabijheid voorzieningen/Afstand tot kinderdagverblijf"],
    "emp_wmo": ["Zorg/Wmo-cliënten relatief"],
    "emp_jeugdzorg": ["Zorg/Percentage jongeren met jeugdzorg"],
    "opleiding_laag": ["Opleidingsniveau/Opleidingsniveau laag"],
    "opleiding_middelbaar": ["Opleidingsniveau/Opleidingsniveau middelbaar"],
    "opleiding_hoog": ["Opleidingsniveau/Opleidingsniveau hoog"],
    "woz_waarde": ["Wonen/Gemiddelde WOZ-waarde van woningen"],
    "huurwoningen": ["Wonen/Woningen naar eigendom/Huurwoningen/Huurwoningen totaal"],
    "corporatiewoningen": ["Wonen/Woningen naar eigendom/Huurwoningen/In bezit woningcorporatie"],
    "stedelijkheid": ["Stedelijkheid/Mate van stedelijkheid"],
}
REMOVED = {"sez_laag_inkomen": ["p_hh_li"]}


def forwards(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    for indicator in Indicator.objects.filter(code__in=ADDED):
        aliases = [a for a in indicator.aliases if a not in REMOVED.get(indicator.code, [])]
        aliases += [a for a in ADDED[indicator.code] if a not in aliases]
        if aliases != indicator.aliases:
            indicator.aliases = aliases
            indicator.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_import_batch_job")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
