"""Scale data: the volumes of a large city over ten years, in the demo's main authority.

"large" = 20 000 associations, 100 000 conventions (one grant, one forecast budget of ten lines,
one commitment each), about 300 000 payments, 1 000 000 association budget lines, 10 000
deliberations, 250 000 justificatifs, 400 000 indicator values and 20 000 subsidy requests (one
aid scheme, four campaigns: the three last years decided, next year's in instruction; with
their versions and events, grants/requests/scale.py); "small" is a tenth of it, "tiny" a few
rows of each (for the tests).

Everything goes through the project's models with bulk_create, in batches, and respects the
database's constraints (payments within the amount due, statuses and their dates consistent,
one live request per kind, one current justificatif per kind). The demo accounts stay as they
are: the authority of the demo's `instructeur` receives the data, so `instructeur`,
`financier` and `consultation` see it.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from associations.budgets import chart
from associations.models import (
    Association,
    AssociationBudget,
    AssociationBudgetLine,
    Indicator,
    IndicatorReport,
    IndicatorSet,
    IndicatorValue,
    StructureType,
)
from conventions.models import Convention, ConventionTemplate, Justificatif
from deliberations.models import Body, Deliberation, Session
from grants.finance.sums import refresh_budget_lines, refresh_grants
from grants.models import BudgetLine, Clawback, Commitment, Grant, Payment, User
from grants.requests import scale as request_scale

MARKER_BODY = "Conseil métropolitain (données d'échelle)"
BATCH = 2000
YEARS = 10
INDICATORS_PER_SET = 8
CENT = Decimal("0.01")

SIZES = {
    "large": {
        "associations": 20_000,
        "conventions": 100_000,
        "deliberations": 10_000,
        "requests": 20_000,
    },
    "small": {
        "associations": 2_000,
        "conventions": 10_000,
        "deliberations": 1_000,
        "requests": 2_000,
    },
    "tiny": {"associations": 40, "conventions": 100, "deliberations": 20, "requests": 120},
}

WORDS = [
    "Culture",
    "Sport",
    "Jeunesse",
    "Solidarité",
    "Musique",
    "Théâtre",
    "Quartiers",
    "Nature",
    "Patrimoine",
    "Numérique",
    "Santé",
    "Insertion",
    "Lecture",
    "Danse",
    "Cinéma",
    "Handicap",
]
KINDS = ["Amicale", "Association", "Collectif", "Union", "Comité", "Maison", "Fédération"]
CITIES = [
    "Marseille",
    "Aix-en-Provence",
    "Aubagne",
    "Martigues",
    "La Ciotat",
    "Istres",
    "Vitrolles",
]


class ScaleError(Exception):
    """Why the generation cannot run, in French."""


@dataclass
class Context:
    authority: object
    instructor: object
    finance: object
    requester: object
    template: object
    structure_type: object
    years: list
    rng: random.Random
    now: datetime.datetime


def money(value):
    return Decimal(value).quantize(CENT)


def _context():
    instructor = User.objects.filter(username="instructeur").select_related("authority").first()
    finance = User.objects.filter(username="financier").first()
    requester = User.objects.filter(username="asso-scs").first()
    if instructor is None or finance is None or requester is None:
        raise ScaleError(
            "Les comptes de démonstration sont introuvables : lancez d'abord "
            "« python manage.py load_demo »."
        )
    authority = instructor.authority
    if Body.objects.filter(authority=authority, name=MARKER_BODY).exists():
        raise ScaleError(
            f"Les données d'échelle sont déjà chargées pour {authority.name} : la génération "
            "ne s'exécute qu'une fois (repartez d'une base neuve pour changer de taille)."
        )
    template = ConventionTemplate.objects.filter(authority=authority).order_by("-version").first()
    if template is None:
        raise ScaleError(f"{authority.name} n'a pas de modèle de convention : lancez load_demo.")
    structure_type, _ = StructureType.objects.get_or_create(name="Agence de développement")
    this_year = timezone.localdate().year
    return Context(
        authority=authority,
        instructor=instructor,
        finance=finance,
        requester=requester,
        template=template,
        structure_type=structure_type,
        years=list(range(this_year - YEARS + 1, this_year + 1)),
        rng=random.Random(20240613),
        now=timezone.now(),
    )


def _bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def generate(size, out):
    """Create the rows of `size` (a key of SIZES) in one transaction (all or nothing);
    refuses to run twice."""
    with transaction.atomic():
        total = _generate(SIZES[size], out)
        # bulk_create skips the models' save(): the stored sums, in one UPDATE each.
        refresh_grants(Grant.objects.all())
        refresh_budget_lines(BudgetLine.objects.all())

    # VACUUM cannot run inside a transaction (a test's): ANALYZE alone there.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        # Fresh statistics (or the planner guesses on empty tables) and, on PostgreSQL, the
        # visibility map that lets index-only scans skip the table.
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return total


def _generate(counts, out):
    ctx = _context()
    # The marker: a second run stops at once (see _context).
    Body.objects.create(authority=ctx.authority, kind=Body.Kind.COUNCIL, name=MARKER_BODY)
    associations = _associations(ctx, counts["associations"])
    out.write(f"  {len(associations)} associations")
    deliberations = _deliberations(ctx, counts["deliberations"])
    out.write(f"  {sum(len(d) for d in deliberations.values())} délibérations")
    lines = _budget_lines(ctx)
    sets = _indicator_sets(ctx)
    per_year = counts["conventions"] // YEARS
    total = {"conventions": 0, "payments": 0, "justificatifs": 0, "values": 0, "lines": 0}
    for year_index, year in enumerate(ctx.years):
        for start in range(0, per_year, BATCH):
            indexes = range(start, min(start + BATCH, per_year))
            with transaction.atomic():
                made = _conventions(
                    ctx,
                    year,
                    year_index,
                    indexes,
                    associations,
                    deliberations[year],
                    lines[year],
                    sets[year],
                )
            for key, value in made.items():
                total[key] += value
        out.write(f"  {year} : {total['conventions']} conventions au total")
    out.write(
        f"  {total['payments']} versements, {total['lines']} lignes de budgets d'association, "
        f"{total['justificatifs']} justificatifs, {total['values']} valeurs d'indicateurs"
    )
    with transaction.atomic():
        total.update(
            request_scale.generate(ctx, counts["requests"], associations, MARKER_BODY, out)
        )
    return total


def _associations(ctx, count):
    rng = ctx.rng
    rows = []
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        name = f"{rng.choice(KINDS)} {rng.choice(WORDS)} {city} {i + 1:05d}"
        rows.append(
            Association(
                authority=ctx.authority,
                name=name,
                acronym=f"A{i + 1:05d}",
                structure_type=ctx.structure_type,
                city=city,
                postal_code="13001",
                address=f"{i % 200 + 1} rue de la République",
                representative_civility="Mme" if i % 2 else "M.",
                representative_name=f"Dominique Martin {i + 1}",
                representative_title="Présidente" if i % 2 else "Président",
                email=f"contact{i + 1}@association.example.org",
            )
        )
    with transaction.atomic():
        return _bulk(Association, rows)


def _deliberations(ctx, count):
    """Per year: ten sessions of the marker body, the deliberations spread over them."""
    body = Body.objects.get(authority=ctx.authority, name=MARKER_BODY)
    per_year = count // YEARS
    by_year = {}
    with transaction.atomic():
        for year in ctx.years:
            sessions = _bulk(
                Session,
                [
                    Session(
                        body=body,
                        date=datetime.date(year - 1, month + 1, 15),
                        convocation_date=datetime.date(year - 1, month + 1, 5),
                    )
                    for month in range(10)
                ],
            )
            rows = []
            for i in range(per_year):
                session = sessions[i % len(sessions)]
                rows.append(
                    Deliberation(
                        authority=ctx.authority,
                        number=f"E{year}.{i + 1:05d}",
                        title=f"Subventions de fonctionnement aux associations, lot {i + 1}",
                        session=session,
                        decided_on=session.date,
                        thematic=WORDS[i % len(WORDS)],
                        votes_for=60,
                        prefecture_received_on=session.date + datetime.timedelta(days=3),
                        published_on=session.date + datetime.timedelta(days=4),
                        transmission_platform="DOTELEC - iXBus",
                        status=Deliberation.Status.EXECUTORY,
                        created_by=ctx.instructor,
                    )
                )
            by_year[year] = _bulk(Deliberation, rows)
    return by_year


def _budget_lines(ctx):
    """Twenty lines of the authority's budget per year, all on chapter 65."""
    rows = {
        year: [
            BudgetLine(
                authority=ctx.authority,
                year=year,
                chapter="65",
                nature="65748",
                service_codes=f"ECH/S{k:02d}",
                label=f"Subventions aux associations — secteur {k + 1}",
                voted_credits=money(50_000_000),
            )
            for k in range(20)
        ]
        for year in ctx.years
    }
    with transaction.atomic():
        return {year: _bulk(BudgetLine, lines) for year, lines in rows.items()}


