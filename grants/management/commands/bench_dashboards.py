"""Measure the dashboards and the annex list at "large" (shared/PERFORMANCE.md): 20 000
associations, 100 000 conventions over ten years (one grant each), 300 000 payments (an advance
and a balance paid, and a rejected request, per convention), 100 000 justificatifs.

The data is created inside a transaction rolled back at the end: nothing is left behind. Each
page is requested twice through the test client (DEBUG off) and the second time is reported,
with its number of SQL queries.
"""

import datetime
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, StructureType, ThematicDomain
from conventions.models import Convention, ConventionTemplate, Justificatif
from deliberations.models import Body, Deliberation, Session
from grants.finance.sums import refresh_budget_lines, refresh_grants
from grants.models import Authority, BudgetLine, Commitment, Grant, Payment, Role, User

BATCH = 5_000
YEARS = list(range(2015, 2025))


class Rollback(Exception):
    """Raised to undo everything the benchmark created."""


class Command(BaseCommand):
    help = "Mesure les tableaux de bord et l'annexe des subventions au volume « large »."

    def add_arguments(self, parser):
        parser.add_argument("--associations", type=int, default=20_000)
        parser.add_argument("--conventions", type=int, default=100_000)
        parser.add_argument(
            "--keep", action="store_true", help="Garder les données (base de mesure dédiée)."
        )
        parser.add_argument(
            "--reuse", action="store_true", help="Mesurer les données gardées par --keep."
        )

    def handle(self, *args, associations, conventions, keep=False, reuse=False, **options):
        self.verbosity = options.get("verbosity", 1)
        if keep or reuse:
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
                if reuse:
                    viewer = User.objects.get(username__startswith="bench-consultation-")
                else:
                    with transaction.atomic():
                        _, viewer = self.create_data(associations, conventions)
                    self.analyze()
                self.measure(viewer)
            return
        try:
            with transaction.atomic(), override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
                started = time.perf_counter()
                authority, viewer = self.create_data(associations, conventions)
                self.stdout.write(
                    f"Données : {associations} associations, {conventions} conventions et "
                    f"subventions, {3 * conventions} versements, {conventions} justificatifs, "
                    f"créés en {time.perf_counter() - started:.0f} s (annulées à la fin)."
                )
                self.analyze()
                self.measure(viewer)
                raise Rollback
        except Rollback:
            self.stdout.write("Données supprimées (transaction annulée).")

    def analyze(self):
        """Fresh planner statistics, as autovacuum would have them on a live database."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def measure(self, viewer):
        client = Client()
        client.force_login(viewer)
        pages = [
            ("tableau de bord 2024, 3 ans", reverse("dashboard"), {"exercice": 2024}),
            (
                "tableau de bord 2024, 5 ans",
                reverse("dashboard"),
                {"exercice": 2024, "annees": 5},
            ),
            (
                "export par dispositif",
                reverse("dashboard_export", args=["dispositif"]),
                {"exercice": 2024},
            ),
            (
                "annexe (compte administratif)",
                reverse("annex_list"),
                {"exercice": 2024, "document": "compte-administratif"},
            ),
            (
                "annexe, page 100",
                reverse("annex_list"),
                {"exercice": 2024, "document": "budget", "page": 100},
            ),
            (
                "annexe XLSX (10 000 lignes)",
                reverse("annex_xlsx"),
                {"exercice": 2024, "document": "compte-administratif"},
            ),
        ]
        for label, url, params in pages:
            client.get(url, params)  # warm up
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                if response.streaming:
                    size = len(b"".join(response.streaming_content))
                else:
                    size = len(response.content)
                elapsed = time.perf_counter() - started
            sql = sum(float(q["time"]) for q in queries.captured_queries)
            self.stdout.write(
                f"{label:<32} {response.status_code} {elapsed * 1000:7.0f} ms "
                f"(SQL {sql * 1000:5.0f} ms), {len(queries):3d} requêtes, {size / 1024:6.0f} Ko"
            )
            if self.verbosity > 1:
                slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
                for query in slowest[:5]:
                    self.stdout.write(f"    {float(query['time']) * 1000:6.0f} ms  {query['sql']}")

    # ---- the data ----------------------------------------------------------------------------

    def create_data(self, association_count, convention_count):
        siren = "999999981"
        while Authority.objects.filter(siren=siren).exists():
            siren = str(int(siren) - 1)
        authority = Authority.objects.create(name=f"Banc d'essai {siren}", siren=siren)
        users = {
            role: User.objects.create(username=f"bench-{role}-{siren}", role=role, authority=auth)
            for role, auth in [
                (Role.MANAGER, None),
                (Role.INSTRUCTOR, authority),
                (Role.FINANCE, authority),
                (Role.VIEWER, authority),
            ]
        }
        types = [
            StructureType.objects.get_or_create(name=f"Type d'essai {i}")[0] for i in range(12)
        ]
        domains = [
            ThematicDomain.objects.get_or_create(name=f"Domaine d'essai {i}")[0] for i in range(20)
        ]
        associations = []
        for start in range(0, association_count, BATCH):
            associations += Association.objects.bulk_create(
                Association(
                    authority=authority,
                    name=f"Association d'essai {i:05d}",
                    structure_type=types[i % len(types)] if i % 10 else None,
                    city="Lyon",
                )
                for i in range(start, min(start + BATCH, association_count))
            )
        through = Association.domains.through
        links = []
        for i, association in enumerate(associations):
            if i % 7:
                links.append(through(association=association, thematicdomain=domains[i % 20]))
            if i % 3 == 0:
                links.append(through(association=association, thematicdomain=domains[(i + 5) % 20]))
        through.objects.bulk_create(links, batch_size=BATCH)

        body = Body.objects.create(authority=authority, kind=Body.Kind.BUREAU, name="Bureau")
        deliberations = {}
        for year in YEARS:
            for number in range(100):
                date = datetime.date(year, 1, 1) + datetime.timedelta(days=number * 3)
                session = Session.objects.create(
                    body=body, date=date, convocation_date=date - datetime.timedelta(days=5)
                )
                voted = year < YEARS[-1] or number < 80
                deliberations[year, number] = Deliberation(
                    authority=authority,
                    number=f"{year}.{number:05d}",
                    title="Banc d'essai",
                    session=session if voted else None,
                    decided_on=date if voted else None,
                    votes_for=10 if voted else None,
                    status=Deliberation.Status.EXECUTORY if voted else Deliberation.Status.DRAFT,
                )
        Deliberation.objects.bulk_create(deliberations.values())
        lines = {
            year: BudgetLine.objects.create(
                authority=authority,
                year=year,
                chapter="65",
                nature="65748",
                service_codes=f"BENCH/L{line}",
                label=f"Ligne d'essai {line}",
                voted_credits=Decimal("500000000.00"),
            )
            for year in YEARS
            for line in range(1)
        }
        template = ConventionTemplate.objects.create(
            authority=authority, name="Banc d'essai", title="CONVENTION", signatory_clause="-"
        )
        schemes = [f"Dispositif d'essai {i}" for i in range(15)] + [""]
        per_year = convention_count // len(YEARS)
        now = timezone.now()
        for year in YEARS:
            for start in range(0, per_year, BATCH):
                indexes = range(start, min(start + BATCH, per_year))
                grants = Grant.objects.bulk_create(
                    Grant(
                        authority=authority,
                        association=associations[(year * 7 + i) % len(associations)],
                        deliberation=deliberations[year, i % 100],
                        year=year,
                        amount=Decimal(1000 + (i % 50) * 1000) + Decimal("0.25"),
                        object="Fonctionnement",
                        aid_scheme_label=schemes[i % len(schemes)],
                    )
                    for i in indexes
                )
                conventions = Convention.objects.bulk_create(
                    Convention(
                        authority=authority,
                        association=grant.association,
                        template=template,
                        template_version=1,
                        number=f"B-{year}-{i:06d}",
                        year=year,
                        advance_percentage=Decimal("80.00"),
                        status=Convention.Status.IN_EXECUTION,
                        amount_total=grant.amount,
                    )
                    for i, grant in zip(indexes, grants, strict=True)
                )
                Convention.grants.through.objects.bulk_create(
                    Convention.grants.through(convention=c, grant=g)
                    for c, g in zip(conventions, grants, strict=True)
                )
                commitments = Commitment.objects.bulk_create(
                    Commitment(
                        grant=grant,
                        budget_line=lines[year],
                        number=f"E-{year}-{i:06d}",
                        date=datetime.date(year, 3, 1),
                        amount=grant.amount,
                    )
                    for i, grant in zip(indexes, grants, strict=True)
                )
                payments = []
                for i, convention, commitment in zip(
                    indexes, conventions, commitments, strict=True
                ):
                    advance = (commitment.amount * Decimal("0.8")).quantize(Decimal("0.01"))
                    month = 1 + i % 12
                    payments += [
                        self.payment(convention, commitment, users, now, Payment.Kind.ADVANCE,
                                     advance, datetime.date(year, month, 10)),
                        self.payment(convention, commitment, users, now, Payment.Kind.BALANCE,
                                     commitment.amount - advance,
                                     datetime.date(year, month, 20)),
                        self.rejected(convention, users, now),
                    ]  # fmt: skip
                Payment.objects.bulk_create(payments, batch_size=BATCH)
                Justificatif.objects.bulk_create(
                    Justificatif(
                        convention=convention,
                        kind=Justificatif.Kind.RAPPORT_ACTIVITE,
                        file="justificatifs/essai.pdf",
                        due_date=datetime.date(year + 1, 6, 30),
                        status=Justificatif.Status.SUBMITTED,
                    )
                    for convention in conventions
                )
        # bulk_create skips the models' save(): the stored sums, in one UPDATE each.
        refresh_grants(Grant.objects.filter(authority=authority))
        refresh_budget_lines(BudgetLine.objects.filter(authority=authority))
        return authority, users[Role.VIEWER]

    def payment(self, convention, commitment, users, now, kind, amount, paid):
        balance = kind == Payment.Kind.BALANCE
        return Payment(
            convention=convention,
            kind=kind,
            status=Payment.Status.PAID,
            amount=amount,
            amount_due=commitment.amount if balance else None,
            requested_at=now,
            requested_by=users[Role.MANAGER],
            signer_name="Président",
            certification_text="Je certifie la réalité de la dépense.",
            certified_at=now,
            certified_by=users[Role.INSTRUCTOR],
            commitment=commitment,
            order_number=f"M-{convention.number}-{kind}",
            order_date=paid,
            ordered_at=now,
            ordered_by=users[Role.FINANCE],
            paid_date=paid,
        )

    def rejected(self, convention, users, now):
        return Payment(
            convention=convention,
            kind=Payment.Kind.ADVANCE,
            status=Payment.Status.REJECTED,
            amount=Decimal("10.00"),
            requested_at=now,
            requested_by=users[Role.MANAGER],
            signer_name="Président",
            certification_text="Je certifie la réalité de la dépense.",
            rejected_at=now,
            rejected_by=users[Role.INSTRUCTOR],
            rejection_reason="Doublon",
        )
