"""Existing payments and clawbacks belong to their (annual) convention's year."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_years(apps, schema_editor):
    Convention = apps.get_model("conventions", "Convention")
    year = Convention.objects.filter(pk=OuterRef("convention_id")).values("year")[:1]
    for name in ("Payment", "Clawback"):
        model = apps.get_model("grants", name)
        model.objects.filter(year__isnull=True).update(year=Subquery(year))


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0016_payments_per_year"),
        ("conventions", "0010_fill_convention_years"),
    ]

    operations = [migrations.RunPython(fill_years, migrations.RunPython.noop)]
