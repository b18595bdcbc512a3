"""The demo loader: SCS 2023's justificatifs in a realistic state, real PDF files, the
notifications that went with them; idempotent; skipped without the convention."""

from io import StringIO

import pytest
from pypdf import PdfReader

from conventions.justificatifs.demo import REJECTION, load_justificatifs
from conventions.models import Justificatif, Notification, ReminderSent
from conventions.notifications.reminders import send_reminders
from grants.models import Role
from tests.conventions.justificatifs.factories import signed_convention
from tests.factories import ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_loader_builds_the_scs_state_once():
    convention = signed_convention(number="2023-AMP-SCS")
    manager = ManagerFactory(username="asso-scs", associations=[convention.association])
    instructor = UserFactory(
        username="instructeur", role=Role.INSTRUCTOR, authority=convention.authority
    )
    context = {"convention_scs": convention}
    out = StringIO()
    load_justificatifs(out, context)
    load_justificatifs(out, context)

    pieces = {j.kind: j for j in Justificatif.objects.all()}
    assert Justificatif.objects.count() == 3
    assert pieces["comptes_annuels"].status == "accepte"
    assert pieces["rapport_activite"].status == "refuse"
    assert pieces["rapport_activite"].rejection_reason == REJECTION
    assert pieces["pv_ag"].status == "depose"
    assert all(j.is_current and j.due_date.isoformat() == "2024-06-30" for j in pieces.values())
    with pieces["comptes_annuels"].file.open("rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert "Comptes annuels de l'exercice 2023" in text
    assert convention.association.name in text

    assert manager.notifications.unread().count() == 3
    assert instructor.notifications.unread().count() == 2  # the minutes to review, overdue
    assert Notification.objects.count() == 11
    assert set(ReminderSent.objects.values_list("stage", flat=True)) == {"j30", "j7", "retard"}
    assert "comptes annuels acceptés, rapport d'activité refusé" in out.getvalue()
    assert send_reminders(convention.justificatifs_due_date).total_sent == 0


def test_the_loader_skips_without_the_convention():
    out = StringIO()
    assert load_justificatifs(out, {}) == {}
    assert "rien chargé" in out.getvalue()
