import time

from django.core.management.base import BaseCommand, CommandError

from grants import scale


class Command(BaseCommand):
    help = (
        "Génère les volumes d'une grande collectivité sur dix ans dans la collectivité de la "
        "démonstration (large : 20 000 associations, 100 000 conventions, 20 000 demandes de "
        "subvention ; small : un dixième ; tiny : quelques lignes, pour les tests). "
        "Ne s'exécute qu'une fois par base."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(scale.SIZES), default="small")

    def handle(self, *args, size, **options):
        started = time.monotonic()
        try:
            scale.generate(size, self.stdout)
        except scale.ScaleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Données d'échelle « {size} » générées en {time.monotonic() - started:.0f} s."
            )
        )
