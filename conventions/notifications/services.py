"""Notifications on screen and by email.

`notify(users, kind, message, url)` writes one on-screen notification per recipient and, once the
transaction commits, enqueues a task that sends the emails (a rolled-back action notifies nobody;
a mail server that fails does not undo the action: the notification stays on screen). The event
functions below say who is told what.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conventions.notifications import tasks
from conventions.notifications.models import Notification
from grants.models import Role, User
from grants.templatetags.fr import euros

logger = logging.getLogger(__name__)

Kind = Notification.Kind

EMAIL_FOOTER = (
    "\n\n—\nSubventions aux associations\n"
    "Message envoyé automatiquement : vous le retrouvez dans vos notifications, dans "
    "l'application."
)


def _recipients(user_or_users):
    if user_or_users is None:
        return []
    if hasattr(user_or_users, "pk") and not hasattr(user_or_users, "__iter__"):
        user_or_users = [user_or_users]
    unique = {}
    for user in user_or_users:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    return list(unique.values())


def absolute_url(url):
    if not url or url.startswith(("http://", "https://")):
        return url
    return getattr(settings, "SITE_URL", "").rstrip("/") + url


def send_notification_emails(notification_ids, subject):
    """Mail each notification to its recipient (run by a task worker, never in a request)."""
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    sent = []
    for notification in notifications.order_by("pk"):
        email = notification.recipient.email
        if not email or notification.emailed_at:
            continue
        body = f"Bonjour,\n\n{notification.message}"
        if notification.url:
            body += f"\n\nPour consulter : {absolute_url(notification.url)}"
        message = EmailMessage(subject=subject, body=body + EMAIL_FOOTER, to=[email])
        try:
            message.send()
        except Exception:  # the notification stays on screen
            logger.warning("Notification email to %s failed", email, exc_info=True)
            continue
        sent.append(notification.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)


def _enqueue_emails(notification_ids, subject):

    tasks.send_notification_emails_task.enqueue(notification_ids, subject)


def notify(user_or_users, kind, message, url="", subject=None):
    """Tell one user or several: an on-screen notification each, and an email after commit."""
    recipients = _recipients(user_or_users)
    if not recipients:
        return []
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, message=message, url=url, created_at=now)
            for user in recipients
        ]
    )
    # bulk_create sets pks on PostgreSQL and SQLite; keep the recipients for the emails.
    for notification, user in zip(notifications, recipients, strict=True):
        notification.recipient = user
    subject = f"[Subventions] {subject or Kind(kind).label}"
    ids = [notification.pk for notification in notifications]
    transaction.on_commit(lambda: _enqueue_emails(ids, subject))
    return notifications


# ---- who is told -----------------------------------------------------------------------------


def authority_instructors(authority_id):
    """The instructors (and administrators) of an authority: they review and certify."""

    return User.objects.filter(
        authority_id=authority_id, role__in=[Role.INSTRUCTOR, Role.ADMIN], is_active=True
    )


def association_managers(association_id):

    return User.objects.filter(
        managed_associations=association_id, role=Role.MANAGER, is_active=True
    )


def _convention_label(convention):
    """'convention n° 2023-01 (Pôle SCS, exercice 2023)' or 'convention 2023 (Pôle SCS)'."""
    if convention.number:
        return (
            f"convention n° {convention.number} ({convention.association.name}, exercice "
            f"{convention.year})"
        )
    return f"convention {convention.year} ({convention.association.name})"


# ---- events ----------------------------------------------------------------------------------


def _single_payment_requested(payment):
    grant = payment.grant
    message = (
        f"Versement unique de {euros(payment.amount)} demandé pour la subvention "
        f"{grant.year} de {grant.association.name}, signé par {payment.signer_name}. Le service "
        "fait est à certifier."
    )
    return notify(
        authority_instructors(grant.authority_id),
        Kind.PAYMENT_REQUESTED,
        message,
        payment.get_subject_url(),
        subject=f"Demande de versement — {grant.association.name}",
    )


def _single_payment_ordered(payment):
    grant = payment.grant
    order_date = payment.order_date.strftime("%d/%m/%Y") if payment.order_date else ""
    message = (
        f"Versement unique de {euros(payment.amount)} mandaté par "
        f"{grant.authority.display_name} (mandat n° {payment.order_number} du {order_date}) "
        f"pour la subvention {grant.year}. Le virement suit sous quelques jours."
    )
    return notify(
        association_managers(grant.association_id),
        Kind.PAYMENT_ORDERED,
        message,
        payment.get_subject_url(),
        subject=f"Versement unique mandaté — {euros(payment.amount)}",
    )


def payment_requested(payment):
    if not payment.convention_id:
        return _single_payment_requested(payment)
    convention = payment.convention
    kind = payment.get_kind_display().lower()
    message = (
        f"{convention.association.name} demande le versement de l'{kind}"
        if kind == "acompte"
        else f"{convention.association.name} demande le versement du {kind}"
    )
    message += (
        f" de {euros(payment.amount)} ({_convention_label(convention)}), signé par "
        f"{payment.signer_name}. Le service fait est à certifier."
    )
    return notify(
        authority_instructors(convention.authority_id),
        Kind.PAYMENT_REQUESTED,
        message,
        reverse("payment_timeline", args=[convention.pk]),
        subject=f"Demande de versement — {convention.association.name}",
    )


def payment_ordered(payment):
    if not payment.convention_id:
        return _single_payment_ordered(payment)
    convention = payment.convention
    kind = payment.get_kind_display()
    order_date = payment.order_date.strftime("%d/%m/%Y") if payment.order_date else ""
    message = (
        f"{kind} de {euros(payment.amount)} mandaté par {convention.authority.display_name} "
        f"(mandat n° {payment.order_number} du {order_date}) pour la "
        f"{_convention_label(convention)}. Le virement suit sous quelques jours."
    )
    return notify(
        association_managers(convention.association_id),
        Kind.PAYMENT_ORDERED,
        message,
        reverse("payment_timeline", args=[convention.pk]),
        subject=f"{kind} mandaté — {euros(payment.amount)}",
    )


def justificatif_submitted(justificatif):
    convention = justificatif.convention
    message = (
        f"{convention.association.name} a déposé « {justificatif.get_kind_display()} » pour la "
        f"{_convention_label(convention)}. Il est à examiner."
    )
    return notify(
        authority_instructors(convention.authority_id),
        Kind.JUSTIFICATIF_SUBMITTED,
        message,
        reverse("justificatif_review", args=[justificatif.pk]),
        subject=f"Justificatif déposé — {convention.association.name}",
    )


def justificatif_reviewed(justificatif):
    convention = justificatif.convention
    label = justificatif.get_kind_display()
    url = reverse("justificatif_list", args=[convention.pk])
    if justificatif.status == justificatif.Status.ACCEPTED:
        kind = Kind.JUSTIFICATIF_ACCEPTED
        message = f"« {label} » est accepté pour la {_convention_label(convention)}."
        if convention.required_justificatifs_accepted:
            message += (
                " Tous les justificatifs requis sont acceptés : vous pouvez demander le solde."
            )
        subject = f"Justificatif accepté — {label}"
    else:
        kind = Kind.JUSTIFICATIF_REJECTED
        message = (
            f"« {label} » est refusé pour la {_convention_label(convention)}. Motif : "
            f"{justificatif.rejection_reason.strip().rstrip('.')}. Déposez une nouvelle version "
            f"avant le "
            f"{convention.justificatifs_due_date:%d/%m/%Y}."
        )
        subject = f"Justificatif refusé — {label}"
    return notify(
        association_managers(convention.association_id), kind, message, url, subject=subject
    )


# ---- accounts of associations ------------------------------------------------------------


def access_requested(access_request):
    """A person asks to manage an association: its authority's instructors decide."""
    person = access_request.user
    message = (
        f"{person.get_full_name() or person.username} ({person.email}) demande à gérer "
        f"« {access_request.association.name} » ({access_request.identifiers}). La demande est "
        "à valider."
    )
    return notify(
        authority_instructors(access_request.authority_id),
        Kind.ACCESS_REQUESTED,
        message,
        reverse("access_request_review", args=[access_request.pk]),
        subject=f"Demande d'accès — {access_request.association.name}",
    )


