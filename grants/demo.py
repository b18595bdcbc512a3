"""Demo data drawn from the two seeds: the authorities, the associations and one account per role.

Every loader is idempotent: running it again updates the same rows.
"""

import datetime
import zoneinfo

from django.conf import settings

from associations.models import Association, StructureType, ThematicDomain
from grants.models import Authority, Role, User

DEMO_PASSWORD = "demo"

AUTHORITIES = {
    "amp": {
        "siren": "200054807",
        # The NIC of the seat is illustrative (Luhn-valid): the SCDL export needs a SIRET.
        "siret": "20005480700017",
        "name": "Métropole Aix-Marseille-Provence",
        "short_name": "la Métropole",
        "legal_form": "Établissement public de coopération intercommunale (E.P.C.I.)",
        "department_code": "013",
        "address": "58, boulevard Charles Livon",
        "postal_code": "13007",
        "city": "Marseille",
        "president_name": "Martine VASSAL",
        "president_title": "La Présidente",
        "court_name": "Tribunal Administratif de Marseille",
        "court_address": "31 rue Jean-François Leca 13235 MARSEILLE Cedex 02",
        "budget_rules_reference": "délibération n° FBPA 029-8299/20/CM en date du 31 juillet 2020",
    },
    "sem": {
        "siren": "244200770",
        "siret": "24420077000018",
        "name": "Saint-Étienne Métropole",
        "short_name": "Saint-Étienne Métropole",
        "legal_form": "Métropole (E.P.C.I.)",
        "department_code": "042",
        "address": "2, avenue Grüner, CS 80257",
        "postal_code": "42006",
        "city": "Saint-Étienne Cedex 1",
        "president_name": "Gaël PERDRIAU",
        "president_title": "Le Président",
        "court_name": "Tribunal Administratif de Lyon",
        "court_address": "184 rue Duguesclin 69433 LYON Cedex 03",
    },
}


def _demo_association(authority, manager_username, *, name, defaults):
    """The demo association, found by what stays stable when someone edits the demo (its name,
    its acronym, the demo manager's link to it); created only when none is found, and otherwise
    left as the user changed it (load_demo must run again without undoing their edits)."""
    candidates = Association.objects.filter(authority=authority)
    found = candidates.filter(name=name).first()
    if found is None and defaults.get("acronym"):
        found = candidates.filter(acronym=defaults["acronym"]).first()
    if found is None:
        found = candidates.filter(managers__username=manager_username).first()
    if found is not None:
        return found
    return Association.objects.create(authority=authority, name=name, **defaults)


def load_foundation(out, context):
    authorities = {
        key: Authority.objects.update_or_create(siren=data["siren"], defaults=data)[0]
        for key, data in AUTHORITIES.items()
    }
    cluster, _ = StructureType.objects.get_or_create(name="Pôle de compétitivité")
    for name in ["Incubateur", "Technopole", "Agence de développement", "Autre"]:
        StructureType.objects.get_or_create(name=name)
    domains = {
        name: ThematicDomain.objects.get_or_create(name=name)[0]
        for name in [
            "Innovation",
            "Numérique",
            "Microélectronique",
            "Cybersécurité",
            "Optique-photonique",
            "Industrie",
        ]
    }

    scs = _demo_association(
        authorities["amp"],
        "asso-scs",
        name="Pôle Solutions Communicantes Sécurisées",
        defaults={
            "acronym": "SCS",
            # Illustrative identifiers (Luhn-valid, not copied from the seeds, which print none).
            "siren": "494233885",
            "siret": "49423388500016",
            "structure_type": cluster,
            "representative_civility": "M.",
            "representative_name": "Fabien ALLI",
            "representative_title": "Président",
            "address": "Place Paul Borde",
            "postal_code": "13790",
            "city": "Rousset",
            "purpose": (
                "Promouvoir aux niveaux français, européen et international les Solutions "
                "Communicantes Sécurisées des membres de l'association et leur action commune "
                "en tant que Pôle ; faciliter la dynamique entre industriels, organismes de "
                "recherche et d'enseignement supérieur et collectivités ; accompagner et "
                "labelliser les projets menés sous l'égide de l'association ; développer des "
                "outils et des services pour la croissance de ses membres, notamment les "
                "TPE/PME/ETI ; animer et coordonner les actions des membres."
            ),
        },
    )
    if not scs.domains.exists():
        scs.domains.set(
            [domains[n] for n in ["Microélectronique", "Cybersécurité", "Numérique", "Innovation"]]
        )

    minalogic = _demo_association(
        authorities["sem"],
        "asso-minalogic",
        name="Minalogic",
        defaults={
            "acronym": "",
            "siren": "484567516",
            "siret": "48456751600014",
            "structure_type": cluster,
            "purpose": (
                "Pôle de compétitivité créé en 2005, qui compte 500 membres : animer le réseau "
                "d'innovation, accompagner les projets d'innovation et valoriser l'expertise "
                "technologique de l'écosystème, autour de trois domaines d'activité "
                "stratégiques : micro/nano/électronique, optique-photonique et logiciel."
            ),
        },
    )
    if not minalogic.domains.exists():
        minalogic.domains.set(
            [domains[n] for n in ["Optique-photonique", "Numérique", "Industrie", "Innovation"]]
        )

    accounts = [
        ("admin", Role.ADMIN, None, [], "Administrateur de la plateforme"),
        ("admin-amp", Role.ADMIN, "amp", [], "Administrateur, Aix-Marseille-Provence"),
        ("instructeur", Role.INSTRUCTOR, "amp", [], "Agent instructeur, Aix-Marseille-Provence"),
        (
            "instructeur-sem",
            Role.INSTRUCTOR,
            "sem",
            [],
            "Agent instructeur, Saint-Étienne Métropole",
        ),
        ("financier", Role.FINANCE, "amp", [], "Agent financier, Aix-Marseille-Provence"),
        ("financier-sem", Role.FINANCE, "sem", [], "Agent financier, Saint-Étienne Métropole"),
        ("asso-scs", Role.MANAGER, None, [scs], "Gestionnaire du Pôle SCS"),
        ("asso-minalogic", Role.MANAGER, None, [minalogic], "Gestionnaire de Minalogic"),
        ("consultation", Role.VIEWER, "amp", [], "Consultation, Aix-Marseille-Provence"),
    ]
    for username, role, authority_key, associations, description in accounts:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "authority": authorities[authority_key] if authority_key else None,
                "email": f"{username}@example.org",
                "first_name": description.split(",")[0],
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.managed_associations.set(associations)
        out.write(f"  {username:<16} mot de passe : {DEMO_PASSWORD:<6} {description}")
    return {"authorities": authorities, "scs": scs, "minalogic": minalogic}


def paris_datetime(year, month, day, hour=10):
    """A moment of the demo's story, in the authority's time zone."""
    return datetime.datetime(
        year, month, day, hour, 0, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
