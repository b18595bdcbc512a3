"""Demo conventions: the SCS 2023 convention entered exactly as printed (so its errors show in the
consistency panel) and the Minalogic 2024 convention from the Saint-Étienne template.

Idempotent: running it again updates the same rows. Values not in the seeds, stated here as
demo values: the signature dates (SCS: 12/04/2023 by the association, 03/05/2023 by the
Métropole; Minalogic: 02/07/2024 and 09/07/2024).
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q

from conventions.models import (
    Convention,
    ConventionTemplate,
    IndicatorToReport,
    NonFinancialContribution,
    PreviousIndicator,
    ProgrammeEvent,
    TemplateSection,
)
from conventions.pdf import store_convention_pdf
from conventions.services import refresh_amount
from conventions.template_texts import AMP_SECTIONS, AMP_TEMPLATE, SEM_TEMPLATE, sem_sections
from grants.models import Grant, GrantNature

DATA = Path(__file__).resolve().parent / "demo_data"


def _text(name):
    return (DATA / name).read_text(encoding="utf-8")


def load_template(authority, fields, sections, version=1):
    template, _ = ConventionTemplate.objects.update_or_create(
        authority=authority, name=fields["name"], version=version, defaults=fields
    )
    for position, (level, number, title, body) in enumerate(sections, start=1):
        TemplateSection.objects.update_or_create(
            template=template,
            position=position,
            defaults={"level": level, "number": number, "title": title, "body": body},
        )
    template.sections.filter(position__gt=len(sections)).delete()
    return template


def _set_logo(authority, filename):
    if authority.logo:
        return
    content = (Path(settings.BASE_DIR) / "static" / "img" / filename).read_bytes()
    authority.logo.save(filename, ContentFile(content), save=True)


def _replace_rows(convention, model, rows):
    if not getattr(convention, "demo_created", True):
        return
    model.objects.filter(convention=convention).delete()
    model.objects.bulk_create(
        [model(convention=convention, position=i, **row) for i, row in enumerate(rows, 1)]
    )


TRADE_FAIRS = [
    ("MWC", "Télécom/IoT/Data", "Barcelone", "Espagne", "27/02/2023", "02/03/2023", 10, True,
     "Salon mondial sur les technologies mobiles et l'IoT"),
    ("Hannover Messe", "Industrie 4.0", "Hanovre", "Allemagne", "17/04/2023", "21/04/2023", 5,
     True, ""),
    ("SidO", "IoT/Industrie 4.0", "Lyon et Paris", "France", "Dates 2023 non connues à ce jour",
     "Dates 2023 non connues à ce jour", 20, True,
     "Salon Européen sur les technologies et solutions IoT"),
    ("IoT Solution World Congress", "IoT/Industrie 4.0", "Barcelone", "Espagne", "31/01/2023",
     "02/02/2023", 5, True, "Salon Européen sur les technologies et solutions IoT"),
    ("Cloud & Cyber Expo", "Cyber & Big Data & IA", "Paris", "France",
     "Dates 2023 non connues à ce jour", "Dates 2023 non connues à ce jour", 5, True,
     "Salon Européen sur la cybersécurité et l'IA"),
]  # fmt: skip

MISSIONS = [
    ("Mission marché mobilité électrique automobile Allemagne",
     "Big Data & IA / IoT / Cyber - Mobilité", "PACA", "France", "Q1 2023", "Q1 2023", 5, False,
     "Dans le cadre du projet européen EXCITE, et en partenariat avec le cluster allemand e-mobil "
     "BW, mission retour d'une délégation allemande en Région PACA"),
    ("Mission écosystème microélectronique en Saxe allemande", "Microélectronique", "Dresde",
     "Allemagne", "Q3 2023", "Q3 2023", 5, False,
     "Dans le cadre du projet européen EXCITE, et en partenariat avec le cluster allemand Silicon "
     "Saxony, adossée aux Silicon Saxony Days"),
    ("Mission écosystème digital au pays basque espagnol", "IA/IoT/Electronique", "Bilbao",
     "Espagne", "Q4 2023", "Q4 2023", 5, False,
     "Dans le cadre du projet européen EXCITE, et en partenariat avec le cluster basque espagnol "
     "GAIA"),
    ("Mission écosystème digital en Pologne", "IA/IoT/Electronique", "Varsovie", "Pologne",
     "Q4 2023", "Q4 2023", 5, False,
     "Dans le cadre du projet européen EXCITE, et en partenariat avec le cluster polonais Mazovia "
     "ICT"),
    ("EDIH Exchange visits", "IA/IoT/Cyber - Industrie 4.0", "Aix", "France ?", "Q4 2023 ?",
     "Q4 2023", 5, False, "Mission d'échange entre EDIH"),
]  # fmt: skip

EVENT_FIELDS = ["name", "theme", "city", "country", "start", "end", "companies", "stand", "comment"]

SCS_PREVIOUS = [
    (1, "Nombre d'adhérents", "200"),
    (1, "CA cumulé", "7M€"),
    (1, "Effectifs cumulés", "110 000"),
    (2, "Nombre de projets innovants accompagnés/labellisés", "91"),
    (2, "Nombre de projets innovants financés", "27"),
    (2, "Montant des dépenses R&D des projets financés", "81M€"),
    (2, "Montant des aides des projets financés", "23M€"),
    (3, "Nombre d'animations/événements sur le territoire (y compris le digital)", "151"),
    (3, "Nombre de PME accompagnés sur des salons", "117"),
    (3, "Nombre de PME accompagnés individuellement par SCS", "615"),
    (3, "Montant des fonds levés par les Startups/PMEs de SCS", "30M€"),
]

SCS_TO_REPORT = [
    ("Nombre d'adhérents total en 2023 sur la Métropole, dont entreprises, établissements "
     "d'enseignement supérieur et laboratoire, autres :", False),
    ("Répartition des entreprises adhérentes par effectif :", False),
    ("moins de 10 salariés", True),
    ("de 11 à 50 salariés", True),
    ("51 à 100 salariés", True),
    ("101 à 500 salariés", True),
    ("Plus de 500 salariés", True),
    ("Nombre de nouveaux adhérents sur l'année (dont métropolitains) :", False),
    ("Effectifs cumulés des entreprises adhérentes sur la Métropole :", False),
    ("Nombre de projets de R&D incluant au moins un acteur sur le territoire métropolitain, "
     "labellisés sur l'année (dont PSPC, H2020, autres préciser...) :", False),
    ("Evaluation de l'impact emploi des projets labellisés sur le territoire :", False),
]  # fmt: skip

SCS_INDICATORS_INTRO = """Afin de mieux appréhender la contribution des différents acteurs d'appui à l'innovation et au vu des spécificités d'accompagnement proposées, différents indicateurs d'observation et de suivi ont été établis pour chaque type d'acteur.

