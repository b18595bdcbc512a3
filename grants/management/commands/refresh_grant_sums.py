from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants.finance.sums import refresh_grants, stale_grants
from grants.models import Grant


class Command(BaseCommand):
    help = (
        "Recalcule les montants engagés et payés et l'indicateur « couverte par une convention » "
        "enregistrés sur chaque subvention (après une correction faite directement en base)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Ne rien modifier : lister les subventions dont les montants enregistrés "
            "diffèrent, et sortir en erreur s'il y en a.",
        )

    def handle(self, *args, check=False, **options):
        stale = list(stale_grants(Grant.objects.all()).values_list("pk", flat=True)[:1000])
        if check:
            if stale:
                shown = ", ".join(str(pk) for pk in stale[:20])
                raise CommandError(
                    f"{len(stale)} subvention(s) à recalculer (identifiants : {shown}…) : "
                    "lancez « python manage.py refresh_grant_sums »."
                )
            self.stdout.write("Les montants enregistrés sur les subventions sont à jour.")
            return
        with transaction.atomic():
            count = refresh_grants(Grant.objects.all())
        verb = "était" if len(stale) < 2 else "étaient"
        self.stdout.write(f"{count} subventions recalculées ; {len(stale)} {verb} à corriger.")
