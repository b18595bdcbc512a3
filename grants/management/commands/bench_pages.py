from django.core.management.base import BaseCommand

from grants import bench


class Command(BaseCommand):
    help = (
        "Mesure les pages du quotidien (médiane de 5, requêtes SQL, poids) avec DEBUG "
        "désactivé, et compare chaque liste au SQL écrit à la main qui renvoie les mêmes lignes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", help="Ne mesurer que les pages dont le nom contient ce texte."
        )

    def handle(self, *args, only=None, **options):
        results = bench.run(self.stdout, only=only)
        self.stdout.write(bench.summary(results))
