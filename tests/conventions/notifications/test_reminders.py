"""`manage.py send_reminders`, meant to run daily: 30 and 7 days before the due date and once
overdue, each reminder once, whatever the number of runs (time-machine moves the clock)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from conventions.justificatifs import services
from conventions.models import Convention, Justificatif, Notification, ReminderSent
from conventions.notifications.reminders import send_reminders, stage_for
from tests.conventions.justificatifs.factories import (
    in_status,
    manager_of,
    pdf_upload,
    signed_convention,
    staff_of,
)

pytestmark = pytest.mark.django_db

Stage = ReminderSent.Stage


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 7, tzinfo=datetime.UTC))


def run():
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def convention():
    convention = signed_convention(number="2023-SCS-01")
    assert convention.justificatifs_due_date == datetime.date(2024, 6, 30)
    return convention


@pytest.fixture
def manager(convention):
    return manager_of(convention, email="gestion@asso.example")


@pytest.fixture
def instructor(convention):
    return staff_of(convention, email="instruction@metropole.example")


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [(31, None), (30, "j30"), (8, "j30"), (7, "j7"), (0, "j7"), (-1, "retard")],
)
def test_the_stage_of_a_reminder(days_left, stage):
    assert stage_for(days_left) == stage


def test_each_reminder_is_sent_once_at_30_days_7_days_and_when_overdue(
    convention, manager, instructor, django_capture_on_commit_callbacks
):
    with on(2024, 5, 30), django_capture_on_commit_callbacks(execute=True):
        assert "0 relance(s)" in run()  # 31 days before
    with on(2024, 5, 31), django_capture_on_commit_callbacks(execute=True):
        output = run()
        assert "30 jours avant l'échéance : 1 relance(s) envoyée(s)" in output
        assert "1 relance(s) envoyée(s) à 1 destinataire(s)" in output
        second = run()  # the same day again: nothing more
        assert "0 relance(s) envoyée(s) à 0 destinataire(s)" in second
        assert "Relances déjà envoyées auparavant : 1" in second
    [message] = mail.outbox
    assert message.to == ["gestion@asso.example"]
    assert message.subject == "[Subventions] Justificatifs à remettre avant le 30/06/2024"
    assert "Échéance dans 30 jours, le 30/06/2024 : justificatifs à remettre" in message.body
    assert "comptes annuels (bilan, compte de résultat, annexe)" in message.body

    with on(2024, 6, 10):
        run()
    with on(2024, 6, 23), django_capture_on_commit_callbacks(execute=True):
        assert "7 jours avant l'échéance : 1 relance(s)" in run()
    assert "Échéance dans 7 jours" in mail.outbox[-1].body
    with on(2024, 7, 1), django_capture_on_commit_callbacks(execute=True):
        assert "Échéance dépassée : 1 relance(s)" in run()
    overdue = mail.outbox[-2:]
    assert sorted(m.to[0] for m in overdue) == [
        "gestion@asso.example",
        "instruction@metropole.example",
    ]
    assert overdue[0].subject == f"[Subventions] Justificatifs en retard — {convention.association}"
    assert "devaient être remis le 30/06/2024 au plus tard" in overdue[0].body
    for day in [(2024, 7, 2), (2024, 8, 15)]:
        with on(*day):
            assert "0 relance(s)" in run()
    assert len(mail.outbox) == 4
    assert list(ReminderSent.objects.order_by("sent_at").values_list("stage", "recipients")) == [
        ("j30", 1),
        ("j7", 1),
        ("retard", 2),
    ]
    assert manager.notifications.filter(kind=Notification.Kind.DUE_DATE).count() == 3


def test_a_run_after_missed_days_sends_only_the_most_urgent_stage(convention, manager):
    with on(2024, 6, 28):
        summary = send_reminders()
    assert summary.sent == {"j30": 0, "j7": 1, "retard": 0}
    with on(2024, 6, 29):
        assert send_reminders().total_sent == 0


def test_no_reminder_once_every_piece_is_handed_in(convention, manager, instructor):
    with on(2024, 5, 20):
        pieces = [
            services.justificatif_upload(
                user=manager, convention=convention, kind=kind, upload=pdf_upload(text=kind)
            )
            for kind in convention.required_justificatif_kinds
        ]
    with on(2024, 6, 25):
        assert send_reminders().total_sent == 0  # all under review: the authority's turn
    services.justificatif_reject(user=instructor, justificatif=pieces[0], reason="Non signé.")
    with on(2024, 6, 26):
        summary = send_reminders()
    assert summary.sent["j7"] == 1
    note = manager.notifications.filter(kind=Notification.Kind.DUE_DATE).get()
    assert "comptes annuels" in note.message and "rapport d'activité" not in note.message


@pytest.mark.parametrize(
    "status", [Convention.Status.DRAFT, Convention.Status.READY, Convention.Status.CLOSED]
)
def test_conventions_outside_their_execution_are_not_reminded(convention, manager, status):
    in_status(convention, status)
    with on(2024, 6, 25):
        assert send_reminders().total_sent == 0


def test_accepted_pieces_are_not_reminded(convention, manager, instructor):
    for kind in convention.required_justificatif_kinds:
        piece = services.justificatif_upload(
            user=manager, convention=convention, kind=kind, upload=pdf_upload(text=kind)
        )
        services.justificatif_accept(user=instructor, justificatif=piece)
    with on(2024, 7, 5):
        assert send_reminders().total_sent == 0
    assert Justificatif.objects.filter(status="accepte").count() == 3


def test_the_date_option_and_its_error(convention, manager):
    out = StringIO()
    call_command("send_reminders", "--date", "2024-06-25", stdout=out)
    assert "7 jours avant l'échéance : 1 relance(s)" in out.getvalue()
    with pytest.raises(CommandError, match="Date invalide : 25/06/2024"):
        call_command("send_reminders", "--date", "25/06/2024")