def _indicator_sets(ctx):
    """One set per year for the associations' structure type, with its indicators."""
    sets = {}
    with transaction.atomic():
        for year in ctx.years:
            indicator_set, _ = IndicatorSet.objects.get_or_create(
                authority=ctx.authority,
                structure_type=ctx.structure_type,
                year=year,
                defaults={"title": f"Indicateurs d'activité {year}"},
            )
            existing = {i.code: i for i in indicator_set.indicators.all()}
            wanted = [
                Indicator(
                    indicator_set=indicator_set,
                    position=k,
                    code=f"activite_{k + 1}",
                    label=f"Indicateur d'activité n° {k + 1}",
                    unit=Indicator.Unit.NUMBER,
                )
                for k in range(INDICATORS_PER_SET)
                if f"activite_{k + 1}" not in existing
            ]
            _bulk(Indicator, wanted)
            sets[year] = (
                indicator_set,
                list(indicator_set.indicators.filter(code__startswith="activite_")),
            )
    return sets


def _status_for(ctx, year, i):
    S = Convention.Status
    last = ctx.years[-1]
    if year <= last - 2:
        return S.CLOSED
    if year == last - 1:
        return S.IN_EXECUTION
    return [S.DRAFT, S.READY, S.SIGNED_ASSOCIATION, S.SIGNED_AUTHORITY, S.NOTIFIED][i % 5]


