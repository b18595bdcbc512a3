"""Demo data of subsidy requests, for Aix-Marseille-Provence: the aid scheme « Fonctionnement
des associations de quartier » and its campaign open today, with three requests in different
states:
- Les Jardins partagés du Panier (`asso-petite`): deposited, sent back « à compléter » (its
  budget forgets the Métropole's own subsidy line);
- the Pôle SCS (`asso-scs`): instructed, favourable opinion, 45 000 € proposed;
- the Pôle SCS again, for a project outside the scheme: refused, with the reason.

The texts and amounts are illustrative. Idempotent: the same rows are found again by their
title; events are written once.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from associations.budgets.models import AssociationBudget
from associations.budgets.services import LineData, budget_create, budget_lines_replace
from associations.documents.models import AssociationDocument, PieceKind
from associations.models import Association
from conventions.files import sha256_of
from conventions.justificatifs.demo import _pdf
from grants.models import User
from grants.requests import services
from grants.requests.filing import request_pieces, request_snapshot
from grants.requests.models import AidScheme, Campaign, RequestEvent, SubsidyRequest
from grants.requests.rules import Status

SCHEME = "Fonctionnement des associations de quartier"
PIECES = [PieceKind.STATUTES, PieceKind.BOARD, PieceKind.RIB]


def _budget(association, year, user, rows):
    budget = AssociationBudget.objects.filter(
        association=association, year=year, kind=AssociationBudget.Kind.FORECAST
    ).first()
    if budget is None:
        budget = budget_create(
            association=association, year=year, kind=AssociationBudget.Kind.FORECAST, user=user
        )
        budget_lines_replace(
            budget,
            [
                LineData(a, label, Decimal(amount), authority_id=auth)
                for a, label, amount, auth in rows
            ],
            user=user,
        )
    return budget


def _document(association, kind, user, year=None):
    current = association.documents.filter(kind=kind, replaced_at__isnull=True).first()
    if current is not None:
        return current
    data = ContentFile(_pdf(association, PieceKind(kind).label, ["Document de démonstration."]))
    document = AssociationDocument(
        association=association,
        kind=kind,
        year=year,
        original_name=f"{kind}.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=data.size,
        sha256=sha256_of(data),
        uploaded_at=timezone.now(),
        uploaded_by=user,
    )
    document.file.save("demo", data, save=False)
    document.save()
    return document


def _request(campaign, association, manager, title, **fields):
    subsidy_request = SubsidyRequest.objects.filter(
        campaign=campaign, association=association, title=title
    ).first()
    if subsidy_request is None:
        subsidy_request = SubsidyRequest.objects.create(
            campaign=campaign,
            association=association,
            created_by=manager,
            title=title,
            representative_name=association.representative_name,
            representative_title=association.representative_title,
            contact_name=manager.get_full_name(),
            contact_email=manager.email,
            signatory_name=association.representative_name,
            signatory_title=association.representative_title,
            reference=services.next_reference(campaign),
            **fields,
        )
    return subsidy_request


def _deposit(subsidy_request, manager, when):
    """Deposited once, as the filing would (version 1 and the same snapshot), without its
    checks: the demo's Jardins partagés keep their unbalanced budget for staff to send back."""
    if subsidy_request.status != Status.DRAFT:
        return False
    SubsidyRequest.objects.filter(pk=subsidy_request.pk).update(
        status=Status.SUBMITTED,
        created_at=when - datetime.timedelta(days=3),
        version=1,
        submitted_at=when,
        cer_subscribed_by=manager,
        cer_subscribed_at=when,
        attest_accurate=True,
        attest_obligations=True,
        attest_de_minimis=True,
    )
    subsidy_request.refresh_from_db()
    subsidy_request.versions.create(
        number=1,
        submitted_at=when,
        submitted_by=manager,
        data=request_snapshot(subsidy_request, request_pieces(subsidy_request)),
    )
    RequestEvent.objects.create(
        request=subsidy_request,
        kind=RequestEvent.Kind.STATUS,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        author=manager,
        created_at=when,
    )
    return True


