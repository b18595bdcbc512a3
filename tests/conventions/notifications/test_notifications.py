"""Notifications on screen and by email: who is told what, the emails' content (locmem outbox),
the unread count in the header (no extra query), and the notifications page."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conventions.justificatifs import services
from conventions.models import Justificatif, Notification
from conventions.notifications import services as notifications
from grants.finance import services as payments
from grants.finance.models import Payment
from grants.models import Role
from tests.associations.bank.factories import with_bank_details
from tests.conventions.justificatifs.factories import (
    manager_of,
    pdf_upload,
    signed_convention,
    staff_of,
)
from tests.factories import UserFactory
from tests.grants.finance.factories import CommitmentFactory

Kind = Notification.Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention():
    convention = signed_convention(number="2023-SCS-01")
    with_bank_details(convention.association)  # finance orders one of its payments
    return convention


@pytest.fixture
def manager(convention):
    return manager_of(convention, email="gestion@asso.example", first_name="Claire")


@pytest.fixture
def instructor(convention):
    return staff_of(convention, email="instruction@metropole.example")


@pytest.fixture
def finance(convention):
    return staff_of(convention, role=Role.FINANCE, email="finances@metropole.example")


def upload(manager, convention, kind=Justificatif.Kind.COMPTES_ANNUELS):
    return services.justificatif_upload(
        user=manager, convention=convention, kind=kind, upload=pdf_upload()
    )


# ---- notify() --------------------------------------------------------------------------------


def test_notify_writes_one_notification_each_and_mails_after_commit(
    manager, instructor, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://subventions.example"
    inactive = UserFactory(is_active=False, email="parti@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notifications.notify(
            [manager, instructor, manager, inactive], Kind.DUE_DATE, "Échéance proche.", "/x/"
        )
    assert [n.recipient for n in created] == [manager, instructor]
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "gestion@asso.example",
        "instruction@metropole.example",
    ]
    message = mail.outbox[0]
    assert message.subject == "[Subventions] Échéance des justificatifs"
    assert "Échéance proche." in message.body
    assert "Pour consulter : https://subventions.example/x/" in message.body
    assert all(n.emailed_at for n in Notification.objects.all())


def test_a_failing_mail_server_keeps_the_notification_on_screen(
    manager, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "conventions.notifications.services.EmailMessage.send", side_effect=OSError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notifications.notify(manager, Kind.DUE_DATE, "Échéance proche.", "/x/")
    note = Notification.objects.get()
    assert note.recipient == manager and note.emailed_at is None


def test_a_user_without_email_is_told_on_screen_only(django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(user, Kind.DUE_DATE, "Échéance proche.")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert mail.outbox == []


# ---- who is told what ------------------------------------------------------------------------


def test_a_submitted_piece_tells_the_authority_s_instructors_only(
    convention, manager, instructor, finance, django_capture_on_commit_callbacks
):
    admin = staff_of(convention, role=Role.ADMIN, email="admin@metropole.example")
    UserFactory(role=Role.INSTRUCTOR, email="ailleurs@example.org")  # another authority
    with django_capture_on_commit_callbacks(execute=True):
        piece = upload(manager, convention)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@metropole.example",
        "instruction@metropole.example",
    ]
    note = instructor.notifications.get()
    assert note.kind == Kind.JUSTIFICATIF_SUBMITTED
    assert note.url == reverse("justificatif_review", args=[piece.pk])
    assert note.message == (
        f"{convention.association.name} a déposé « Comptes annuels (bilan, compte de résultat, "
        f"annexe) » pour la convention n° 2023-SCS-01 ({convention.association.name}, exercice "
        "2023). Il est à examiner."
    )
    assert not finance.notifications.exists() and admin.notifications.count() == 1


def test_a_rejection_tells_the_managers_with_the_reason(
    convention, manager, instructor, django_capture_on_commit_callbacks
):
    piece = upload(manager, convention)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.justificatif_reject(
            user=instructor, justificatif=piece, reason="Le bilan n'est pas signé."
        )
    [message] = mail.outbox
    assert message.to == ["gestion@asso.example"]
    assert message.subject == (
        "[Subventions] Justificatif refusé — Comptes annuels (bilan, compte de résultat, annexe)"
    )
    assert (
        "Motif : Le bilan n'est pas signé. Déposez une nouvelle version avant le 30/06/2024."
        in (message.body)
    )
    assert manager.notifications.get().kind == Kind.JUSTIFICATIF_REJECTED


def test_the_last_acceptance_tells_the_managers_they_may_request_the_balance(
    convention, manager, instructor, django_capture_on_commit_callbacks
):
    pieces = [upload(manager, convention, kind) for kind in convention.required_justificatif_kinds]
    with django_capture_on_commit_callbacks(execute=True):
        for piece in pieces[:-1]:
            services.justificatif_accept(user=instructor, justificatif=piece)
    assert "vous pouvez demander le solde" not in manager.notifications.first().message
    with django_capture_on_commit_callbacks(execute=True):
        services.justificatif_accept(user=instructor, justificatif=pieces[-1])
    last = manager.notifications.order_by("-pk").first()
    assert last.kind == Kind.JUSTIFICATIF_ACCEPTED
    assert last.message.endswith(
        "Tous les justificatifs requis sont acceptés : vous pouvez demander le solde."
    )
    assert "vous pouvez demander le solde" in mail.outbox[-1].body


def test_a_payment_request_tells_the_instructors_and_its_order_tells_the_managers(
    convention, manager, instructor, finance, django_capture_on_commit_callbacks
):
    CommitmentFactory(grant=convention.grants.get(), budget_line__year=convention.year)
    with django_capture_on_commit_callbacks(execute=True):
        payment = payments.payment_request(
            convention=convention,
            user=manager,
            kind=Payment.Kind.ADVANCE,
            signer_name="Jean DUPONT, Président",
            certified=True,
            amount=Decimal("50000.00"),
        )
    note = instructor.notifications.get()
    assert note.kind == Kind.PAYMENT_REQUESTED
    assert note.url == reverse("payment_timeline", args=[convention.pk])
    assert "demande le versement de l'acompte de 50\u00a0000,00\u00a0€" in note.message
    assert "signé par Jean DUPONT, Président" in note.message
    assert [m.to for m in mail.outbox] == [["instruction@metropole.example"]]
    assert not manager.notifications.exists()

    payments.payment_certify(payment, instructor)
    assert not manager.notifications.exists()  # certifying is internal
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_order(payment, finance, number="2024-M-0042", date=timezone.localdate())
    note = manager.notifications.get()
    assert note.kind == Kind.PAYMENT_ORDERED
    assert note.message.startswith(
        f"Acompte de 50\u00a0000,00\u00a0€ mandaté par {convention.authority.display_name} "
        f"(mandat n° 2024-M-0042 du {timezone.localdate():%d/%m/%Y})"
    )
    assert mail.outbox[-1].to == ["gestion@asso.example"]
    assert mail.outbox[-1].subject == "[Subventions] Acompte mandaté — 50\u00a0000,00\u00a0€"

    payments.payment_record_paid(payment, finance, date=timezone.localdate())
    assert manager.notifications.count() == 1  # the payment date is not notified again


# ---- the header count and the page -----------------------------------------------------------


def test_the_header_shows_the_unread_count_without_an_extra_query(
    client, manager, django_assert_num_queries
):
    notifications.notify(manager, Kind.DUE_DATE, "Déjà lue.")
    Notification.objects.update(read_at=timezone.now())
    client.force_login(manager)
    url = reverse("notification_list")
    with django_assert_num_queries(5) as before:
        response = client.get(url)
    assert "non lue" not in response.content.decode()
    notifications.notify(manager, Kind.DUE_DATE, "Première.")
    notifications.notify(manager, Kind.DUE_DATE, "Seconde.")
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert (
        'Notifications <span class="badge badge-warn">2<span class="visually-hidden"> non lues'
        in response.content.decode()
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_notifications_page_runs_a_fixed_number_of_queries(
    client, manager, rows, django_assert_num_queries
):
    for i in range(rows):
        notifications.notify(manager, Kind.DUE_DATE, f"Message {i}", "/")
    client.force_login(manager)
    with django_assert_num_queries(5):  # session, user (with the count), count, unread, rows
        response = client.get(reverse("notification_list"))
    assert response.context["page"].paginator.count == rows


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, manager, convention):
    [note] = notifications.notify(
        manager, Kind.DUE_DATE, "Échéance.", reverse("justificatif_list", args=[convention.pk])
    )
    client.force_login(manager)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("justificatif_list", args=[convention.pk])
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_notification_never_redirects_off_site(client, manager):
    [note] = notifications.notify(manager, Kind.DUE_DATE, "Piège.", "https://evil.example/")
    client.force_login(manager)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notification_list")


def test_someone_else_s_notification_is_404(client, manager, instructor):
    [note] = notifications.notify(manager, Kind.DUE_DATE, "Privé.")
    client.force_login(instructor)
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    assert "Privé." not in client.get(reverse("notification_list")).content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_and_filter(client, manager, instructor):
    notifications.notify(manager, Kind.DUE_DATE, "Un.")
    notifications.notify(manager, Kind.PAYMENT_ORDERED, "Deux.")
    notifications.notify(instructor, Kind.DUE_DATE, "Autre.")
    client.force_login(manager)
    url = reverse("notification_list")
    assert len(client.get(url, {"kind": Kind.PAYMENT_ORDERED}).context["page"]) == 1
    assert client.get(url).context["unread"] == 2
    assert client.get(reverse("notification_mark_all_read")).status_code == 405
    response = client.post(reverse("notification_mark_all_read"), follow=True)
    assert "2 notifications marquées comme lues." in response.content.decode()
    assert len(client.get(url, {"state": "non_lues"}).context["page"]) == 0
    assert instructor.notifications.unread().count() == 1


def test_the_empty_page_says_what_will_come(client, manager):
    client.force_login(manager)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Aucune notification pour le moment." in page


def test_the_backend_loads_the_user_with_the_unread_count(manager):
    from conventions.notifications.backends import NotificationCountBackend

    notifications.notify(manager, Kind.DUE_DATE, "Un.")
    notifications.notify(manager, Kind.DUE_DATE, "Deux.")
    Notification.objects.filter(message="Deux.").update(read_at=timezone.now())
    backend = NotificationCountBackend()
    assert backend.get_user(manager.pk).unread_notification_count == 1
    manager.is_active = False
    manager.save()
    assert backend.get_user(manager.pk) is None
    assert backend.get_user(999999) is None


def test_the_header_count_falls_back_to_a_query_for_a_user_loaded_otherwise(rf, manager):
    from django.contrib.auth.models import AnonymousUser

    from conventions.notifications.context_processors import notifications as header_count
    from grants.models import User

    notifications.notify(manager, Kind.DUE_DATE, "Un.")
    request = rf.get("/")
    request.user = User.objects.get(pk=manager.pk)  # no annotation
    assert header_count(request) == {"unread_notification_count": 1}
    request.user = AnonymousUser()
    assert header_count(request) == {}
