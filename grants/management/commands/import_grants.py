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
        authority = self.importing_authority(options["authority"])
        if not os.path.isfile(file):
            self.fail(f"Le fichier « {file} » n'existe pas.")
        self.report_file = self.report_writer = None
        if options["report"]:
            try:
                self.report_file = open(options["report"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as error:
                self.fail(f"Impossible d'écrire « {options['report']} » : {error.strerror}.")
            self.report_writer = csv.writer(self.report_file)
            self.report_writer.writerow(["ligne", "état", "colonne", "motif"])
        size = os.path.getsize(file)
        batch = ImportBatch.objects.create(
            authority=authority,
            original_name=os.path.basename(file)[:255],
            size=size,
            create_authorities=options["create_authorities"],
        )
        run = {
            "authority": authority,
            "create_authorities": options["create_authorities"],
            "opener": lambda: open(file, "rb"),  # noqa: SIM115
            "size": size,
        }
        try:
            report, note = self.run(batch, run, options)
        except FileUnreadable as error:
            batch.delete()
            self.close_report()
            self.fail(str(error))
        if not report.imported:
            batch.delete()
        else:
            batch.status = ImportBatch.Status.DONE
            batch.rows_imported, batch.rows_refused = report.imported, report.refused
            batch.rows_duplicate, batch.rows_valid = report.duplicates, report.valid
            batch.save()
        self.describe(report, note)
        self.close_report()
        if report.refused:
            raise SystemExit(1)

    def importing_authority(self, siren):
        if not siren:
            return None
        authority = Authority.objects.filter(siren=siren.replace(" ", "")).first()
        if authority is None:
            self.fail(f"Aucune collectivité n'a le SIREN « {siren} ».")
        return authority

    def on_issue(self, line, kind, column, message):
        label = "refusée" if kind == "refusee" else "déjà présente"
        where = f", colonne {column}" if column else ""
        sys.stderr.write(f"Ligne {line}{where} : {label} : {message}\n")
        if self.report_writer:
            self.report_writer.writerow([line, label, column, message])

    def run(self, batch, run, options):
        """(report, note): a dry run first when asked, or when nothing may be half imported."""
        opener, size = run.pop("opener"), run.pop("size")
        if not (options["dry_run"] or options["all_or_nothing"]):
            report = services.run_import(
                batch, opener, size, commit=True, on_issue=self.on_issue, **run
            )
            return report, ""
        report = services.run_import(
            batch, opener, size, commit=False, on_issue=self.on_issue, **run
        )
        if options["dry_run"]:
            return self.nothing(report), (
                f"Essai à blanc : rien n'a été importé ; {report.valid} ligne(s) importable(s)."
            )
        if report.refused:
            return self.nothing(report), (
                "Des lignes sont refusées : rien n'a été importé (--all-or-nothing)."
            )
        with transaction.atomic():
            # The dry run already listed every issue.
            report = services.run_import(
                batch, opener, size, commit=True, on_issue=lambda *issue: None, **run
            )
            if report.refused:
                transaction.set_rollback(True)
                return self.nothing(report), (
                    "Des lignes sont refusées : rien n'a été importé (--all-or-nothing)."
                )
        return report, ""

    @staticmethod
    def nothing(report):
        report.imported = 0
        report.associations_created = report.authorities_created = 0
        return report

    def describe(self, report, note):
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
        if note:
            self.stdout.write(note)
        self.stdout.write(report.summary())
        self.stdout.flush()

    def close_report(self):
        if self.report_file:
            self.report_file.close()