Ces indicateurs ont vocation à être annexés à la convention d'objectif encadrant l'attribution de la subvention de la Métropole. Ils devront être renseignés annuellement par chaque structure et joints à la demande de solde, en complément du rapport d'activité

*Dans le cadre de sa politique en faveur de l'égalité Femmes/Hommes, la Métropole demande aux bénéficiaires de subventions de s'attacher à gendériser les données communiquées.*"""  # noqa: E501


def _convention(authority, association, template, year, grant, defaults):
    convention = (
        Convention.objects.filter(authority=authority, association=association, year=year)
        .filter(Q(template__name=template.name))
        .first()
    )
    fields = {"template": template, "template_version": template.version, **defaults}
    if convention is not None:
        # Already there: left as the users changed it (load_demo runs again safely).
        convention.demo_created = False
        return convention
    convention = Convention.objects.create(
        authority=authority, association=association, year=year, **fields
    )
    convention.grants.set([grant])
    convention.demo_created = True
    return convention


def load_scs(out, context, template):
    scs = context["scs"]
    amp = scs.authority
    grant = Grant.objects.filter(authority=amp, association=scs, year=2023).first()
    if grant is None:
        grant = Grant.objects.create(
            authority=amp,
            association=scs,
            year=2023,
            amount=Decimal("66000.00"),
            nature=GrantNature.OPERATING,
            object="Subvention de fonctionnement global 2023 du Pôle SCS",
        )
    convention = _convention(
        amp,
        scs,
        template,
        2023,
        grant,
        {
            "forecast_budget": context.get("budget_scs_2023"),
            "advance_percentage": Decimal("80.00"),
            "status": Convention.Status.SIGNED_AUTHORITY,
            "objectives": _text("scs-2023-objectifs.md"),
            "action_categories": _text("scs-2023-actions.md"),
            "typed_amount": "66.000 €",
            "typed_eligible_cost": "1.163.53€",
            "typed_share_percentage": Decimal("5.7"),
            "typed_share_label": "hors contributions volontaires",
            "association_signatory_name": "Fabien AILLI",
            "association_signed_at": datetime.date(2023, 4, 12),
            "association_signer_name": "Fabien AILLI",
            "authority_signed_at": datetime.date(2023, 5, 3),
            "authority_signer_name": "Martine VASSAL",
            "programme_text": _text("scs-2023-annexe-3.md"),
            "previous_indicators_title": (
                "PRINCIPAUX INDICATEURS PHASE 4 : 2019-2022 SUR LE TERRITOIRE AMPM"
            ),
            "previous_indicators_note": "Pour rappel",
            "indicators_title": (
                "DETERMINATION DES INDICATEURS D'OBSERVATION DE L'IMPACT DES\n"
                "STRUCTURES D'APPUI A L'ECOSYSTEME D'INNOVATION POUR L'ANNEE\n"
                "2023 ET LA PHASE V"
            ),
            "indicators_intro": SCS_INDICATORS_INTRO,
        },
    )
    _replace_rows(
        convention,
        NonFinancialContribution,
        [{"description": "Valorisation du bénévolat", "valuation": Decimal("190000.00")}],
    )
    events = [
        {"kind": ProgrammeEvent.Kind.TRADE_FAIR, **dict(zip(EVENT_FIELDS, row, strict=True))}
        for row in TRADE_FAIRS
    ] + [
        {"kind": ProgrammeEvent.Kind.MISSION, **dict(zip(EVENT_FIELDS, row, strict=True))}
        for row in MISSIONS
    ]
    _replace_rows(convention, ProgrammeEvent, events)
    _replace_rows(
        convention,
        PreviousIndicator,
        [{"group": g, "label": label, "value": value} for g, label, value in SCS_PREVIOUS],
    )
    _replace_rows(
        convention,
        IndicatorToReport,
        [{"label": label, "is_detail": detail} for label, detail in SCS_TO_REPORT],
    )
    return convention


MINALOGIC_OBJECTIVES = """- Animer le réseau d'innovation : animation de l'écosystème d'innovation autour des thématiques phares du pôle, fédérer les leaders technologiques, accélérer le développement à l'international des membres du pôle ;
- Accompagner les projets d'innovation : accompagnement au financement de l'innovation, soutien au scale up des deeptech industrielles, participation à la ré industrialisation du territoire grâce à la deeptech ;
- Valoriser l'expertise technologique de l'écosystème : valorisation des technologies des adhérents du pôle auprès des décideurs, création et animation de communautés stratégiques, travail sur les besoins de formation et l'évolution des métiers au sein des entreprises adhérentes."""  # noqa: E501

