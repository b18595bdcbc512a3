"""Measure the payments export: rows per second and peak memory, for 10 000 and 100 000 rows.

The data is created inside a transaction that is rolled back at the end: nothing is left in the
database. Each size is exported twice: once for the speed, once under tracemalloc for the peak
of Python memory (tracemalloc slows the export down, so its time is not the one reported).
"""

import datetime
import resource
import tempfile
import time
import tracemalloc
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from associations.models import Association
from conventions.models import Convention, ConventionTemplate
from grants.finance import exports
from grants.finance.sums import refresh_budget_lines, refresh_grants
from grants.models import Authority, BudgetLine, Commitment, Grant, Payment, Role, User

BATCH = 5_000


class Rollback(Exception):
    """Raised to undo everything the benchmark created."""


class Command(BaseCommand):
    help = "Mesure l'export Excel des versements (lignes par seconde, mémoire maximale)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            nargs="+",
            type=int,
            default=[10_000, 100_000],
            help="Nombres de lignes à exporter (défaut : 10000 100000).",
        )
        parser.add_argument(
            "--skip-memory",
            action="store_true",
            help="Ne pas refaire l'export sous tracemalloc (plus rapide).",
        )

    def handle(self, *args, sizes, skip_memory=False, **options):
        try:
            with transaction.atomic(), override_settings(DEBUG=False):
                started = time.perf_counter()
                authority = self.create_data(max(sizes))
                self.stdout.write(
                    f"Données de test : {max(sizes)} versements créés en "
                    f"{time.perf_counter() - started:.1f} s (annulées à la fin)."
                )
                for size in sorted(sizes):
                    self.bench(authority, size, skip_memory)
                raise Rollback
        except Rollback:
            self.stdout.write("Données de test supprimées (transaction annulée).")

    # ---- the data ----------------------------------------------------------------------------

    def create_data(self, rows):
        siren = "999999990"
        while Authority.objects.filter(siren=siren).exists():
            siren = str(int(siren) - 1)
        authority = Authority.objects.create(name=f"Banc d'essai {siren}", siren=siren)
        users = {
            role: User.objects.create(username=f"bench-{role}-{siren}", role=role, authority=auth)
            for role, auth in [
                (Role.MANAGER, None),
                (Role.INSTRUCTOR, authority),
                (Role.FINANCE, authority),
            ]
        }
        associations = Association.objects.bulk_create(
            Association(authority=authority, name=f"Association d'essai {i:04d}", city="Lyon")
            for i in range(1_000)
        )
        template = ConventionTemplate.objects.create(
            authority=authority, name="Banc d'essai", title="CONVENTION", signatory_clause="-"
        )
        line = BudgetLine.objects.create(
            authority=authority,
            year=2024,
            chapter="65",
            nature="65748",
            service_codes="BENCH/EXPORT",
            label="Banc d'essai",
            voted_credits=Decimal("1000000000.00"),
        )
        grant = Grant.objects.create(
            authority=authority,
            association=associations[0],
            year=2024,
            amount=Decimal("100000000.00"),
            object="Banc d'essai",
        )
        commitment = Commitment.objects.create(
            grant=grant,
            budget_line=line,
            number="BENCH-1",
            date=datetime.date(2024, 1, 2),
            amount=grant.amount,
        )
        created = 0
        convention_count = (rows + 1) // 2  # one advance and one balance each
        for start in range(0, convention_count, BATCH):
            conventions = Convention.objects.bulk_create(
                Convention(
                    authority=authority,
                    association=associations[i % len(associations)],
                    template=template,
                    template_version=1,
                    number=f"BENCH-{i:06d}",
                    year=2024,
                    advance_percentage=Decimal("80.00"),
                    status=Convention.Status.NOTIFIED,
                    amount_total=Decimal("66000.00"),
                )
                for i in range(start, min(start + BATCH, convention_count))
            )
            payments = []
            for convention in conventions:
                for kind in (Payment.Kind.ADVANCE, Payment.Kind.BALANCE):
                    if created + len(payments) < rows:
                        payments.append(self.payment(convention, kind, users, commitment))
            Payment.objects.bulk_create(payments)
            created += len(payments)
        # bulk_create skips the models' save(): the stored sums, in one UPDATE each.
        refresh_grants(Grant.objects.filter(authority=authority))
        refresh_budget_lines(BudgetLine.objects.filter(authority=authority))
        return authority

    def payment(self, convention, kind, users, commitment):
        now = timezone.now()
        advance = kind == Payment.Kind.ADVANCE
        return Payment(
            convention=convention,
            authority_id=convention.authority_id,
            kind=kind,
            status=Payment.Status.PAID,
            amount=Decimal("52800.00") if advance else Decimal("13200.00"),
            amount_due=None if advance else Decimal("66000.00"),
            forecast_expenses=None if advance else Decimal("953530.00"),
            realised_expenses=None if advance else Decimal("953530.00"),
            requested_at=now,
            requested_by=users[Role.MANAGER],
            signer_name="Président de l'association",
            certification_text="Je certifie la réalité de la dépense.",
            certified_at=now,
            certified_by=users[Role.INSTRUCTOR],
            commitment=commitment,
            order_number=f"M-{convention.number}-{kind}",
            order_date=datetime.date(2024, 6, 3),
            ordered_at=now,
            ordered_by=users[Role.FINANCE],
            paid_date=datetime.date(2024, 6, 10),
            paid_recorded_at=now,
            paid_recorded_by=users[Role.FINANCE],
        )

    # ---- the measure -------------------------------------------------------------------------

    def export(self, authority, size):
        queryset = Payment.objects.filter(convention__authority=authority).order_by(
            "convention__association__name", "pk"
        )[:size]
        with tempfile.TemporaryFile() as target:
            count = exports.write_workbook(
                target,
                title="Versements",
                columns=exports.PAYMENT_COLUMNS,
                rows=exports.payment_rows(queryset),
            )
            target.seek(0, 2)
            return count, target.tell()

    def bench(self, authority, size, skip_memory):
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        count, file_size = self.export(authority, size)
        elapsed = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line = (
            f"{count:>7} lignes : {elapsed:6.1f} s, {count / elapsed:7.0f} lignes/s, "
            f"fichier {file_size / 1e6:.1f} Mo, pic RSS du processus {rss_after / 1024:.0f} Mo "
            f"(+{(rss_after - rss_before) / 1024:.0f} Mo pendant l'export)"
        )
        if not skip_memory:
            tracemalloc.start()
            try:
                self.export(authority, size)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            line += f", pic mémoire Python (tracemalloc) {peak / 1e6:.1f} Mo"
        self.stdout.write(line)
