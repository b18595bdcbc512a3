"""Scale data of subsidy requests (called by grants/scale.py, inside its transaction).

One aid scheme of the demo's main authority and four campaigns: the three last years of the
scale data, decided (votée on the year's scale grant, refusée, classée sans suite), and next
year's, open and in instruction (brouillon, déposée, en instruction, à compléter, instruite, a
few refused or closed). Every deposited request has its versions (the same snapshot as a real
deposit), its status events and its reference; the dates follow the campaign's window and the
deliberation that voted it. The demo manager `asso-scs` gets a handful more of its own.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from associations.documents.models import PieceKind
from associations.models import AssociationBudget
from grants.models import Grant
from grants.requests import services
from grants.requests.filing import request_snapshot
from grants.requests.models import (
    AidScheme,
    Campaign,
    RequestEvent,
    RequestVersion,
    SubsidyRequest,
)
from grants.requests.rules import Status

SCHEME = "Fonctionnement des associations (données d'échelle)"
PIECES = [str(kind) for kind in (PieceKind.STATUTES, PieceKind.BOARD, PieceKind.RIB)]
PAST_CAMPAIGNS = 3
CURRENT_SHARE = Decimal("0.30")  # next year's campaign holds 30 % of the requests
CENT = Decimal("0.01")

# Past campaigns: what the vote decided (votée is capped by the year's grants).
PAST_MIX = [(Status.VOTED, 62), (Status.REFUSED, 28), (Status.CLOSED, 10)]
# The campaign in instruction.
CURRENT_MIX = [
    (Status.DRAFT, 12),
    (Status.SUBMITTED, 22),
    (Status.IN_REVIEW, 28),
    (Status.TO_COMPLETE, 10),
    (Status.INSTRUCTED, 25),
    (Status.REFUSED, 2),
    (Status.CLOSED, 1),
]
TO_COMPLETE_TEXT = (
    "Le budget prévisionnel ne fait pas apparaître la subvention demandée : ajoutez-la au "
    "compte 74 pour que charges et produits s'équilibrent."
)
REFUSED_TEXT = "L'action ne relève pas des priorités du dispositif pour cet exercice."
CLOSED_TEXT = "L'association a retiré sa demande."


def _pick(rng, mix):
    total = sum(weight for _, weight in mix)
    roll = rng.randrange(total)
    for status, weight in mix:
        if roll < weight:
            return status
        roll -= weight
    return mix[-1][0]


def _money(value):
    return Decimal(value).quantize(CENT)


def _aware(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _path(status, redeposit):
    """The status moves that led to `status`, from the first deposit (actor, source, target)."""
    S = Status
    deposit = [("association", S.DRAFT, S.SUBMITTED)]
    if redeposit:
        deposit += [
            ("staff", S.SUBMITTED, S.IN_REVIEW),
            ("staff", S.IN_REVIEW, S.TO_COMPLETE),
            ("association", S.TO_COMPLETE, S.SUBMITTED),
        ]
    review = [*deposit, ("staff", S.SUBMITTED, S.IN_REVIEW)]
    instructed = [*review, ("staff", S.IN_REVIEW, S.INSTRUCTED)]
    return {
        S.DRAFT: [],
        S.SUBMITTED: deposit[:1],
        S.IN_REVIEW: review,
        S.TO_COMPLETE: [*review[:2], ("staff", S.IN_REVIEW, S.TO_COMPLETE)],
        S.INSTRUCTED: instructed,
        S.VOTED: [*instructed, ("vote", S.INSTRUCTED, S.VOTED)],
        S.REFUSED: [*review, ("staff", S.IN_REVIEW, S.REFUSED)],
        S.CLOSED: [*deposit[:1], ("staff", S.SUBMITTED, S.CLOSED)],
    }[status]


def _times(start, end, n):
    if n <= 1:
        return [start] * n
    return [start + (end - start) * k / (n - 1) for k in range(n)]


class _Plan:
    """One request to create, with its moves and their times."""

    def __init__(self, campaign, association, status, redeposit=False):
        self.campaign = campaign
        self.association = association
        self.status = status
        self.moves = _path(status, redeposit and status not in {Status.TO_COMPLETE})
        self.times = []
        self.grant = None
        self.asked = None
        self.proposed = None
        self.budget = None


def generate(ctx, count, associations, marker_body, out):
    """Create about `count` requests (and the scheme, campaigns, versions, events)."""
    if count <= 0:
        return {"requests": 0, "versions": 0, "events": 0}
    scheme = AidScheme.objects.create(
        authority=ctx.authority,
        name=SCHEME,
        description="Soutien au fonctionnement général des associations de la Métropole.",
        required_pieces=PIECES,
        budget_imputation="65748",
        convention_template=ctx.template,
    )
    scheme.staff.set([ctx.instructor])
    today = timezone.localdate(ctx.now)
    past_years = ctx.years[-PAST_CAMPAIGNS:]
    next_year = ctx.years[-1] + 1
    campaigns = [
        Campaign(
            scheme=scheme,
            authority=ctx.authority,
            year=year,
            title=f"Fonctionnement des associations — subventions {year}",
            # The scale grants of a year are voted during the year before (grants/scale.py).
            opens_on=datetime.date(year - 2, 9, 1),
            closes_on=datetime.date(year - 2, 12, 15),
        )
        for year in past_years
    ]
    campaigns.append(
        Campaign(
            scheme=scheme,
            authority=ctx.authority,
            year=next_year,
            title=f"Fonctionnement des associations — subventions {next_year}",
            opens_on=today - datetime.timedelta(days=75),
            closes_on=today + datetime.timedelta(days=30),
        )
    )
    campaigns = Campaign.objects.bulk_create(campaigns)
    current = campaigns[-1]

    plans = []
    n_current = int(count * CURRENT_SHARE)
    per_past = (count - n_current) // len(past_years)
    for campaign in campaigns[:-1]:
        plans += _past_plans(ctx, campaign, per_past, associations, marker_body)
    plans += _current_plans(ctx, current, n_current, associations)
    plans += _manager_plans(ctx, campaigns)
    _amounts_and_times(ctx, plans, today)
    _budgets(ctx, plans)

    requests = _requests(ctx, plans)
    versions, events = _versions_and_events(ctx, plans, requests)
    for campaign in campaigns:
        envelope = sum(
            (
                p.proposed or p.asked
                for p in plans
                if p.campaign is campaign and p.status != Status.DRAFT
            ),
            Decimal(0),
        )
        Campaign.objects.filter(pk=campaign.pk).update(envelope=_money(envelope * Decimal("0.9")))
    out.write(
        f"  {len(requests)} demandes de subvention ({len(campaigns)} campagnes), "
        f"{versions} versions déposées, {events} événements"
    )
    return {"requests": len(requests), "versions": versions, "events": events}


def _past_plans(ctx, campaign, count, associations, marker_body):
    """Votée on the scale grant of the year (its association, its amount), else refused or
    closed; one request per association and campaign."""
    rng = ctx.rng
    grants = list(
        Grant.objects.filter(
            authority=ctx.authority,
            year=campaign.year,
            request__isnull=True,
            deliberation__session__body__name=marker_body,
        )
        .select_related("deliberation")
        .order_by("pk")
    )
    by_pk = {a.pk: a for a in associations}
    statuses = [_pick(rng, PAST_MIX) for _ in range(count)]
    voted = [s for s in statuses if s == Status.VOTED]
    grants = rng.sample(grants, min(len(voted), len(grants)))
    used = {g.association_id for g in grants}
    others = [a for a in associations if a.pk not in used]
    rng.shuffle(others)
    plans = []
    for status in statuses:
        if status == Status.VOTED and grants:
            grant = grants.pop()
            plan = _Plan(campaign, by_pk[grant.association_id], status, rng.random() < 0.15)
            plan.grant = grant
        else:
            if status == Status.VOTED:
                status = Status.REFUSED
            if not others:
                others = list(associations)
                rng.shuffle(others)
            plan = _Plan(campaign, others.pop(), status, rng.random() < 0.15)
        plans.append(plan)
    return plans


def _current_plans(ctx, campaign, count, associations):
    rng = ctx.rng
    chosen = rng.sample(associations, min(count, len(associations)))
    while len(chosen) < count:
        chosen.append(rng.choice(associations))
    return [
        _Plan(campaign, association, status, rng.random() < 0.15)
        for association, status in ((a, _pick(rng, CURRENT_MIX)) for a in chosen)
    ]


def _manager_plans(ctx, campaigns):
    """The demo manager's association (asso-scs): one request per past campaign (votée when a
    grant of that year has no request yet, else classée), a draft and one in instruction."""
    association = ctx.requester.managed_associations.filter(authority=ctx.authority).first()
    if association is None:
        return []
    plans = []
    for campaign in campaigns[:-1]:
        grant = (
            Grant.objects.filter(association=association, year=campaign.year, request__isnull=True)
            .select_related("deliberation")
            .first()
        )
        plan = _Plan(campaign, association, Status.VOTED if grant else Status.CLOSED)
        plan.grant = grant
        plans.append(plan)
    plans.append(_Plan(campaigns[-1], association, Status.DRAFT))
    plans.append(_Plan(campaigns[-1], association, Status.IN_REVIEW))
    return plans


def _amounts_and_times(ctx, plans, today):
    rng = ctx.rng
    S = Status
    now = ctx.now
    for plan in plans:
        campaign = plan.campaign
        if plan.grant is not None:
            plan.proposed = plan.grant.amount
            plan.asked = _money(
                plan.grant.amount * Decimal(rng.choice(["1", "1", "1", "1.1", "1.25", "1.5"]))
            )
        else:
            plan.asked = _money(rng.randrange(20, 1500) * 100)
            if plan.status == S.INSTRUCTED:
                plan.proposed = _money(plan.asked * Decimal(rng.choice(["1", "0.8", "0.5"])))
        window = max(
            (min(campaign.closes_on, today - datetime.timedelta(days=1)) - campaign.opens_on).days,
            0,
        )
        start = _aware(campaign.opens_on + datetime.timedelta(days=rng.randrange(window + 1)))
        if plan.grant is not None and plan.grant.deliberation is not None:
            end = _aware(plan.grant.deliberation.decided_on, 18)
        elif campaign.closes_on < today:  # a past campaign: decided in the spring
            end = _aware(
                datetime.date(campaign.year - 1, 3, 1) + datetime.timedelta(days=rng.randrange(60))
            )
        else:
            end = min(start + datetime.timedelta(days=30), now - datetime.timedelta(hours=1))
        end = max(end, start)
        plan.created = start - datetime.timedelta(days=rng.randrange(1, 5))
        plan.times = _times(start, end, len(plan.moves))


def _budgets(ctx, plans):
    """The request's yearly budget: the association's forecast budget of the campaign's year,
    when the scale data made one (with its lines, for the snapshot)."""
    wanted = {(p.association.pk, p.campaign.year) for p in plans if p.status != Status.DRAFT}
    years = {year for _, year in wanted}
    budgets = {}
    for budget in AssociationBudget.objects.filter(
        association__authority=ctx.authority, year__in=years, kind=AssociationBudget.Kind.FORECAST
    ).prefetch_related("lines"):
        key = (budget.association_id, budget.year)
        if key in wanted:
            budgets.setdefault(key, budget)
    for plan in plans:
        plan.budget = budgets.get((plan.association.pk, plan.campaign.year))


def _requests(ctx, plans):
    S = Status
    rng = ctx.rng
    ranks = {}
    for campaign in {p.campaign for p in plans}:
        first = services.next_reference(campaign)
        ranks[campaign.pk] = int(first.rsplit("-", 1)[1])
    deposited = sorted((p for p in plans if p.status != S.DRAFT), key=lambda p: p.times[0])
    references = {}
    for plan in deposited:
        rank = ranks[plan.campaign.pk]
        ranks[plan.campaign.pk] = rank + 1
        references[id(plan)] = f"DEM-{plan.campaign.year}-{rank:04d}"
    rows = []
    for plan in plans:
        association = plan.association
        status = plan.status
        deposits = [t for t, m in zip(plan.times, plan.moves, strict=True) if m[2] == S.SUBMITTED]
        submitted = deposits[-1] if deposits else None
        decided = plan.times[-1] if status in {S.VOTED, S.REFUSED, S.CLOSED} else None
        opinion = ""
        if status in {S.INSTRUCTED, S.VOTED}:
            opinion = (
                SubsidyRequest.Opinion.FAVORABLE
                if plan.proposed >= plan.asked
                else SubsidyRequest.Opinion.PARTIAL
            )
        elif status == S.REFUSED:
            opinion = SubsidyRequest.Opinion.UNFAVORABLE
        rows.append(
            SubsidyRequest(
                campaign=plan.campaign,
                association=association,
                authority=ctx.authority,
                reference=references.get(id(plan), ""),
                status=status,
                last_step="recapitulatif",
                representative_name=association.representative_name,
                representative_title=association.representative_title,
                contact_name=association.representative_name,
                contact_email=association.email,
                members_count=rng.randrange(10, 800),
                volunteers_count=rng.randrange(2, 60),
                employees_count=rng.randrange(0, 12),
                yearly_budget=plan.budget,
                title=f"Fonctionnement général {plan.campaign.year} — {association.name}",
                objectives="Mettre en œuvre le programme d'actions annuel de l'association.",
                description="Activités régulières, accueil des publics, événements du quartier.",
                target_public="Habitants de la Métropole.",
                location=association.city,
                amount_requested=plan.asked,
                attest_accurate=status != S.DRAFT,
                attest_obligations=status != S.DRAFT,
                attest_de_minimis=status != S.DRAFT,
                signatory_name=association.representative_name,
                signatory_title=association.representative_title,
                cer_subscribed_by=ctx.requester if submitted else None,
                cer_subscribed_at=submitted,
                submitted_at=submitted,
                version=len(deposits),
                assigned_to=ctx.instructor
                if status not in {S.DRAFT, S.SUBMITTED} or rng.random() < 0.5
                else None,
                opinion=opinion,
                opinion_text="Programme conforme aux objectifs du dispositif." if opinion else "",
                proposed_amount=plan.proposed,
                decision_reason={S.REFUSED: REFUSED_TEXT, S.CLOSED: CLOSED_TEXT}.get(status, ""),
                decided_at=decided,
                grant=plan.grant,
                created_by=ctx.requester,
            )
        )
    rows = SubsidyRequest.objects.bulk_create(rows, batch_size=1000)
    # created_at and updated_at are automatic (bulk_create sets them to now): give them the
    # request's own history.
    for row, plan in zip(rows, plans, strict=True):
        row.created_at = plan.created
        row.updated_at = plan.times[-1] if plan.times else plan.created
    SubsidyRequest.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
    return rows


def _versions_and_events(ctx, plans, requests):
    S = Status
    versions = []
    events = []
    for plan, subsidy_request in zip(plans, requests, strict=True):
        number = 0
        for (actor, source, target), when in zip(plan.moves, plan.times, strict=True):
            text = {S.TO_COMPLETE: TO_COMPLETE_TEXT, S.REFUSED: REFUSED_TEXT, S.CLOSED: CLOSED_TEXT}
            events.append(
                RequestEvent(
                    request=subsidy_request,
                    kind=RequestEvent.Kind.STATUS,
                    from_status=source,
                    to_status=target,
                    text=text.get(target, ""),
                    author=ctx.requester if actor == "association" else ctx.instructor,
                    created_at=when,
                )
            )
            if target == S.SUBMITTED:
                number += 1
                versions.append(
                    RequestVersion(
                        request=subsidy_request,
                        number=number,
                        submitted_at=when,
                        submitted_by=ctx.requester,
                        data=request_snapshot(subsidy_request, []),
                    )
                )
    RequestVersion.objects.bulk_create(versions, batch_size=1000)
    RequestEvent.objects.bulk_create(events, batch_size=2000)
    return len(versions), len(events)
