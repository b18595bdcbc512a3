from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

# Each issue adds its loader here, in dependency order. Each takes (out, context) where
# context is the dict returned by the loaders before it, and returns what it adds.
LOADERS = [
    "grants.demo.load_foundation",
    "deliberations.demo.load_deliberations",
    "associations.budgets.demo.load_budgets",
    "conventions.demo.load_conventions",
    "associations.indicators.demo.load_indicators",
    "grants.finance.demo.load_finance",
    "conventions.justificatifs.demo.load_justificatifs",
    "grants.smallgrants.demo.load_small_grants",
    "associations.bank.demo.load_bank_details",
    "grants.accounts.demo.load_access_requests",
    "grants.requests.demo.load_requests",
]


class Command(BaseCommand):
    help = "Charge les données de démonstration des deux seeds (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger même si DEBUG est désactivé (les comptes ont le mot de passe « demo »).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Les comptes de démonstration ont le mot de passe « demo » : refusé hors "
                "développement (DEBUG désactivé). Utilisez --force si c'est voulu."
            )
        self.stdout.write("Comptes de démonstration :")
        context = {}
        with transaction.atomic():
            for path in LOADERS:
                context.update(import_string(path)(self.stdout, context) or {})
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