def load_requests(out, context):
    authority = (context.get("authorities") or {}).get("amp")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["instructeur", "asso-scs", "asso-petite"])
    }
    scs = context.get("scs")
    small = Association.objects.filter(
        authority=authority, managers__username="asso-petite"
    ).first()
    if authority is None or scs is None or small is None or len(users) < 3:
        out.write("  Demandes : non chargées (collectivité, associations ou comptes absents).")
        return {}
    instructor = users["instructeur"]
    scheme, _ = AidScheme.objects.update_or_create(
        authority=authority,
        name=SCHEME,
        defaults={
            "description": "Soutien au fonctionnement général des associations qui animent la "
            "vie des quartiers de la Métropole : jardins, culture, sport, solidarité.",
            "required_pieces": [str(kind) for kind in PIECES],
            "budget_imputation": "65748",
            "convention_template": authority.convention_templates.filter(is_active=True).first(),
        },
    )
    scheme.staff.set([instructor])
    today = timezone.localdate()
    year = today.year + 1
    campaign, _ = Campaign.objects.update_or_create(
        scheme=scheme,
        year=year,
        defaults={
            "title": f"Associations de quartier — subventions {year}",
            "opens_on": today - datetime.timedelta(days=30),
            "closes_on": today + datetime.timedelta(days=60),
            "envelope": Decimal("250000.00"),
            "instructions": "Déposez votre demande avant la date de clôture ; les pièces de "
            "« Mes documents » encore valables sont reprises d'une demande à l'autre.",
        },
    )
    for association, manager in ((small, users["asso-petite"]), (scs, users["asso-scs"])):
        for kind in PIECES:
            _document(association, kind, manager)

    # 1. Les Jardins partagés du Panier: à compléter.
    petite = users["asso-petite"]
    _budget(small, year, petite, [
        ("60", "Achats", "6000", None), ("61", "Services extérieurs", "4000", None),
        ("74", "Subventions d'exploitation", "0", None), ("75", "Autres produits", "7000", None),
    ])  # fmt: skip
    jardins = _request(
        campaign,
        small,
        petite,
        "Animation des jardins partagés du Panier",
        amount_requested=Decimal("9500.00"),
        objectives="Ouvrir les jardins aux habitants du quartier trois jours par semaine.",
        description="Ateliers de jardinage et de compostage, accueil des écoles du quartier.",
        target_public="Habitants du Panier, écoles élémentaires.",
        location="Marseille 2e",
        yearly_budget=AssociationBudget.objects.get(
            association=small, year=year, kind=AssociationBudget.Kind.FORECAST
        ),
        last_step="resume",
    )
    if _deposit(jardins, petite, timezone.now() - datetime.timedelta(days=12)):
        services.request_move(jardins, Status.IN_REVIEW, user=instructor, actor="staff")
        services.request_move(
            jardins,
            Status.TO_COMPLETE,
            user=instructor,
            actor="staff",
            text="Le budget prévisionnel ne fait pas apparaître la subvention demandée à la "
            "Métropole (compte 74) : ajoutez-la pour que charges et produits s'équilibrent.",
        )

    # 2. Pôle SCS: instructed, 45 000 € proposed (a convention will be needed).
    manager = users["asso-scs"]
    scs_request = _request(
        campaign,
        scs,
        manager,
        "Fonctionnement général du Pôle SCS",
        amount_requested=Decimal("60000.00"),
        objectives="Animer l'écosystème des solutions communicantes sécurisées du territoire.",
        description="Programme annuel d'animation, d'accompagnement des PME et de projets "
        "collaboratifs.",
        target_public="PME, laboratoires et grands groupes de la filière.",
        location="Aix-Marseille-Provence",
    )
    if _deposit(scs_request, manager, timezone.now() - datetime.timedelta(days=20)):
        services.request_move(scs_request, Status.IN_REVIEW, user=instructor, actor="staff",
                              assigned_to=instructor)  # fmt: skip
        services.request_move(
            scs_request,
            Status.INSTRUCTED,
            user=instructor,
            actor="staff",
            opinion=SubsidyRequest.Opinion.PARTIAL,
            opinion_text="Programme conforme aux objectifs de la Métropole ; montant ramené au "
            "niveau de l'an passé compte tenu de l'enveloppe.",
            proposed_amount=Decimal("45000.00"),
        )

    # 3. Pôle SCS, a project outside the scheme: refused.
    refused = _request(
        campaign,
        scs,
        manager,
        "Salon international des technologies sécurisées",
        amount_requested=Decimal("30000.00"),
        description="Organisation d'un salon professionnel à Marseille.",
    )
    if _deposit(refused, manager, timezone.now() - datetime.timedelta(days=18)):
        services.request_move(
            refused,
            Status.REFUSED,
            user=instructor,
            actor="staff",
            text="Un salon professionnel n'entre pas dans le dispositif de fonctionnement des "
            "associations de quartier ; il relève du dispositif « Événements économiques ».",
        )
    out.write(
        f"  Demandes : campagne « {campaign} » ouverte jusqu'au {campaign.closes_on:%d/%m/%Y}, "
        "3 demandes (à compléter, instruite, refusée)."
    )
    return {"campaign": campaign}