def _conventions(ctx, year, year_index, indexes, associations, deliberations, lines, sets):
    rng = ctx.rng
    S = Convention.Status
    n_assoc = len(associations)
    picked = [associations[(i * 2 + year_index % 2) % n_assoc] for i in indexes]
    amounts = [money(rng.randrange(50, 1500) * 100) for _ in indexes]

    budgets = _bulk(
        AssociationBudget,
        [
            AssociationBudget(
                association=association,
                year=year,
                kind=AssociationBudget.Kind.FORECAST,
                label=f"Budget prévisionnel {year}",
            )
            for association in picked
        ],
    )
    budget_lines = []
    for budget, amount in zip(budgets, amounts, strict=True):
        lines_of_budget = _forecast_lines(ctx, budget, amount, rng)
        budget.stored_total_charges = sum(
            (line.amount for line in lines_of_budget if line.side == chart.Side.CHARGE), Decimal(0)
        )
        budget.stored_public_subsidies = sum(
            (line.amount for line in lines_of_budget if line.is_public), Decimal(0)
        )
        budget_lines += lines_of_budget
    _bulk(AssociationBudgetLine, budget_lines)
    AssociationBudget.objects.bulk_update(
        budgets, ["stored_total_charges", "stored_public_subsidies"], batch_size=BATCH
    )

    grants = _bulk(
        Grant,
        [
            Grant(
                authority=ctx.authority,
                association=association,
                deliberation=deliberations[i % len(deliberations)],
                year=year,
                amount=amount,
                object=f"Fonctionnement général de l'association pour {year}",
                budget_imputation=lines[i % len(lines)].imputation,
            )
            for i, association, amount in zip(indexes, picked, amounts, strict=True)
        ],
    )
    deliberation_date = datetime.date(year - 1, 12, 1)
    commitments = _bulk(
        Commitment,
        [
            Commitment(
                grant=grant,
                budget_line=lines[i % len(lines)],
                number=f"ENG{year}{i + 1:06d}",
                date=deliberation_date + datetime.timedelta(days=20),
                amount=grant.amount,
                created_by=ctx.finance,
            )
            for i, grant in zip(indexes, grants, strict=True)
        ],
    )
    conventions = []
    for i, association, grant, budget in zip(indexes, picked, grants, budgets, strict=True):
        status = _status_for(ctx, year, i)
        signed = status not in {S.DRAFT, S.READY}
        both = status not in {S.DRAFT, S.READY, S.SIGNED_ASSOCIATION}
        conventions.append(
            Convention(
                authority=ctx.authority,
                association=association,
                deliberation=grant.deliberation,
                template=ctx.template,
                template_version=ctx.template.version,
                number=f"CV{year}-{i + 1:06d}",
                year=year,
                start_date=datetime.date(year, 1, 1),
                end_date=datetime.date(year, 12, 31),
                advance_percentage=Decimal("80.00"),
                forecast_budget=budget,
                status=status,
                amount_total=grant.amount,
                objectives="Mettre en œuvre le programme d'actions de l'association.",
                created_by=ctx.instructor,
                ready_at=ctx.now if status != S.DRAFT else None,
                association_signed_at=datetime.date(year, 1, 20) if signed else None,
                association_signer_name=association.representative_name if signed else "",
                authority_signed_at=datetime.date(year, 2, 1) if both else None,
                authority_signer_name="La Présidente" if both else "",
                notified_at=datetime.date(year, 2, 5)
                if status in {S.NOTIFIED, S.IN_EXECUTION, S.CLOSED}
                else None,
                execution_started_at=datetime.date(year, 2, 5)
                if status in {S.IN_EXECUTION, S.CLOSED}
                else None,
                closed_at=datetime.date(year + 1, 9, 30) if status == S.CLOSED else None,
            )
        )
    conventions = _bulk(Convention, conventions)
    Through = Convention.grants.through
    _bulk(
        Through,
        [Through(convention=c, grant=g) for c, g in zip(conventions, grants, strict=True)],
    )
    payments = []
    justificatifs = []
    reports = []
    for i, convention, commitment in zip(indexes, conventions, commitments, strict=True):
        payments += _payments(ctx, i, convention, commitment)
        justificatifs += _justificatifs(ctx, i, convention)
        if i % 2 == 0 and convention.status in {S.CLOSED, S.IN_EXECUTION}:
            reports.append(
                IndicatorReport(
                    association=convention.association,
                    indicator_set=sets[0],
                    status=IndicatorReport.Status.SUBMITTED,
                    submitted_at=ctx.now,
                    created_by=ctx.requester,
                    submitted_by=ctx.requester,
                )
            )
    _bulk(Payment, payments)
    _bulk(Clawback, _clawbacks(ctx, indexes, conventions))
    _bulk(Justificatif, justificatifs)
    reports = _bulk(IndicatorReport, reports)
    values = [
        IndicatorValue(report=report, indicator=indicator, total=Decimal(rng.randrange(0, 500)))
        for report in reports
        for indicator in sets[1]
    ]
    _bulk(IndicatorValue, values)
    return {
        "conventions": len(conventions),
        "payments": len(payments),
        "justificatifs": len(justificatifs),
        "values": len(values),
        "lines": len(budget_lines),
    }


