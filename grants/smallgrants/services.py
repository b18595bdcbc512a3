"""Writes of the small-grant path: the notification letter, the versement unique and the
compte rendu financier.

The versement unique goes through the same chain as any payment (request → service fait →
mandat → paid): this module creates the request with the grant row locked by
select_for_update(), then grants.finance.services certifies, orders and records it with its
locks and its separation of duties (who certified does not order).
"""

import hashlib
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conventions.files import sha256_of
from conventions.justificatifs.uploads import PDF, display_name, inspect_upload
from conventions.notifications import services as notifications
from grants import rules
from grants.access import (
    can_notify_grant,
    can_request_single_payment,
    can_upload_financial_report,
    manages,
    require,
)
from grants.models import FinancialReport, NotificationLetter, Payment
from grants.queries import locked
from grants.smallgrants.models import LetterKind
from grants.smallgrants.pdf import render_letter_pdf
from grants.templatetags.fr import euros

SINGLE_CERTIFICATION_TEXT = (
    "Je certifie la réalité de la dépense et son emploi conforme à l'objet de la subvention "
    "notifiée."
)
STAFF_PROPOSAL_TEXT = (
    "Versement proposé par le service instructeur au vu de la décision notifiée, "
    "l'association n'ayant pas de compte dans l'application."
)


@dataclass(frozen=True)
class Blocker:
    """Why a step is not possible yet, with where to fix it."""

    message: str
    url: str = ""
    link_label: str = ""


def deliberation_blockers(grant):
    """What is missing for the grant's deliberation to be executory (CGCT L.2131-1)."""
    deliberation = grant.deliberation
    if deliberation is None:
        return [Blocker("La subvention n'est rattachée à aucune délibération.")]
    missing = deliberation.executory_missing()
    if not missing:
        return []
    url = reverse("deliberation_detail", args=[deliberation.pk])
    return [
        Blocker(
            f"La délibération n° {deliberation.number} n'est pas encore exécutoire : il manque "
            f"{', '.join(missing)}.",
            url,
            f"Compléter la délibération n° {deliberation.number}",
        )
    ]


def _convention_blocker(grant):
    if rules.single_payment_allowed(grant.amount):
        return []
    return [
        Blocker(
            f"La subvention de {euros(grant.amount)} dépasse 23 000 € : une convention signée est "
            "obligatoire (loi 2000-321, art. 10) et les versements suivent la convention.",
        )
    ]


def letter_blockers(grant):
    """Why the notification letter cannot be generated now."""
    blockers = _convention_blocker(grant)
    deliberation = grant.deliberation
    if deliberation is None:
        blockers.append(Blocker("La subvention n'est rattachée à aucune délibération."))
    elif not deliberation.is_adopted:
        blockers.append(
            Blocker(
                f"La délibération n° {deliberation.number} n'est pas adoptée : la décision ne peut "
                "pas encore être notifiée.",
                reverse("deliberation_detail", args=[deliberation.pk]),
                f"Voir la délibération n° {deliberation.number}",
            )
        )
    return blockers


def live_single_payment(grant):
    return (
        Payment.objects.filter(grant=grant, kind=Payment.Kind.SINGLE)
        .exclude(status=Payment.Status.REJECTED)
        .first()
    )


def single_payment_blockers(grant, letter=None):
    """Why the versement unique cannot be requested now (each with a link where to fix it)."""
    blockers = _convention_blocker(grant)
    if blockers:
        return blockers
    blockers += deliberation_blockers(grant)
    if letter is None:
        letter = NotificationLetter.objects.filter(grant=grant).first()
    if letter is None or not letter.pdf_file:
        blockers.append(
            Blocker(
                "La décision n'est pas encore notifiée : générez d'abord la lettre de "
                "notification (ou l'arrêté attributif).",
                reverse("small_grant_detail", args=[grant.pk]) + "#lettre",
                "Générer la lettre de notification",
            )
        )
    if live_single_payment(grant) is not None:
        blockers.append(Blocker("Le versement unique de cette subvention a déjà été demandé."))
    return blockers


# ---- the notification letter -----------------------------------------------------------------


def letter_reference(grant, kind):
    prefix = "AA" if kind == LetterKind.ARRETE else "LN"
    return f"{prefix}-{grant.year}-{grant.pk:05d}"


def letter_check(*, grant, user, kind, date):
    """Refuse, with the reason in French, a letter that may not be generated now: the role, the
    kind, the blockers, its date (not in the future, not before the deliberation) and a letter
    already notified once the versement unique is requested. The button checks it before
    enqueueing; the task checks it again with the grant locked."""
    require(can_notify_grant(user, grant), "Seul un agent instructeur notifie la décision.")
    if kind not in LetterKind.values:
        raise ValidationError("Type d'acte inconnu.")
    blockers = letter_blockers(grant)
    if blockers:
        raise ValidationError([b.message for b in blockers])
    if date > timezone.localdate():
        raise ValidationError({"date": "La date de la lettre ne peut pas être dans le futur."})
    decided = grant.deliberation.decision_date
    if date < decided:
        raise ValidationError(
            {"date": f"La lettre ne peut pas précéder la délibération du {decided:%d/%m/%Y}."}
        )
    if live_single_payment(grant) is not None and (
        NotificationLetter.objects.filter(grant=grant).exists()
    ):
        raise ValidationError(
            "Le versement unique est déjà demandé : la lettre notifiée n'est plus régénérée."
        )


