"""From the proposals of a campaign to the deliberation that grants them (DOMAIN.md §7).

Staff select the instructed requests of a campaign; `deliberation_create_from_requests` writes
the draft deliberation (complete, attached to a session later, or light) with one grant per
request, the statement of reasons and the articles of the decision prefilled from the requests,
in a fixed number of queries whatever the number of requests. The deliberation is then
continued on its own page (session, vote, transmission); its vote moves the requests
(grants/requests/votes.py) and the documents that follow it are produced in bulk
(grants/requests/documents.py).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from deliberations.forms import next_number
from deliberations.models import Decision, Deliberation
from grants import rules as money_rules
from grants.access import can_propose_deliberation, ensure_can_edit, require
from grants.models import Grant
from grants.requests.models import RequestEvent, SubsidyRequest
from grants.requests.rules import Status
from grants.templatetags.fr import euros
from grants.validators import validate_reference_number


def campaign_proposals(campaign):
    """The campaign's instructed requests that no deliberation decides yet."""
    return (
        SubsidyRequest.objects.filter(
            campaign=campaign, status=Status.INSTRUCTED, grant__isnull=True
        )
        .select_related("association")
        .order_by("association__name", "pk")
    )


def proposals_summary(campaign):
    """The campaign's proposals at a glance (one query): to put to the vote, in a draft
    deliberation, voted, refused; with their proposed amounts."""
    requests = SubsidyRequest.objects.filter(campaign=campaign)
    free = Q(status=Status.INSTRUCTED, grant__isnull=True)
    pending = Q(status=Status.INSTRUCTED, grant__isnull=False)
    voted = Q(status=Status.VOTED)
    row = requests.aggregate(
        to_propose=Count("pk", filter=free),
        to_propose_amount=Sum("proposed_amount", filter=free),
        pending=Count("pk", filter=pending),
        pending_amount=Sum("proposed_amount", filter=pending),
        voted=Count("pk", filter=voted),
        voted_amount=Sum("grant__amount", filter=voted),
        refused=Count("pk", filter=Q(status=Status.REFUSED)),
    )
    for key in ("to_propose_amount", "pending_amount", "voted_amount"):
        row[key] = row[key] or Decimal("0.00")
    row["committed"] = row["to_propose_amount"] + row["pending_amount"] + row["voted_amount"]
    row["balance"] = campaign.envelope - row["committed"]
    return row


def default_title(campaign):
    return f"Attribution de subventions — {campaign.scheme.name} — exercice {campaign.year}"


def _one_line(text):
    return " ".join((text or "").split())


def _object(subsidy_request):
    return _one_line(subsidy_request.title) or subsidy_request.campaign.scheme.name


def statement_for(campaign, requests):
    """The statement of reasons (Markdown), one list item per association: what it asked, what
    is proposed and the technical opinion."""
    scheme = campaign.scheme
    total = sum((r.proposed_amount for r in requests), Decimal("0.00"))
    count = len(requests)
    plural = "s" if count > 1 else ""
    lines = [
        f"Dans le cadre du dispositif « {scheme.name} » de {campaign.authority.name}, la "
        f"campagne « {campaign} » (exercice {campaign.year}) a reçu des demandes de subvention "
        "des associations, instruites par les services.",
        "",
        f"{count} demande{plural} instruite{plural} {'sont proposées' if count > 1 else 'est proposée'} "  # noqa: E501
        f"au vote, pour un montant total de {euros(total)} sur une enveloppe de "
        f"{euros(campaign.envelope)}.",
        "",
        "Il est proposé d'attribuer les subventions suivantes :",
        "",
    ]
    for r in requests:
        item = (
            f"- **{_one_line(r.association.name)}** — {_object(r)} : "
            f"{euros(r.amount_requested)} demandés, {euros(r.proposed_amount)} proposés."
        )
        if r.opinion:
            item += f" Avis {r.get_opinion_display().lower()}"
            item += f" : {_one_line(r.opinion_text)}" if r.opinion_text.strip() else "."
        elif r.opinion_text.strip():
            item += f" {_one_line(r.opinion_text)}"
        lines.append(item)
    return "\n".join(lines)


def decisions_for(campaign, grants):
    """The articles of the decision, as the deliberation form writes them (plain text)."""
    year = campaign.year
    total = sum((g.amount for g in grants), Decimal("0.00"))
    listing = "\n".join(f"- {g.association.name} : {euros(g.amount)} ({g.object})" for g in grants)
    articles = [
        f"attribue, au titre de l'exercice {year} et du dispositif « {campaign.scheme.name} », "
        f"les subventions suivantes, pour un montant total de {euros(total)} :\n{listing}",
    ]
    with_convention = [g for g in grants if money_rules.convention_required(g.amount)]
    without = [g for g in grants if not money_rules.convention_required(g.amount)]
    if with_convention:
        names = ", ".join(g.association.name for g in with_convention)
        articles.append(
            f"approuve les conventions à conclure avec {names} (subventions de plus de "
            "23 000 €) et autorise le Président, ou son représentant dûment habilité, à les "
            "signer ainsi que toutes pièces nécessaires à la mise en œuvre de cette délibération,"
        )
    if without:
        articles.append(
            "dit que les subventions de 23 000 € ou moins sont notifiées aux associations par "
            "lettre et versées en une fois, une fois la présente délibération exécutoire,"
        )
    imputation = campaign.scheme.budget_imputation
    articles.append(
        f"la dépense correspondante sera imputée sur le budget de l'exercice {year}"
        + (f" sur le compte : {imputation}." if imputation else ".")
    )
    return articles