def _forecast_lines(ctx, budget, grant_amount, rng):
    """Ten balanced Cerfa lines; the authority's own line (7404) equals the grant."""
    total = money(grant_amount * rng.choice([2, 3, 4, 5]))
    shares = [Decimal("0.30"), Decimal("0.15"), Decimal("0.10"), Decimal("0.05")]
    charges = [money(total * share) for share in shares]
    charges.append(total - sum(charges))  # 64, personnel
    rest = total - grant_amount
    sales = money(rest * Decimal("0.6"))
    contributions = money(total * Decimal("0.05"))
    rows = [
        ("60", "Achats", charges[0]),
        ("61", "Services extérieurs", charges[1]),
        ("62", "Autres services extérieurs", charges[2]),
        ("63", "Impôts et taxes", charges[3]),
        ("64", "Charges de personnel", charges[4]),
        ("70", "Vente de produits finis, de marchandises, prestations de services", sales),
        ("75", "Autres produits de gestion courante", rest - sales),
        ("86", "Emplois des contributions volontaires en nature", contributions),
        ("87", "Contributions volontaires en nature", contributions),
    ]
    lines = [
        AssociationBudgetLine(
            budget=budget,
            side=chart.side_of(account),
            account=account,
            label=label,
            amount=amount,
            position=position,
        )
        for position, (account, label, amount) in enumerate(rows)
    ]
    lines.append(
        AssociationBudgetLine(
            budget=budget,
            side=chart.Side.PRODUCT,
            account="7404",
            label=ctx.authority.name,
            amount=grant_amount,
            position=len(rows),
            authority=ctx.authority,
            is_public=True,
        )
    )
    return lines


def _payment(ctx, convention, commitment, kind, status, amount, amount_due=None, day=0):
    S = Payment.Status
    year = convention.year
    requested = timezone.make_aware(datetime.datetime(year, 2, 10)) + datetime.timedelta(days=day)
    if requested > ctx.now:
        requested = ctx.now - datetime.timedelta(days=40 - day % 30)
    payment = Payment(
        convention=convention,
        authority=ctx.authority,
        kind=kind,
        status=status,
        amount=amount,
        amount_due=amount_due,
        requested_at=requested,
        requested_by=ctx.requester,
        signer_name=convention.association_signer_name or "Dominique Martin",
        certification_text="Je certifie la réalité de la dépense.",
    )
    if status in {S.CERTIFIED, S.ORDERED, S.PAID}:
        payment.certified_at = requested + datetime.timedelta(days=5)
        payment.certified_by = ctx.instructor
    if status in {S.ORDERED, S.PAID}:
        payment.commitment = commitment
        payment.order_number = f"M{convention.pk:07d}{kind[0]}"
        payment.order_date = (requested + datetime.timedelta(days=12)).date()
        payment.ordered_at = requested + datetime.timedelta(days=12)
        payment.ordered_by = ctx.finance
    if status == S.PAID:
        payment.paid_date = payment.order_date + datetime.timedelta(days=7)
        payment.paid_recorded_at = payment.ordered_at + datetime.timedelta(days=7)
        payment.paid_recorded_by = ctx.finance
    if status == S.REJECTED:
        payment.rejected_at = requested + datetime.timedelta(days=3)
        payment.rejected_by = ctx.instructor
        payment.rejection_reason = "Demande incomplète : pièce manquante."
    return payment