MINALOGIC_ACTIONS = """Le programme 2024 du pôle Minalogic, en lien avec la phase V des pôles de compétitivité, s'articule autour des actions suivantes (cf Annexe III : Programme d'actions 2024) :

- animer le territoire à travers une dynamique événementielle ;
- des actions dédiées à la thématique photonique (animation, accompagnement, valorisation) ;
- des actions sur l'axe stratégique décarbonation ;
- des actions sur l'axe stratégique Transformation Digitale et Cybersécurité ;
- le think tank des risques de l'Intelligence Artificielle générative au regard des hypertrucages (Deep Fakes)."""  # noqa: E501

MINALOGIC_PROGRAMME = """#### Animer le territoire à travers une dynamique événementielle

- Déroulement sur le territoire des Minalogic Business Meetings, avec des visites d'entreprises de l'écosystème ligérien ;
- Roadshow Minalogic à Saint-Étienne : une soirée dédiée à la présentation de l'offre de services de Minalogic avec mise en avant d'un adhérent du territoire : Qiova ;
- Animation à travers des petits déjeuners thématiques : IA, Design et photonique ;
- Réalisation et diffusion d'information aux acteurs du territoire via des webinaires sur l'intelligence artificielle, les appels à projets et plus largement les financements.

Le pôle embarquera également des acteurs du territoire sur des événements phares hors territoire, notamment le PME TOUR DGA pour l'industrie de la défense et le Newspace, une journée thématique dédiée au sujet Industries culturelles et créatives.

#### Actions dédiées à la thématique photonique

- Animation de la communauté optique photonique (18 acteurs) en lien avec la feuille de route de Photonics France : formation, recrutement, photonique pour les filières du territoire (santé, industrie et design) ;
- Poursuite des petits déjeuners au sein du BHT ; collaboration avec les acteurs du territoire sur la construction d'un évènement pour 2025 ;
- Mise en place d'un comité d'experts « photonique » pour renforcer l'accompagnement à la labellisation des projets d'innovation ; appui à la structuration de projets collaboratifs européens ;
- Valorisation à travers la présence sur des salons internationaux :

[[salons]]

#### Actions sur l'axe stratégique décarbonation

Mise en place d'un label « Eco Minalogic Cimes Innovation » avec le pôle CIMES ; utilisation de la plateforme Eclaira sur l'économie circulaire comme plateforme d'intermédiation.

#### Actions sur l'axe stratégique Transformation Digitale et Cybersécurité

Déploiement sur le territoire du programme MinaSmart, en lien avec la plateforme d'accélération Industrie du Futur Quatrium Auvergne Rhône Alpes.

#### Think tank des risques de l'Intelligence Artificielle générative

Présentation aux élus régionaux, diffusion d'un livre blanc et événements de sensibilisation sur les territoires dont Saint-Étienne."""  # noqa: E501

