"""Existing conventions are annual: their last year is their year, and their justificatifs
justify that year."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def fill_years(apps, schema_editor):
    Convention = apps.get_model("conventions", "Convention")
    Justificatif = apps.get_model("conventions", "Justificatif")
    Convention.objects.filter(end_year__isnull=True).update(end_year=F("year"))
    year = Convention.objects.filter(pk=OuterRef("convention_id")).values("year")[:1]
    Justificatif.objects.filter(year__isnull=True).update(year=Subquery(year))


class Migration(migrations.Migration):
    dependencies = [("conventions", "0009_multi_year_conventions")]

    operations = [migrations.RunPython(fill_years, migrations.RunPython.noop)]
