"""python manage.py export_scdl --authority SIREN --year YYYY [--all] [--output FILE]"""

import sys

from django.core.management.base import BaseCommand, CommandError

from grants.models import Authority
from grants.opendata import export


class Command(BaseCommand):
    help = (
        "Écrit le fichier SCDL « subventions » 2.1.1 des subventions d'une collectivité pour un "
        "exercice (au-delà de 23 000 € ; toutes avec --all). Les subventions qui ne peuvent pas "
        "être publiées sont listées, avec le motif, sur la sortie d'erreur."
    )

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, help="SIREN de la collectivité")
        parser.add_argument("--year", required=True, type=int, help="exercice (AAAA)")
        parser.add_argument(
            "--all", action="store_true", help="toutes les subventions, même de 23 000 € ou moins"
        )
        parser.add_argument("--output", help="fichier à écrire (sortie standard par défaut)")

    def handle(self, *args, authority, year, output=None, **options):
        found = Authority.objects.filter(siren=authority.replace(" ", "")).first()
        if found is None:
            raise CommandError(f"Aucune collectivité n'a le SIREN « {authority} ».")
        if output:
            try:
                handle = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as error:
                raise CommandError(
                    f"Impossible d'écrire « {output} » : {error.strerror}."
                ) from None
        else:
            handle = self.stdout._out
        try:
            refused = export.write_csv(handle, found, year, include_all=options["all"])
        finally:
            if output:
                handle.close()
            else:
                handle.flush()
        for line in refused:
            grant = line.grant
            sys.stderr.write(
                f"Non publiée : {grant.association.name} ({grant.amount} €) : "
                f"{' ; '.join(line.reasons)}\n"
            )
        if refused:
            sys.stderr.write(f"{len(refused)} subvention(s) non publiée(s).\n")