MINALOGIC_PREVIOUS = [
    (1, "Adhérents sur le territoire de Saint-Étienne Métropole", "37"),
    (1, "dont adhérents industriels", "26"),
    (1, "dont adhérents académiques", "8"),
    (1, "dont organismes de développement économique", "3"),
    (2, "Entreprises du territoire soutenues dans le cadre du dispositif Easytech", "13"),
    (2, "Entreprises du territoire soutenues dans le cadre d'appels à projets (État, Région)", "5"),
    (2, "Événements sur le territoire", "3"),
    (3, "Rendez-vous individuels avec des adhérents du pôle (photonique)", "39"),
    (3, "Membres de la communauté optique photonique", "16"),
]

MINALOGIC_TO_REPORT = [
    ("Nombre d'adhérents sur le territoire de Saint-Étienne Métropole, dont industriels, "
     "académiques et organismes de développement économique :", False),
    ("Nombre d'entreprises du territoire accompagnées (dont dispositif Easytech) :", False),
    ("Nombre de projets d'innovation labellisés incluant un acteur du territoire :", False),
    ("Nombre d'événements organisés sur le territoire et nombre de participants :", False),
    ("Actions de la communauté optique photonique :", False),
    ("nombre de membres", True),
    ("nombre d'événements", True),
]  # fmt: skip


