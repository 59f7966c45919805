from django.db import migrations

from observations.standard_kinds import STANDARD_KINDS


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
