from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants.finance.sums import (
    refresh_budget_lines,
    refresh_grants,
    stale_budget_lines,
    stale_grants,
)
from grants.models import BudgetLine, Grant


def _ids(queryset):
    return list(queryset.values_list("pk", flat=True)[:1000])


def _shown(pks):
    return ", ".join(str(pk) for pk in pks[:20])


class Command(BaseCommand):
    help = (
        "Recalcule les montants engagés et payés et l'indicateur « couverte par une convention » "
        "enregistrés sur chaque subvention, et les montants engagés, mandatés et payés "
        "enregistrés sur chaque ligne budgétaire (après une correction faite directement en "
        "base)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Ne rien modifier : lister les subventions et les lignes budgétaires dont les "
            "montants enregistrés diffèrent, et sortir en erreur s'il y en a.",
        )

    def handle(self, *args, check=False, **options):
        stale = _ids(stale_grants(Grant.objects.all()))
        stale_lines = _ids(stale_budget_lines(BudgetLine.objects.all()))
        if check:
            problems = []
            if stale:
                problems.append(f"{len(stale)} subvention(s) (identifiants : {_shown(stale)}…)")
            if stale_lines:
                problems.append(
                    f"{len(stale_lines)} ligne(s) budgétaire(s) "
                    f"(identifiants : {_shown(stale_lines)}…)"
                )
            if problems:
                raise CommandError(
                    f"À recalculer : {' ; '.join(problems)} : "
                    "lancez « python manage.py refresh_grant_sums »."
                )
            self.stdout.write(
                "Les montants enregistrés sur les subventions et les lignes budgétaires sont à "
                "jour."
            )
            return
        with transaction.atomic():
            count = refresh_grants(Grant.objects.all())
            line_count = refresh_budget_lines(BudgetLine.objects.all())
        verb = "était" if len(stale) < 2 else "étaient"
        line_verb = "était" if len(stale_lines) < 2 else "étaient"
        self.stdout.write(
            f"{count} subventions recalculées ; {len(stale)} {verb} à corriger. "
            f"{line_count} lignes budgétaires recalculées ; {len(stale_lines)} {line_verb} à "
            "corriger."
        )
