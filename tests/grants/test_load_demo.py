import pytest
from django.core.management import CommandError, call_command

from associations.models import Association
from grants.models import Authority, Role, User

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_to_run_in_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusé hors développement"):
        call_command("load_demo")


def test_load_demo_creates_both_authorities_associations_and_one_account_per_role(capsys):
    call_command("load_demo", force=True)
    out = capsys.readouterr().out
    amp = Authority.objects.get(siren="200054807")
    sem = Authority.objects.get(siren="244200770")
    assert amp.name == "Métropole Aix-Marseille-Provence"
    assert amp.court_address == "31 rue Jean-François Leca 13235 MARSEILLE Cedex 02"
    assert "FBPA 029-8299/20/CM" in amp.budget_rules_reference
    assert sem.name == "Saint-Étienne Métropole" and sem.department_code == "042"

    scs = Association.objects.get(acronym="SCS")
    assert (scs.authority, scs.city, scs.representative) == (amp, "Rousset", "M. Fabien ALLI")
    minalogic = Association.objects.get(name="Minalogic")
    assert minalogic.authority == sem

    expected = {
        "admin": (Role.ADMIN, None),
        "instructeur": (Role.INSTRUCTOR, amp),
        "instructeur-sem": (Role.INSTRUCTOR, sem),
        "financier": (Role.FINANCE, amp),
        "financier-sem": (Role.FINANCE, sem),
        "asso-scs": (Role.MANAGER, None),
        "asso-minalogic": (Role.MANAGER, None),
        "consultation": (Role.VIEWER, amp),
    }
    for username, (role, authority) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.authority) == (role, authority)
        assert user.check_password("demo")
        assert f"{username} " in out
    assert list(User.objects.get(username="asso-scs").managed_associations.all()) == [scs]


def test_load_demo_is_idempotent():
    call_command("load_demo", force=True)
    counts = (Authority.objects.count(), Association.objects.count(), User.objects.count())
    call_command("load_demo", force=True)
    assert (Authority.objects.count(), Association.objects.count(), User.objects.count()) == counts


def test_the_demo_holds_a_small_grant_notified_and_paid_once(capsys):
    from deliberations import checks
    from grants.models import BudgetLine, NotificationLetter, Payment

    call_command("load_demo", force=True)
    call_command("load_demo", force=True)  # idempotent
    manager = User.objects.get(username="asso-petite")
    assert manager.check_password("demo") and manager.role == Role.MANAGER
    association = manager.managed_associations.get()
    assert association.authority.siren == "200054807"
    grant = association.grants.get()
    assert grant.amount == 8000 and not grant.convention_required
    deliberation = grant.deliberation
    assert deliberation.is_light and deliberation.is_executory
    found = checks.deliberation_checks(deliberation)
    assert [c for c in found if c.level in {"warning", "error"}] == []
    letter = NotificationLetter.objects.get(grant=grant)
    assert letter.pdf_file and len(letter.pdf_sha256) == 64
    payment = Payment.objects.get(grant=grant)
    assert payment.kind == "unique" and payment.status == "paye" and payment.amount == 8000
    assert payment.convention_id is None and payment.commitment.grant == grant
    line = BudgetLine.objects.with_consumption().get(pk=payment.commitment.budget_line_id)
    assert line.paid == 52800 + 8000


def test_load_demo_runs_again_after_the_demo_data_was_edited():
    """A renamed association and a renumbered deliberation are kept, not duplicated, and the
    second run does not stop on the @ctes identifier's uniqueness."""
    from conventions.models import Convention
    from deliberations.models import Deliberation

    call_command("load_demo", force=True)
    scs = Association.objects.get(acronym="SCS")
    scs.name, scs.acronym = "Pôle SCS (renommé)", "SCS-R"
    scs.save()
    minalogic = Association.objects.get(name="Minalogic")
    minalogic.name = "Minalogic Auvergne-Rhône-Alpes"
    minalogic.save()
    deliberation = Deliberation.objects.get(number="2024.00344")
    deliberation.number = "2024.00344-bis"
    deliberation.save()
    convention = Convention.objects.get(association=scs)
    convention.objectives = "- Objectif modifié par l'instructeur"
    convention.save()
    counts = (Association.objects.count(), Deliberation.objects.count(), Convention.objects.count())

    call_command("load_demo", force=True)

    assert (
        Association.objects.count(),
        Deliberation.objects.count(),
        Convention.objects.count(),
    ) == counts
    assert Association.objects.get(pk=scs.pk).name == "Pôle SCS (renommé)"
    assert Association.objects.get(pk=minalogic.pk).name == "Minalogic Auvergne-Rhône-Alpes"
    assert Deliberation.objects.get(pk=deliberation.pk).number == "2024.00344-bis"
    assert Convention.objects.get(pk=convention.pk).objectives == (
        "- Objectif modifié par l'instructeur"
    )