def _selection_errors(campaign, ids, rows):
    errors = []
    if not ids:
        return ["Sélectionnez au moins une demande instruite à proposer au vote."]
    if len(rows) != len(set(ids)):
        errors.append("Une demande choisie n'existe pas ou relève d'une autre collectivité.")
    for r in rows:
        name = f"La demande {r.reference or r.pk} de {r.association.name}"
        if r.campaign_id != campaign.pk:
            errors.append(f"{name} relève d'une autre campagne.")
        elif r.grant_id is not None:
            number = r.grant.deliberation.number if r.grant.deliberation_id else "—"
            errors.append(f"{name} est déjà inscrite à la délibération n° {number}.")
        elif r.status != Status.INSTRUCTED:
            errors.append(
                f"{name} est « {r.get_status_display().lower()} » : seules les demandes "
                "instruites sont proposées au vote."
            )
        elif not r.proposed_amount or r.proposed_amount <= 0:
            errors.append(
                f"{name} a un montant proposé nul : refusez-la ou classez-la sans suite plutôt "
                "que de la proposer au vote."
            )
    return errors


def _number_errors(campaign, number):
    try:
        validate_reference_number(number)
    except ValidationError as error:
        return error.messages
    if Deliberation.objects.filter(authority_id=campaign.authority_id, number=number).exists():
        return [f"La délibération n° {number} existe déjà."]
    return []


@transaction.atomic
def deliberation_create_from_requests(
    user,
    campaign,
    requests,
    kind=Deliberation.Kind.COMPLETE,
    number=None,
    title=None,
    *,
    body_name="",
    session_date=None,
):
    """Create the draft deliberation of the selected requests (ids or rows) of `campaign`: one
    grant per request (its proposed amount), the requests linked to their grant, the statement
    and the articles prefilled. A light deliberation needs its body and the session's date.

    Raises PermissionDenied, or ValidationError with every French reason the selection is
    refused (not instructed, another campaign or authority, already in a deliberation, nothing
    selected, amount 0). A fixed number of queries whatever the number of requests.
    """
    require(
        can_propose_deliberation(user, campaign),
        "Seuls les agents instructeurs de la collectivité préparent ses délibérations.",
    )
    ensure_can_edit(user, campaign.authority_id)
    ids = sorted({getattr(r, "pk", r) for r in requests})
    rows = list(
        SubsidyRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, authority_id=campaign.authority_id)
        .select_related("association", "campaign__scheme", "grant__deliberation")
        .order_by("association__name", "pk")
    )
    errors = _selection_errors(campaign, ids, rows)
    if kind not in Deliberation.Kind.values:
        errors.append("Choisissez le mode de saisie de la délibération.")
    body_name = (body_name or "").strip()
    if kind == Deliberation.Kind.LIGHT and (not body_name or session_date is None):
        errors.append(
            "Une délibération en saisie simplifiée indique l'instance et la date de la séance."
        )
    number = (number or "").strip() or next_number(campaign.authority, timezone.localdate().year)
    errors += _number_errors(campaign, number)
    title = (title or "").strip() or default_title(campaign)
    if errors:
        raise ValidationError(errors)

    scheme = campaign.scheme
    light = kind == Deliberation.Kind.LIGHT
    try:
        with transaction.atomic():  # a colleague may take the same number meanwhile
            deliberation = Deliberation.objects.create(
                authority_id=campaign.authority_id,
                number=number,
                title=title[:500],
                kind=kind,
                body_name=body_name if light else "",
                session_date=session_date if light else None,
                statement=statement_for(campaign, rows),
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError(f"La délibération n° {number} existe déjà.") from None
    grants = [
        Grant(
            authority_id=campaign.authority_id,
            association=r.association,
            deliberation=deliberation,
            year=campaign.year,
            amount=r.proposed_amount,
            nature=scheme.nature,
            object=_object(r),
            aid_scheme_label=scheme.name[:256],
            budget_imputation=scheme.budget_imputation,
            specific_expense=scheme.is_project,
        )
        for r in rows
    ]
    grants = bulk_create_with_history(grants, Grant, default_user=user)
    Decision.objects.bulk_create(
        Decision(deliberation=deliberation, position=position, text=text)
        for position, text in enumerate(decisions_for(campaign, grants), start=1)
    )
    now = timezone.now()
    for r, grant in zip(rows, grants, strict=True):
        r.grant = grant
        r.updated_at = now
    SubsidyRequest.objects.bulk_update(rows, ["grant", "updated_at"])
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request=r,
            kind=RequestEvent.Kind.NOTE,
            author=user,
            text=f"Inscrite au projet de délibération n° {number} ({euros(r.proposed_amount)}).",
            created_at=now,
        )
        for r in rows
    )
    return deliberation
