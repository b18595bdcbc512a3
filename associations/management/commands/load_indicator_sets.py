from django.core.management.base import BaseCommand

from associations.indicators.reference import load_reference_sets


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les jeux d'indicateurs de référence : annexe V de la convention "
        "SCS (Aix-Marseille-Provence 2023) et chiffres clés Minalogic (Saint-Étienne Métropole "
        "2023). Peut être relancée : les indicateurs sont mis à jour par leur code."
    )

    def handle(self, *args, **options):
        loaded = load_reference_sets(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{len(loaded)} jeu(x) d'indicateurs chargé(s)."))
