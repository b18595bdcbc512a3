"""Demo data of the small-grant path, for Aix-Marseille-Provence: a third association with its
own manager account (`asso-petite`), a light deliberation of the Conseil métropolitain that is
executory (transmitted and published, valid @ctes identifier for the authority's SIREN and the
session's date), a grant of 8 000 € notified by letter, committed and paid in one payment.

The association, the numbers and the dates are illustrative (the seeds do not print them).
Idempotent: running it again updates the same rows; the letter PDF is generated only once.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings

from associations.models import Association, StructureType
from deliberations.models import Deliberation
from grants.demo import DEMO_PASSWORD
from grants.finance.models import BudgetLine, Commitment, Payment
from grants.models import Grant, GrantNature, NotificationLetter, Role, User
from grants.smallgrants import services
from grants.smallgrants.models import LetterKind

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)

NUMBER = "2023-CM-0417"
SESSION_DATE = datetime.date(2023, 6, 29)
AMOUNT = Decimal("8000.00")


def _at(month, day, hour=10):
    return datetime.datetime(2023, month, day, hour, 0, tzinfo=PARIS)


def load_small_grants(out, context):
    authority = (context.get("authorities") or {}).get("amp")
    line = (context.get("budget_lines") or {}).get("amp")
    staff = {u.username: u for u in User.objects.filter(username__in=["instructeur", "financier"])}
    if authority is None or line is None or len(staff) < 2:
        out.write("  Petite subvention : non chargée (collectivité, ligne ou comptes absents).")
        return {}
    association, _ = Association.objects.update_or_create(
        authority=authority,
        name="Les Jardins partagés du Panier",
        defaults={
            "acronym": "JPP",
            "structure_type": StructureType.objects.get_or_create(name="Autre")[0],
            "representative_civility": "Mme",
            "representative_name": "Nadia BENSALEM",
            "representative_title": "Présidente",
            "address": "12, rue du Refuge",
            "postal_code": "13002",
            "city": "Marseille",
            "purpose": "Créer et animer des jardins partagés et des ateliers de compostage dans "
            "le quartier du Panier.",
        },
    )
    manager, _ = User.objects.update_or_create(
        username="asso-petite",
        defaults={
            "role": Role.MANAGER,
            "authority": None,
            "email": "asso-petite@example.org",
            "first_name": "Gestionnaire des Jardins partagés du Panier",
        },
    )
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    manager.managed_associations.set([association])
    out.write(
        f"  {'asso-petite':<16} mot de passe : {DEMO_PASSWORD:<6} "
        "Gestionnaire des Jardins partagés du Panier (petite subvention)"
    )

    deliberation, _ = Deliberation.objects.update_or_create(
        authority=authority,
        number=NUMBER,
        defaults={
            "kind": Deliberation.Kind.LIGHT,
            "session": None,
            "body_name": "Conseil métropolitain",
            "session_date": SESSION_DATE,
            "title": "Attribution de subventions de fonctionnement aux associations de "
            "quartier — 2023",
            "thematic": "Politique de la ville",
            "votes_for": 182,
            "votes_against": 3,
            "abstentions": 7,
            "not_participating": 0,
            "vote_recorded_by": staff["instructeur"],
            "vote_recorded_at": _at(7, 3, 9),
            "prefecture_received_on": datetime.date(2023, 7, 3),
            "transmission_platform": "FAST - Docapost",
            "actes_identifier": f"013-{authority.siren}-{SESSION_DATE:%Y%m%d}-CM20230417-DE",
            "published_on": datetime.date(2023, 7, 4),
            "transmission_recorded_by": staff["instructeur"],
            "transmission_recorded_at": _at(7, 4, 14),
        },
    )
    grant, _ = Grant.objects.update_or_create(
        deliberation=deliberation,
        association=association,
        year=2023,
        defaults={
            "authority": authority,
            "amount": AMOUNT,
            "nature": GrantNature.PROJECT,
            "object": "Aménagement d'un jardin partagé et ateliers de compostage en 2023",
            "budget_imputation": line.imputation,
            "specific_expense": True,
        },
    )
    letter = NotificationLetter.objects.filter(grant=grant).first()
    if letter is None or not letter.pdf_file:
        services.letter_generate(
            grant=grant,
            user=staff["instructeur"],
            kind=LetterKind.NOTIFICATION,
            date=datetime.date(2023, 7, 10),
        )
    commitment, _ = Commitment.objects.update_or_create(
        grant=grant,
        defaults={
            "budget_line": BudgetLine.objects.get(pk=line.pk),
            "number": "2023-EJ-002216",
            "date": datetime.date(2023, 7, 12),
            "amount": grant.amount,
        },
    )
    Payment.objects.update_or_create(
        grant=grant,
        kind=Payment.Kind.SINGLE,
        defaults={
            "convention": None,
            "amount": AMOUNT,
            "amount_due": AMOUNT,
            "status": Payment.Status.PAID,
            "requested_at": _at(7, 17),
            "requested_by": manager,
            "signer_name": "Mme Nadia BENSALEM, Présidente",
            "certification_text": services.SINGLE_CERTIFICATION_TEXT,
            "certified_at": _at(7, 19, 15),
            "certified_by": staff["instructeur"],
            "commitment": commitment,
            "order_number": "2023-M-005307",
            "order_date": datetime.date(2023, 7, 25),
            "ordered_at": _at(7, 25, 11),
            "ordered_by": staff["financier"],
            "paid_date": datetime.date(2023, 8, 1),
            "paid_recorded_at": _at(8, 2, 9),
            "paid_recorded_by": staff["financier"],
        },
    )
    out.write(
        f"  Petite subvention : 8 000,00 € aux Jardins partagés du Panier, délibération "
        f"n° {NUMBER} (saisie simplifiée, exécutoire), notifiée par lettre et payée en un "
        "versement unique."
    )
    return {"grant_small": grant, "deliberation_small": deliberation}
