"""Demo data from the Saint-Étienne seed: the Bureau, its 68 members, the session of
13 June 2024 with its exact attendance, and deliberation 2024.00344 granting 62 500 € to
Minalogic. Idempotent: a second run updates the same rows.

The extract PDF is not rendered here (WeasyPrint costs ~2 s with its import): it is built and
stored on the first download by a staff member.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from associations.models import Association
from deliberations.forms import parse_member_line
from deliberations.models import Attendance, Body, Decision, Deliberation, Member, Session
from grants.models import Authority, Grant, GrantNature

SEM_SIREN = "244200770"
MANDATE_START = datetime.date(2020, 7, 15)

PRESENT = """
M. Jean-Alain BARRIER, M. Denis BARRIOL, M. Jean-Luc BASSON, Mme Françoise BERGER,
Mme Nora BERROUKECHE, M. Cyrille BONNEFOY, M. Bernard BONNET, M. Vincent BONY,
M. Patrick BOUCHET, M. Kamel BOUCHOU, M. Gilles BOUDARD, M. Régis CADEGROS,
M. André CHARBONNIER, M. Marc CHASSAUBENE, M. Marc CHAVANNE, Mme Frédérique CHAVE,
M. Charles DALLARA, M. Jean-Luc DEGRAIX, M. Philippe DENIS, M. François DRIOL,
M. Christian DUCCESCHI, M. Fabrice DUCRET, M. Frédéric DURAND, M. David FARA,
M. Martial FAUCHET, M. Christophe FAVERJON, Mme Sylvie FAYOLLE, M. Jean-Claude FLACHAT,
Mme Andonella FLECHET, M. Luc FRANCOIS, M. Michel GANDILHON, M. Pascal GONON,
Mme Ramona GONZALEZ GRAIL, M. Marc JANDOT, M. Christian JULIEN, M. Robert KARULAK,
Mme Siham LABICH, M. Bernard LAGET, M. Denis LAURENT, M. Yves LECOCCQ,
Mme Christiane MICHAUD-FARIGOULE, M. Gilles PERACHE, M. Jean-Philippe PORCHEROT,
M. Jean-Paul RIVAT, M. Jean-Marc SARDAT, Mme Nadia SEMACHE, M. Christian SERVANT,
M. Gilbert SOULIER, M. Marc TARDIEU, Mme Marie-Christine THIVANT, M. Gilles THIZY
"""

# (giver, holder), in the register's order.
PROXIES = [
    ("Mme Ingrid ARNAUD", "Mme Françoise BERGER"),
    ("M. Gilles ARTIGUES", "M. Jean-Luc DEGRAIX"),
    ("Mme Christiane BARAILLER", "M. Cyrille BONNEFOY"),
    ("Mme Stéphanie CALACIURA", "M. Jean-Paul RIVAT"),
    ("M. Guy FRANCON", "M. Pascal GONON"),
    ("M. Christian JOUVE", "M. Bernard BONNET"),
    ("M. Patrick MICHAUD", "M. Robert KARULAK"),
    ("Mme Aline MOUSEGHIAN", "M. Régis CADEGROS"),
    ("M. Gaël PERDRIAU", "M. Marc CHASSAUBENE"),
]

EXCUSED = """
M. Eric BERLIVET, M. Jordan DA SILVA, M. Jérôme GABIAUD, M. Julien LUYA,
M. Yves MORAND, M. Gérard TARDY, M. Daniel TORGUES, M. Julien VASSAL
"""

TITLE = "Animation de l'écosystème d'innovation pour l'année 2024 par le pôle Minalogic"
THEMATIC = "Filière industrie"
NUMBER = "2024.00344"
ACTES_IDENTIFIER = "99_DE-042-244200770-20240613-D20240034410"
IMPUTATION = "INUM/SUFLI/65748"
AMOUNT = Decimal("62500.00")
DECISIONS = [
    "autorise l'attribution d'une subvention de fonctionnement de 62 500 € au pôle Minalogic, "
    "au titre de l'année 2024,",
    "approuve le projet de convention, joint en annexe, entre Saint-Etienne Métropole et le pôle "
    "Minalogic,",
    "autorise Monsieur le Président, ou son représentant dûment habilité, à signer la convention "
    "entre Saint-Etienne Métropole et le pôle Minalogic et toutes pièces nécessaires à la mise "
    "en œuvre de cette délibération,",
    "la dépense correspondante sera imputée sur le budget de l'exercice 2024 sur le compte : "
    "INUM/SUFLI/65748.",
]
STATEMENT_FILE = Path(__file__).with_name("demo_statement_2024_00344.md")


def _names(text):
    return [name.strip() for name in text.replace("\n", " ").split(",") if name.strip()]


def _member(body, line):
    civility, first_name, last_name = parse_member_line(line)
    member, _ = Member.objects.update_or_create(
        body=body,
        first_name=first_name,
        last_name=last_name,
        mandate_start=MANDATE_START,
        defaults={"civility": civility, "mandate_end": None},
    )
    return member


@transaction.atomic
def load_deliberations(out, context):
    authority = (context.get("authorities") or {}).get("sem") or Authority.objects.get(
        siren=SEM_SIREN
    )
    body, _ = Body.objects.update_or_create(
        authority=authority, name="Bureau métropolitain", defaults={"kind": Body.Kind.BUREAU}
    )
    members = {}
    for line in [*_names(PRESENT), *(pair[0] for pair in PROXIES), *_names(EXCUSED)]:
        members[line] = _member(body, line)

    session, _ = Session.objects.update_or_create(
        body=body,
        date=datetime.date(2024, 6, 13),
        defaults={
            "convocation_date": datetime.date(2024, 6, 7),
            "second_convocation": False,
            "presiding": members["Mme Sylvie FAYOLLE"],
            "presiding_title": "La Première Vice-Présidente",
            "secretary": members["Mme Siham LABICH"],
        },
    )
    session.attendances.all().delete()
    holders = {giver: holder for giver, holder in PROXIES}
    Attendance.objects.bulk_create(
        [Attendance(session=session, member=members[n], status="present") for n in _names(PRESENT)]
        + [
            Attendance(
                session=session,
                member=members[giver],
                status="represente",
                proxy_holder=members[holder],
            )
            for giver, holder in holders.items()
        ]
        + [Attendance(session=session, member=members[n], status="excuse") for n in _names(EXCUSED)]
    )

    # Found by its @ctes identifier or its number (either may have been edited since the last
    # run); an existing deliberation is left as it is.
    deliberation = (
        Deliberation.objects.filter(authority=authority, actes_identifier=ACTES_IDENTIFIER).first()
        or Deliberation.objects.filter(authority=authority, number=NUMBER).first()
    )
    if deliberation is None:
        deliberation = Deliberation.objects.create(
            authority=authority,
            number=NUMBER,
            session=session,
            title=TITLE,
            thematic=THEMATIC,
            statement=STATEMENT_FILE.read_text(encoding="utf-8"),
            votes_for=60,
            votes_against=0,
            abstentions=0,
            not_participating=0,
            prefecture_received_on=datetime.date(2024, 6, 21),
            transmission_platform="DOTELEC - iXBus",
            actes_identifier=ACTES_IDENTIFIER,
            published_on=datetime.date(2024, 6, 21),
        )
        Decision.objects.bulk_create(
            Decision(deliberation=deliberation, position=i, text=text)
            for i, text in enumerate(DECISIONS, start=1)
        )

    minalogic = context.get("minalogic") or Association.objects.get(
        authority=authority, managers__username="asso-minalogic"
    )
    grant, _ = Grant.objects.get_or_create(
        deliberation=deliberation,
        association=minalogic,
        year=2024,
        defaults={
            "authority": authority,
            "amount": AMOUNT,
            "nature": GrantNature.OPERATING,
            "object": "Animation de l'écosystème d'innovation pour l'année 2024",
            "budget_imputation": IMPUTATION,
        },
    )
    summary = Session.objects.get(pk=session.pk).attendance
    out.write(
        f"  Délibération n° {deliberation.number} ({body.name} du 13/06/2024) : "
        f"{summary.in_office_count} membres en exercice, {summary.present_count} présents, "
        f"{summary.proxies_count} pouvoirs, {summary.votes_count} voix ; "
        f"{deliberation.get_status_display().lower()}."
    )
    return {"deliberation_minalogic": deliberation, "grant_minalogic": grant}
