"""python manage.py import_grants FILE [--authority SIREN] [--create-authorities] [--dry-run]
[--all-or-nothing] [--report FILE]

Exit status: 0 when no row was refused, 1 when some were, 2 when the file cannot be read."""

import csv
import os
import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from grants.models import Authority, ImportBatch
from grants.opendata import services
from grants.opendata.imports import FileUnreadable


class Command(BaseCommand):
    help = (
        "Importe des subventions passées depuis un fichier SCDL, un CSV ou un classeur XLSX. "
        "Les lignes valides sont importées, les lignes refusées sont listées avec leur motif. "
        "Code de sortie : 0 sans ligne refusée, 1 si des lignes sont refusées, 2 si le fichier "
        "est illisible."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV ou XLSX")
        parser.add_argument("--authority", help="SIREN de la collectivité qui importe")
        parser.add_argument(
            "--create-authorities",
            action="store_true",
            help="créer les collectivités attribuantes inconnues (administrateur de la plateforme)",
        )
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien importer")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="ne rien importer si une ligne est refusée",
        )
        parser.add_argument("--report", help="écrire les lignes refusées dans ce fichier CSV")

    def fail(self, message):
        sys.stderr.write(message + "\n")
        raise SystemExit(2)

    def handle(self, *args, file, **options):
        authority = None
        if options["authority"]:
            siren = options["authority"].replace(" ", "")
            authority = Authority.objects.filter(siren=siren).first()
            if authority is None:
                self.fail(f"Aucune collectivité n'a le SIREN « {options['authority']} ».")
        if not os.path.isfile(file):
            self.fail(f"Le fichier « {file} » n'existe pas.")
        report_rows = []
        report_file = None
        if options["report"]:
            try:
                report_file = open(options["report"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as error:
                self.fail(f"Impossible d'écrire « {options['report']} » : {error.strerror}.")
            report_writer = csv.writer(report_file)
            report_writer.writerow(["ligne", "état", "colonne", "motif"])

        def on_issue(line, kind, column, message):
            label = "refusée" if kind == "refusee" else "déjà présente"
            where = f", colonne {column}" if column else ""
            sys.stderr.write(f"Ligne {line}{where} : {label} : {message}\n")
            if report_file:
                report_writer.writerow([line, label, column, message])

        def opener():
            return open(file, "rb")

        size = os.path.getsize(file)
        batch = ImportBatch.objects.create(
            authority=authority,
            original_name=os.path.basename(file),
            size=size,
            create_authorities=options["create_authorities"],
        )
        options_run = {
            "authority": authority,
            "create_authorities": options["create_authorities"],
        }
        try:
            if options["dry_run"] or options["all_or_nothing"]:
                report = services.run_import(
                    batch, opener, size, commit=False, on_issue=on_issue, **options_run
                )
                if options["dry_run"] or report.refused:
                    batch.delete()
                    note = (
                        "Essai à blanc : rien n'a été importé"
                        if options["dry_run"]
                        else "Des lignes sont refusées : rien n'a été importé (--all-or-nothing)"
                    )
                    self.stdout.write(f"{note} ; {report.valid} ligne(s) importable(s).")
                    self.stdout.write(
                        f"0 importées, {report.refused} refusées, "
                        f"{report.duplicates} déjà présentes"
                    )
                    return self.finish(report, report_file)
                with transaction.atomic():
                    report = services.run_import(
                        batch, opener, size, commit=True, on_issue=lambda *a: None, **options_run
                    )
                    if report.refused:
                        transaction.set_rollback(True)
                        report.imported = 0
            else:
                report = services.run_import(
                    batch, opener, size, commit=True, on_issue=on_issue, **options_run
                )
        except FileUnreadable as error:
            batch.delete()
            if report_file:
                report_file.close()
            self.fail(str(error))
        if not report.imported:
            batch.delete()
        if report.header_line > 1:
            self.stdout.write(
                f"Lignes 1 à {report.header_line - 1} au-dessus de l'en-tête ignorées."
            )
        if report.skipped:
            self.stdout.write(f"{report.skipped} ligne(s) vide(s) ignorée(s).")
        for column, value in report.defaults.items():
            self.stdout.write(f"Colonne {column} absente : « {value} » pour toutes les lignes.")
        if report.associations_created:
            self.stdout.write(f"{report.associations_created} association(s) créée(s).")
        if report.authorities_created:
            self.stdout.write(f"{report.authorities_created} collectivité(s) créée(s).")
        self.stdout.write(report.summary())
        return self.finish(report, report_file)

    def finish(self, report, report_file):
        if report_file:
            report_file.close()
        self.stdout.flush()
        if report.refused:
            raise SystemExit(1)
