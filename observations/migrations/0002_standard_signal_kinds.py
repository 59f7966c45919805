from django.db import migrations

# The standard list every municipality starts with; beheerders add their own and switch
# kinds off (never delete: earlier observations keep their meaning).
STANDARD_KINDS = [
    ("Eenzaamheid", "Bewoners met weinig contact, die zich alleen voelen."),
    ("Geldzorgen en schulden", "Moeite met rondkomen, betalingsachterstanden, schulden."),
    ("Digitale uitsluiting", "Niet mee kunnen met digitale diensten van overheid en bank."),
    ("Woonproblemen", "Slechte woningen, overbewoning, dreigende uitzetting."),
    ("Spanningen in de buurt", "Conflicten tussen buren of groepen, overlast, onveiligheid."),
    ("Zorgmijding", "Hulp of zorg nodig hebben en die niet zoeken."),
    ("Overbelaste mantelzorgers", "Mantelzorgers die het niet meer volhouden."),
    ("Taalbarrière", "Niet mee kunnen doen omdat de taal in de weg zit."),
    ("Nieuwe groep vrijwilligers", "Bewoners die samen iets voor de buurt oppakken."),
    ("Jongeren zonder plek", "Jongeren zonder school, werk of plek om samen te komen."),
]


def add_standard_kinds(apps, schema_editor):
    SignalKind = apps.get_model("observations", "SignalKind")
    for order, (name, description) in enumerate(STANDARD_KINDS, start=1):
        SignalKind.objects.get_or_create(
            municipality=None,
            name=name,
            defaults={"description": description, "sort_order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("observations", "0001_initial")]

    operations = [migrations.RunPython(add_standard_kinds, migrations.RunPython.noop)]
