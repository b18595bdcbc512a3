"""Demo justificatifs and notifications for the SCS 2023 convention (due 30/06/2024).

A realistic state, with illustrative dates and texts (the seeds print none of them): the annual
accounts accepted, the activity report rejected with a reason, the minutes of the general
assembly handed in late and awaiting review, the others missing; the notifications and the
due-date reminders that went with them. The files are small real PDFs rendered by WeasyPrint.
Idempotent: a second run updates the same rows and keeps the files.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from conventions.files import sha256_of
from conventions.models import Justificatif, Notification, ReminderSent
from conventions.notifications.services import _convention_label
from grants.demo import paris_datetime
from grants.models import User
from grants.pdf import render_pdf

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
Kind = Justificatif.Kind
Status = Justificatif.Status

REJECTION = (
    "Le rapport d'activité ne présente pas le bilan des actions de l'annexe III : ajoutez les "
    "résultats des salons (MWC, Hannover Messe…) et des missions, avec le nombre d'entreprises "
    "accompagnées."
)

# kind, file name, title, lines, uploaded, status, reviewed
PIECES = [
    (
        Kind.COMPTES_ANNUELS,
        "SCS - comptes annuels 2023.pdf",
        "Comptes annuels de l'exercice 2023",
        ["Bilan au 31/12/2023", "Compte de résultat 2023", "Annexe aux comptes annuels",
         "Attestation de l'expert-comptable"],
        (2024, 5, 20, 11),
        Status.ACCEPTED,
        (2024, 5, 27, 15),
    ),
    (
        Kind.RAPPORT_ACTIVITE,
        "Rapport activité SCS 2023.pdf",
        "Rapport d'activité 2023",
        ["Animation de l'écosystème", "Accompagnement des projets", "Vie de l'association"],
        (2024, 5, 28, 9),
        Status.REJECTED,
        (2024, 6, 3, 10),
    ),
    (
        Kind.PV_AG,
        "PV AG 2024 - approbation des comptes.pdf",
        "Procès-verbal de l'assemblée générale ordinaire du 25 juin 2024",
        ["Approbation des comptes de l'exercice 2023", "Approbation du rapport d'activité",
         "Affectation du résultat"],
        (2024, 7, 8, 16),
        Status.SUBMITTED,
        None,
    ),
]  # fmt: skip


def _pdf(association, title, lines):
    from django.utils.html import escape

    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (
        "<html><head><style>@page { size: A4; margin: 2cm }"
        "body { font-family: 'DejaVu Sans', sans-serif; font-size: 11pt }"
        "h1 { font-size: 16pt }</style></head><body>"
        f"<p>{escape(association.name)}<br>{escape(association.address or '')} "
        f"{escape(association.postal_code or '')} {escape(association.city or '')}</p>"
        f"<h1>{escape(title)}</h1><ul>{items}</ul>"
        "<p><em>Document de démonstration généré par l'application.</em></p></body></html>"
    )
    return render_pdf(html)


def _piece(convention, users, spec):
    kind, name, title, lines, uploaded, status, reviewed = spec
    piece = Justificatif.objects.filter(
        convention=convention, kind=kind, original_name=name
    ).first()
    fields = {
        "status": status,
        "uploaded_at": paris_datetime(*uploaded),
        "uploaded_by": users.get("asso-scs"),
        "reviewed_at": paris_datetime(*reviewed) if reviewed else None,
        "reviewed_by": users.get("instructeur") if reviewed else None,
        "rejection_reason": REJECTION if status == Status.REJECTED else "",
        "due_date": convention.justificatifs_due_date,
        "is_current": True,
    }
    if piece is None:
        # The demo's pieces replace whatever is current for their kind (history kept).
        convention.justificatifs.filter(kind=kind, is_current=True).update(is_current=False)
        data = ContentFile(_pdf(convention.association, title, lines))
        piece = Justificatif(
            convention=convention,
            kind=kind,
            original_name=name,
            content_type="application/pdf",
            size=data.size,
            sha256=sha256_of(data),
            **fields,
        )
        piece.file.save("demo", data, save=False)
        piece.save()
    else:
        for key, value in fields.items():
            setattr(piece, key, value)
        piece.save()
    return piece


def _notify(user, kind, message, url, created, read=True):
    if user is None:
        return
    Notification.objects.update_or_create(
        recipient=user,
        kind=kind,
        message=message,
        defaults={
            "url": url,
            "created_at": paris_datetime(*created),
            "read_at": paris_datetime(*created) + datetime.timedelta(hours=2) if read else None,
            "emailed_at": paris_datetime(*created),
        },
    )


def _notifications(convention, users, pieces):
    manager, instructor = users.get("asso-scs"), users.get("instructeur")
    name = convention.association.name
    where = f"la {_convention_label(convention)}"
    pieces_url = reverse("justificatif_list", args=[convention.pk])
    payments_url = reverse("payment_timeline", args=[convention.pk])
    K = Notification.Kind
    _notify(
        instructor,
        K.PAYMENT_REQUESTED,
        f"{name} demande le versement de l'acompte de "
        f"52\u00a0800,00\u00a0€ ({where}), signé par M. Fabien ALLI, Président. Le service "
        "fait est à certifier.",
        payments_url,
        (2023, 5, 15, 10),
    )
    _notify(
        manager,
        K.PAYMENT_ORDERED,
        "Acompte de 52\u00a0800,00\u00a0€ mandaté par la "
        f"Métropole (mandat n° 2023-M-004512 du 05/06/2023) pour {where}. Le virement suit "
        "sous quelques jours.",
        payments_url,
        (2023, 6, 5, 11),
    )
    for piece in pieces:
        label = piece.get_kind_display()
        _notify(
            instructor,
            K.JUSTIFICATIF_SUBMITTED,
            f"{name} a déposé « {label} » pour {where}. Il est à examiner.",
            reverse("justificatif_review", args=[piece.pk]),
            piece.uploaded_at.astimezone(PARIS).timetuple()[:4],
            read=piece.status != Status.SUBMITTED,
        )
    accepted, rejected = pieces[0], pieces[1]
    _notify(
        manager,
        K.JUSTIFICATIF_ACCEPTED,
        f"« {accepted.get_kind_display()} » est accepté pour {where}.",
        pieces_url,
        (2024, 5, 27, 15),
    )
    _notify(
        manager,
        K.JUSTIFICATIF_REJECTED,
        f"« {rejected.get_kind_display()} » est refusé "
        f"pour {where}. Motif : {REJECTION.rstrip('.')}. Déposez une nouvelle version avant "
        "le 30/06/2024.",
        pieces_url,
        (2024, 6, 3, 10),
        read=False,
    )
    required = convention.required_justificatif_kinds

    def pending(*handed_in):
        return ", ".join(Kind(k).label.lower() for k in required if k not in handed_in)

    # On 31/05 the accounts were accepted and the report under review; on 23/06 the report had
    # been rejected; on 01/07 the minutes were still missing.
    for stage, when, text, handed_in in [
        (ReminderSent.Stage.DAYS_30, (2024, 5, 31, 7), "Échéance dans 30 jours, le 30/06/2024",
         (Kind.COMPTES_ANNUELS, Kind.RAPPORT_ACTIVITE)),
        (ReminderSent.Stage.DAYS_7, (2024, 6, 23, 7), "Échéance dans 7 jours, le 30/06/2024",
         (Kind.COMPTES_ANNUELS,)),
    ]:  # fmt: skip
        _notify(
            manager,
            K.DUE_DATE,
            f"{text} : justificatifs à remettre pour {where} : "
            f"{pending(*handed_in)}. Le solde de la subvention se demande une fois ces pièces "
            "acceptées.",
            pieces_url,
            when,
            read=stage == ReminderSent.Stage.DAYS_30,
        )
        ReminderSent.objects.update_or_create(
            convention=convention,
            stage=stage,
            due_date=convention.justificatifs_due_date,
            defaults={"sent_at": paris_datetime(*when), "recipients": 1},
        )
    overdue = (f"Les justificatifs de {where} devaient être remis le 30/06/2024 au plus tard : "
               f"{pending(Kind.COMPTES_ANNUELS)}. Le solde de la subvention et une nouvelle "
               "convention en dépendent "
               "(art. 5.4 et 6.2).")  # fmt: skip
    for user in (manager, instructor):
        _notify(user, K.DUE_DATE, overdue, pieces_url, (2024, 7, 1, 7), read=False)
    ReminderSent.objects.update_or_create(
        convention=convention, stage=ReminderSent.Stage.OVERDUE,
        due_date=convention.justificatifs_due_date,
        defaults={"sent_at": paris_datetime(*(2024, 7, 1, 7)), "recipients": 2},
    )  # fmt: skip


def load_justificatifs(out, context):
    convention = context.get("convention_scs")
    if convention is None or not convention.is_signed_by_both:
        out.write("  Justificatifs : convention SCS 2023 absente ou non signée, rien chargé.")
        return {}
    users = User.objects.in_bulk(["asso-scs", "instructeur"], field_name="username")
    pieces = [_piece(convention, users, spec) for spec in PIECES]
    _notifications(convention, users, pieces)
    missing = [
        Kind(kind).label.lower()
        for kind in convention.required_justificatif_kinds
        if kind not in {p.kind for p in pieces}
    ]
    out.write(
        "  Justificatifs SCS 2023 (échéance 30/06/2024) : comptes annuels acceptés, rapport "
        "d'activité refusé, procès-verbal d'AG en attente d'examen"
        + (f", manquant : {', '.join(missing)}." if missing else ".")
    )
    return {"justificatifs_scs": pieces}