def access_request_decided(access_request):
    """The person is told the decision, and the reason of a refusal."""
    association, authority = access_request.association, access_request.authority
    if access_request.status == access_request.Status.ACCEPTED:
        kind = Kind.ACCESS_ACCEPTED
        message = (
            f"{authority.name} a accepté votre demande : votre compte gère désormais "
            f"« {association.name} »."
        )
        url = association.get_absolute_url()
        subject = f"Accès accepté — {association.name}"
    else:
        kind = Kind.ACCESS_REFUSED
        message = (
            f"{authority.name} a refusé votre demande d'accès à « {association.name} ». Motif : "
            f"{access_request.refusal_reason.strip().rstrip('.')}."
        )
        url = reverse("home")
        subject = f"Accès refusé — {association.name}"
    return notify(access_request.user, kind, message, url, subject=subject)


def association_created_by_manager(association, person):
    """A person created the association the authority did not know: instructors check it."""
    identifiers = " · ".join(
        f"{label} {value}"
        for label, value in (
            ("SIREN", association.siren),
            ("SIRET", association.siret),
            ("RNA", association.rna),
        )
        if value
    )
    message = (
        f"Nouvelle association créée par {person.get_full_name() or person.username} "
        f"({person.email}) : « {association.name} » ({identifiers}). Son compte en est le "
        "gestionnaire ; vérifiez sa fiche."
    )
    return notify(
        authority_instructors(association.authority_id),
        Kind.ASSOCIATION_CREATED,
        message,
        association.get_absolute_url(),
        subject=f"Nouvelle association — {association.name}",
    )