def load_minalogic(out, context, template):
    minalogic = context["minalogic"]
    sem = minalogic.authority
    grant = context.get("grant_minalogic")
    if grant is None:
        grant = Grant.objects.filter(authority=sem, association=minalogic, year=2024).first()
    if grant is None:
        grant = Grant.objects.create(
            authority=sem,
            association=minalogic,
            year=2024,
            amount=Decimal("62500.00"),
            nature=GrantNature.OPERATING,
            object="Animation de l'écosystème d'innovation pour l'année 2024 par le pôle Minalogic",
            budget_imputation="INUM/SUFLI/65748",
        )
    convention = _convention(
        sem,
        minalogic,
        template,
        2024,
        grant,
        {
            "deliberation": context.get("deliberation_minalogic") or grant.deliberation,
            "advance_percentage": sem.default_advance_percentage,
            "status": Convention.Status.SIGNED_AUTHORITY,
            "objectives": MINALOGIC_OBJECTIVES,
            "action_categories": MINALOGIC_ACTIONS,
            "association_signed_at": datetime.date(2024, 7, 2),
            "authority_signed_at": datetime.date(2024, 7, 9),
            "authority_signer_name": sem.president_name,
            "programme_text": MINALOGIC_PROGRAMME,
            "previous_indicators_title": (
                "CHIFFRES CLÉS 2023 DU PÔLE SUR LE TERRITOIRE DE SAINT-ÉTIENNE MÉTROPOLE"
            ),
            "indicators_title": "INDICATEURS À RENSEIGNER POUR L'ANNÉE 2024",
            "indicators_intro": (
                "Ces indicateurs devront être renseignés par le pôle et joints à la demande de "
                "solde, en complément du rapport d'activité."
            ),
        },
    )
    _replace_rows(
        convention,
        ProgrammeEvent,
        [
            {
                "kind": ProgrammeEvent.Kind.TRADE_FAIR,
                "name": "SPIE Photonics West",
                "theme": "Optique-photonique",
                "city": "San Francisco",
                "country": "États-Unis",
                "start": "Dates 2024 à confirmer",
                "end": "Dates 2024 à confirmer",
                "stand": True,
                "comment": "Rendez-vous d'affaires, liens avec des pôles et clusters français et "
                "internationaux et des structures du territoire métropolitain",
            }
        ],
    )
    _replace_rows(
        convention,
        PreviousIndicator,
        [{"group": g, "label": label, "value": value} for g, label, value in MINALOGIC_PREVIOUS],
    )
    _replace_rows(
        convention,
        IndicatorToReport,
        [{"label": label, "is_detail": detail} for label, detail in MINALOGIC_TO_REPORT],
    )
    if convention.demo_created:
        NonFinancialContribution.objects.filter(convention=convention).delete()
    return convention


def load_conventions(out, context):

    authorities = context.get("authorities") or {}
    if "amp" not in authorities or "scs" not in context:
        return {}
    amp, sem = authorities["amp"], authorities.get("sem")
    _set_logo(amp, "logo-amp.svg")
    amp_template = load_template(amp, AMP_TEMPLATE, AMP_SECTIONS)
    result = {"convention_scs": load_scs(out, context, amp_template)}
    if sem is not None and "minalogic" in context:
        _set_logo(sem, "logo-sem.svg")
        sem_template = load_template(sem, SEM_TEMPLATE, sem_sections())
        result["convention_minalogic"] = load_minalogic(out, context, sem_template)
    for convention in result.values():
        refresh_amount(convention)
        if not convention.pdf_file:
            store_convention_pdf(convention, None)
    out.write(
        "  Conventions : SCS 2023"
        + (" et Minalogic 2024" if "convention_minalogic" in result else "")
        + " (signées par les deux parties)."
    )
    return result