@transaction.atomic
def letter_generate(*, grant, user, kind=LetterKind.NOTIFICATION, date=None):
    """Render the letter, store it with its SHA-256 and record who and when. Once the
    versement unique is requested, the notified letter is kept as it was. About a second of
    WeasyPrint: pages enqueue it (grants.smallgrants.jobs), the task runs this."""
    require(can_notify_grant(user, grant), "Seul un agent instructeur notifie la décision.")
    grant = locked(grant, "authority", "association", "deliberation__session__body")
    letter = NotificationLetter.objects.select_for_update().filter(grant=grant).first()
    date = date or timezone.localdate()
    letter_check(grant=grant, user=user, kind=kind, date=date)
    reference = letter_reference(grant, kind)
    content = render_letter_pdf(grant, kind=kind, reference=reference, date=date)
    if letter is None:
        letter = NotificationLetter(grant=grant)
    elif letter.pdf_file:
        letter.pdf_file.delete(save=False)
    letter.kind = kind
    letter.reference = reference
    letter.date = date
    letter.pdf_file.save(
        f"{reference}-{timezone.now():%Y%m%d%H%M%S}.pdf", ContentFile(content), save=False
    )
    letter.pdf_sha256 = hashlib.sha256(content).hexdigest()
    letter.generated_at = timezone.now()
    letter.generated_by = user
    letter.save()
    return letter


# ---- the versement unique --------------------------------------------------------------------


@transaction.atomic
def single_payment_request(*, grant, user, signer_name, certified, amount=None):
    """Request the versement unique of a grant of 23 000 € or less, once its deliberation is
    executory and the decision notified; at most the grant's amount, once per grant."""
    require(
        can_request_single_payment(user, grant),
        "Seuls les gestionnaires de l'association ou ses agents instructeurs demandent le "
        "versement.",
    )
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError({"signer_name": "Indiquez le nom du signataire de la demande."})
    if not certified:
        raise ValidationError({"certified": "Cochez la certification pour envoyer la demande."})
    grant = locked(grant, "authority", "association", "deliberation__session__body")
    blockers = single_payment_blockers(grant)
    if blockers:
        raise ValidationError([b.message for b in blockers])
    amount = grant.amount if amount is None else amount
    if amount <= 0:
        raise ValidationError({"amount": "Indiquez un montant positif."})
    if amount > grant.amount:
        raise ValidationError(
            {
                "amount": (
                    f"Le versement ne peut pas dépasser le montant de la subvention "
                    f"({euros(grant.amount)})."
                )
            }
        )
    by_manager = manages(user, grant.association_id)
    payment = Payment(
        grant=grant,
        kind=Payment.Kind.SINGLE,
        amount=amount,
        amount_due=grant.amount,
        requested_at=timezone.now(),
        requested_by=user,
        signer_name=signer_name,
        certification_text=SINGLE_CERTIFICATION_TEXT if by_manager else STAFF_PROPOSAL_TEXT,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as error:
        raise ValidationError(
            "Le versement unique de cette subvention a déjà été demandé."
        ) from error
    transaction.on_commit(partial(notifications.payment_requested, payment))
    return payment


# ---- the compte rendu financier (Cerfa 15059) ------------------------------------------------

FINANCIAL_REPORT_FORMATS = {PDF}


def financial_report_upload(*, grant, user, upload):
    """The association hands in its compte rendu financier; a new file replaces the previous."""
    require(
        can_upload_financial_report(user, grant),
        "Seul un gestionnaire de l'association dépose son compte rendu financier.",
    )
    if not grant.specific_expense:
        raise ValidationError(
            "Cette subvention n'est pas affectée à une dépense déterminée : aucun compte rendu "
            "financier n'est demandé."
        )
    detected = inspect_upload(upload, FINANCIAL_REPORT_FORMATS)
    digest = sha256_of(upload)
    with transaction.atomic():
        grant = locked(grant, "authority", "association", "deliberation__session__body")
        report = FinancialReport.objects.select_for_update().filter(grant=grant).first()
        if report is not None and report.sha256 == digest:
            raise ValidationError("Ce fichier est déjà celui du compte rendu financier déposé.")
        old_name = report.file.name if report is not None else ""
        report = report or FinancialReport(grant=grant)
        report.original_name = display_name(upload.name, detected)
        report.content_type = detected.content_type
        report.size = upload.size
        report.sha256 = digest
        report.uploaded_at = timezone.now()
        report.uploaded_by = user
        upload.seek(0)
        report.file.save(f"cr-financier-{grant.pk}{detected.extension}", upload, save=False)
        report.save()
    if old_name and old_name != report.file.name:
        report.file.storage.delete(old_name)
    return report
