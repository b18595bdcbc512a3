"""Due-date reminders for justificatifs (seed SCS art. 6.2), meant to run daily.

30 days and 7 days before the due date, and once the date has passed, the association's
managers are reminded of the required pieces still to hand in (the instructors are told of an
overdue one too). Each reminder is recorded (ReminderSent), so a second run the same day, or any
later run, never sends it again; a run that missed some days sends only the most urgent stage.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conventions.justificatifs.due import UPLOAD_STATUSES, due_state, with_justificatif_data
from conventions.models import Convention
from conventions.notifications import services as notifications
from conventions.notifications.models import Notification, ReminderSent

Stage = ReminderSent.Stage

# Conventions of these years can still have a due date within the reminder window: a year's
# justificatifs are due six months after the close of that year's financial year.
YEARS_BACK = 2


def stage_for(days_left):
    if days_left < 0:
        return Stage.OVERDUE
    if days_left <= 7:
        return Stage.DAYS_7
    if days_left <= 30:
        return Stage.DAYS_30
    return None


@dataclass
class Summary:
    checked: int = 0
    sent: dict = field(default_factory=lambda: {stage: 0 for stage in Stage.values})
    already_sent: int = 0
    notifications: int = 0

    @property
    def total_sent(self):
        return sum(self.sent.values())


def _message(state, stage):
    convention = state.convention
    pieces = ", ".join(item.label.lower() for item in state.to_hand_in)
    where = f"la {notifications._convention_label(convention)}"
    due = state.due_date.strftime("%d/%m/%Y")
    if stage == Stage.OVERDUE:
        return (
            f"Les justificatifs de {where} devaient être remis le {due} au plus tard : {pieces}. "
            "Le solde de la subvention et une nouvelle convention en dépendent (art. 5.4 et 6.2)."
        )
    days = state.days_left
    when = "aujourd'hui" if days == 0 else f"dans {days} jour{'s' if days > 1 else ''}"
    return (
        f"Échéance {when}, le {due} : justificatifs à remettre pour {where} : {pieces}. "
        "Le solde de la subvention se demande une fois ces pièces acceptées."
    )


def _send(state, stage):
    convention = state.convention
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = ReminderSent.objects.create(
                    convention=convention, stage=stage, due_date=state.due_date
                )
        except IntegrityError:  # sent by a concurrent run
            return None
        recipients = list(notifications.association_managers(convention.association_id))
        if stage == Stage.OVERDUE:
            recipients += list(notifications.authority_instructors(convention.authority_id))
        sent = notifications.notify(
            recipients,
            Notification.Kind.DUE_DATE,
            _message(state, stage),
            reverse("justificatif_list", args=[convention.pk]),
            subject=(
                f"Justificatifs en retard — {convention.association.name}"
                if stage == Stage.OVERDUE
                else f"Justificatifs à remettre avant le {state.due_date:%d/%m/%Y}"
            ),
        )
        reminder.recipients = len(sent)
        reminder.save(update_fields=["recipients"])
    return sent


def send_reminders(today=None):
    """Send the reminders due today; return a Summary."""
    today = today or timezone.localdate()
    summary = Summary()
    conventions = with_justificatif_data(
        Convention.objects.filter(status__in=UPLOAD_STATUSES, year__gte=today.year - YEARS_BACK)
    ).order_by("pk")
    already = {
        (row["convention_id"], row["stage"], row["due_date"])
        for row in ReminderSent.objects.filter(convention__in=conventions.values("pk")).values(
            "convention_id", "stage", "due_date"
        )
    }
    for convention in conventions.iterator(chunk_size=500):
        summary.checked += 1
        state = due_state(convention, today)
        stage = stage_for(state.days_left)
        if stage is None or not state.to_hand_in:
            continue
        if (convention.pk, stage, state.due_date) in already:
            summary.already_sent += 1
            continue
        sent = _send(state, stage)
        if sent is None:
            summary.already_sent += 1
            continue
        summary.sent[stage] += 1
        summary.notifications += len(sent)
    return summary