def _payments(ctx, i, convention, commitment):
    """Advance (80 %) then balance (the rest, equal to the amount due); a rejected request
    before the live one for most conventions."""
    S, K, C = Payment.Status, Payment.Kind, Convention.Status
    total = convention.amount_total
    advance = money(total * Decimal("0.8"))
    balance = total - advance
    status = convention.status
    rows = []
    if status == C.CLOSED:
        rows.append(_payment(ctx, convention, commitment, K.ADVANCE, S.REJECTED, advance))
        rows.append(_payment(ctx, convention, commitment, K.ADVANCE, S.PAID, advance, day=10))
        if i % 4 == 0:
            rows.append(
                _payment(
                    ctx, convention, commitment, K.BALANCE, S.REJECTED, balance, balance, day=200
                )
            )
        rows.append(
            _payment(ctx, convention, commitment, K.BALANCE, S.PAID, balance, balance, day=220)
        )
    elif status == C.IN_EXECUTION:
        rows.append(_payment(ctx, convention, commitment, K.ADVANCE, S.REJECTED, advance))
        rows.append(_payment(ctx, convention, commitment, K.ADVANCE, S.PAID, advance, day=10))
        balance_status = [S.REQUESTED, S.CERTIFIED, S.ORDERED, S.PAID][i % 4]
        rows.append(
            _payment(
                ctx, convention, commitment, K.BALANCE, balance_status, balance, balance, day=220
            )
        )
    elif status in {C.SIGNED_AUTHORITY, C.NOTIFIED}:
        advance_status = [S.REQUESTED, S.CERTIFIED][i % 2]
        rows.append(_payment(ctx, convention, commitment, K.ADVANCE, advance_status, advance))
    return rows


def _clawbacks(ctx, indexes, conventions):
    """One closed convention in twenty spent less than planned: 10 % of it is claimed back."""
    rows = []
    for i, convention in zip(indexes, conventions, strict=True):
        if convention.status != Convention.Status.CLOSED or i % 20:
            continue
        excess = money(convention.amount_total * Decimal("0.1"))
        rows.append(
            Clawback(
                convention=convention,
                amount=excess,
                reason="Dépenses réalisées inférieures au budget prévisionnel (art. 4.2).",
                title_number=f"T{convention.pk:07d}",
                title_date=datetime.date(convention.year + 1, 11, 15),
                amount_due=convention.amount_total - excess,
                paid_before=convention.amount_total,
                recorded_at=ctx.now,
                recorded_by=ctx.finance,
            )
        )
    return rows


JUSTIFICATIF_KINDS = [
    Justificatif.Kind.COMPTES_ANNUELS,
    Justificatif.Kind.RAPPORT_ACTIVITE,
    Justificatif.Kind.COMPTE_RENDU_FINANCIER,
]


def _justificatifs(ctx, i, convention):
    """Closed conventions: three accepted documents; in execution: one awaiting review."""
    C, S = Convention.Status, Justificatif.Status
    if convention.status == C.CLOSED:
        kinds, status = JUSTIFICATIF_KINDS, S.ACCEPTED
    elif convention.status == C.IN_EXECUTION:
        kinds, status = JUSTIFICATIF_KINDS[i % 3 : i % 3 + 1], S.SUBMITTED
    else:
        return []
    uploaded = timezone.make_aware(datetime.datetime(convention.year + 1, 5, 15))
    uploaded = min(uploaded, ctx.now - datetime.timedelta(days=1))
    return [
        Justificatif(
            convention=convention,
            authority=ctx.authority,
            kind=kind,
            file=f"justificatifs/{convention.pk}/{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=120_000,
            due_date=datetime.date(convention.year + 1, 6, 30),
            uploaded_at=uploaded,
            uploaded_by=ctx.requester,
            status=status,
            reviewed_by=ctx.instructor if status != S.SUBMITTED else None,
            reviewed_at=uploaded + datetime.timedelta(days=10) if status != S.SUBMITTED else None,
        )
        for kind in kinds
    ]
