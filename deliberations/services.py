"""Writes that span several rows: attendance, deliberations with their articles and grants,
the prefecture transmission. Each checks who may act and records who and when."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from deliberations import actes, rules
from deliberations.models import Attendance, Deliberation, Session
from grants.access import ensure_can_edit
from grants.requests.votes import requests_follow_vote, requests_unlink, voted_request_blocks

Status = Attendance.Status


def attendance_errors(*, members, entries, presiding_id, secretary_id, session):
    """The reasons an attendance cannot be recorded, as (member id or field, French message).

    `entries` maps every member id to (status, proxy holder id or None). Pure: no query, so
    the rules are testable without a database round trip.
    """
    errors = []
    by_id = {m.pk: m for m in members}
    present = {pk for pk, (status, _) in entries.items() if status == Status.PRESENT}
    holders = {}
    for member in members:
        status, holder_id = entries.get(member.pk, (None, None))
        if status is None:
            errors.append((member.pk, f"Indiquez la présence de {member}."))
        elif status == Status.REPRESENTED:
            errors += _proxy_errors(member, holder_id, by_id, present, holders)
    for holder_id, givers in holders.items():
        if len(givers) > 1:
            names = " et ".join(str(g) for g in givers)
            for giver in givers[1:]:
                errors.append(
                    (
                        giver.pk,
                        f"{by_id[holder_id]} détient déjà un pouvoir ({names}) : un membre ne peut "
                        "en détenir qu'un seul (CGCT L.2121-20).",
                    )
                )
    for field, label, member_id in (
        ("presiding", "Le président de séance", presiding_id),
        ("secretary", "Le secrétaire de séance", secretary_id),
    ):
        if member_id is None:
            errors.append((field, f"{label} doit être désigné."))
        elif member_id not in present:
            errors.append((field, f"{label} doit faire partie des membres présents."))
    errors += _adopted_deliberation_errors(session, members, entries, present)
    return errors


def _proxy_errors(member, holder_id, by_id, present, holders):
    if holder_id is None:
        return [(member.pk, f"{member} est représenté : indiquez à qui il a donné pouvoir.")]
    if holder_id == member.pk:
        return [(member.pk, f"{member} ne peut pas se donner pouvoir à lui-même.")]
    holder = by_id.get(holder_id)
    if holder is None:
        return [(member.pk, "Le pouvoir doit être confié à un membre en exercice de l'instance.")]
    holders.setdefault(holder_id, []).append(member)
    if holder_id not in present:
        return [
            (
                member.pk,
                f"{member} donne pouvoir à {holder}, qui n'est pas présent : un pouvoir ne peut "
                "être confié qu'à un membre présent.",
            )
        ]
    return []


def _adopted_deliberation_errors(session, members, entries, present):
    """An attendance must still support the votes already recorded at the session."""
    if session is None or session.pk is None:
        return []
    proxies = sum(1 for status, _ in entries.values() if status == Status.REPRESENTED)
    available = rules.votes_available(len(present), proxies)
    can_deliberate = rules.quorum_reached(len(present), len(members)) or (
        session.second_convocation
    )
    errors = []
    for deliberation in session.deliberations.filter(votes_for__isnull=False):
        vote = deliberation.vote
        if vote.total > available:
            errors.append(
                (
                    None,
                    f"La délibération n° {deliberation.number} compte {vote.total} votes : "
                    f"cette saisie n'offre que {available} voix. Corrigez d'abord son vote.",
                )
            )
        if not can_deliberate:
            errors.append(
                (
                    None,
                    f"Sans quorum ({len(present)} présents sur {len(members)}), la délibération "
                    f"n° {deliberation.number} ne peut pas avoir été votée (CGCT L.2121-17).",
                )
            )
    return errors


@transaction.atomic
def session_record_attendance(
    *, session, user, entries, presiding_id, secretary_id, presiding_title
):
    """Record the attendance of every member in office, replacing the previous record."""
    ensure_can_edit(user, session.body.authority_id)
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("body").get(pk=session.pk)
    )
    members = list(session.body.members.in_office(session.date))
    errors = attendance_errors(
        members=members,
        entries=entries,
        presiding_id=presiding_id,
        secretary_id=secretary_id,
        session=session,
    )
    if errors:
        raise ValidationError([message for _, message in errors])
    session.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            session=session,
            member_id=member.pk,
            status=entries[member.pk][0],
            proxy_holder_id=entries[member.pk][1]
            if entries[member.pk][0] == Status.REPRESENTED
            else None,
        )
        for member in members
    )
    session.presiding_id = presiding_id
    session.secretary_id = secretary_id
    session.presiding_title = presiding_title
    session.attendance_recorded_by = user
    session.attendance_recorded_at = timezone.now()
    session.save()
    return session


def grant_reference(grant):
    """What still points to a grant (a convention, a commitment…), or None if nothing does.

    The subsidy request the grant came from does not hold it while the request is not voted:
    removing the grant frees the request for another deliberation (see requests_unlink)."""
    for relation in grant._meta.related_objects:
        accessor = relation.get_accessor_name()
        if accessor == "request":
            if reason := voted_request_blocks(grant):
                return reason
            continue
        if relation.one_to_one:
            if relation.related_model.objects.filter(**{relation.field.name: grant}).exists():
                return relation.related_model._meta.verbose_name
        elif getattr(grant, accessor).exists():
            return relation.related_model._meta.verbose_name
    return None


VOTE_FIELDS = ("votes_for", "votes_against", "abstentions", "not_participating")


@transaction.atomic
def deliberation_save(*, form, decisions, grants, user):
    """Save a deliberation with its ordered articles and the grants it decides."""
    deliberation = form.save(commit=False)
    ensure_can_edit(user, deliberation.authority_id)
    if deliberation.pk is None:
        deliberation.created_by = user
    if any(name in form.changed_data for name in VOTE_FIELDS):
        deliberation.vote_recorded_by = user if deliberation.vote_recorded else None
        deliberation.vote_recorded_at = timezone.now() if deliberation.vote_recorded else None
    deliberation.save()

    decisions.instance = deliberation
    for decision_form in decisions.deleted_forms:
        if decision_form.instance.pk:
            decision_form.instance.delete()
    for position, decision_form in enumerate(decisions.ordered_forms, start=1):
        decision = decision_form.save(commit=False)
        decision.deliberation = deliberation
        decision.position = position
        decision.save()

    save_grants(deliberation, grants, user=user)
    requests_follow_vote(deliberation, user)
    return deliberation


def save_grants(deliberation, grants, *, user=None):
    """Write the grants formset of a deliberation (full or light): deleted rows go (their
    subsidy requests are freed), changed rows are saved with the deliberation's authority."""
    grants.instance = deliberation
    removed = [f.instance for f in grants.deleted_forms if f.instance.pk]
    requests_unlink(
        removed,
        user=user,
        reason=f"Subvention retirée du projet de délibération n° {deliberation.number}.",
    )
    for grant in removed:
        grant.delete()
    for grant_form in grants.forms:
        if grant_form in grants.deleted_forms or not grant_form.has_changed():
            continue
        grant = grant_form.save(commit=False)
        grant.deliberation = deliberation
        grant.authority_id = deliberation.authority_id
        grant.save()


def transmission_errors(deliberation, *, today=None, **fields):
    """French messages per field about the prefecture and publication data; {} when valid."""
    today = today or timezone.localdate()
    errors = {}
    if not deliberation.is_adopted:
        errors[None] = ["Seule une délibération adoptée est transmise et publiée."]
        return errors
    session_date = deliberation.decision_date
    for name in ("prefecture_received_on", "published_on"):
        day = fields.get(name)
        if day is not None and day < session_date:
            errors[name] = [f"Cette date précède la séance du {session_date:%d/%m/%Y}."]
        elif day is not None and day > today:
            errors[name] = ["Cette date est dans le futur."]
    identifier = fields.get("actes_identifier")
    if identifier:
        try:
            parsed = actes.parse(identifier)
        except ValidationError as error:
            errors["actes_identifier"] = error.messages
        else:
            problems = actes.mismatches(
                parsed, authority=deliberation.authority, decision_date=session_date
            )
            if problems:
                errors["actes_identifier"] = problems
        if fields.get("prefecture_received_on") is None:
            errors.setdefault("prefecture_received_on", []).append(
                "Indiquez la date de réception en préfecture portée sur l'accusé de réception."
            )
    elif fields.get("prefecture_received_on") is not None:
        errors["actes_identifier"] = [
            "Indiquez l'identifiant @ctes de l'accusé de réception de la préfecture."
        ]
    return errors


@transaction.atomic
def deliberation_record_transmission(*, deliberation, user, **fields):
    """Record the prefecture's acknowledgement and the online publication."""
    ensure_can_edit(user, deliberation.authority_id)
    deliberation = (
        Deliberation.objects.select_for_update(of=("self",))
        .select_related("authority", "session")
        .get(pk=deliberation.pk)
    )
    errors = transmission_errors(deliberation, **fields)
    if errors:
        raise ValidationError([m for messages in errors.values() for m in messages])
    if fields.get("actes_identifier"):
        fields["actes_identifier"] = actes.normalize(fields["actes_identifier"])
    for name, value in fields.items():
        setattr(deliberation, name, value)
    deliberation.transmission_recorded_by = user
    deliberation.transmission_recorded_at = timezone.now()
    deliberation.save()
    return deliberation


@transaction.atomic
def deliberation_delete(*, deliberation, user):
    """Delete a deliberation that was never adopted, with its articles and grants."""
    ensure_can_edit(user, deliberation.authority_id)
    deliberation = Deliberation.objects.select_for_update(of=("self",)).get(pk=deliberation.pk)
    if deliberation.is_adopted:
        raise ValidationError("Une délibération adoptée ne peut pas être supprimée.")
    for grant in deliberation.grants.all():
        if reference := grant_reference(grant):
            raise ValidationError(
                f"La subvention à {grant.association} est liée à une {reference} : supprimez "
                "d'abord ce lien."
            )
        requests_unlink(
            [grant],
            user=user,
            reason=f"Projet de délibération n° {deliberation.number} supprimé.",
        )
        grant.delete()
    pdf_name = deliberation.extract_pdf.name if deliberation.extract_pdf else ""
    try:
        with transaction.atomic():
            deliberation.delete()
    except ProtectedError as error:
        kinds = sorted({obj._meta.verbose_name for obj in error.protected_objects})
        raise ValidationError(
            f"Cette délibération est citée par : {', '.join(kinds)}. Retirez d'abord ce lien."
        ) from None
    if pdf_name:
        deliberation.extract_pdf.storage.delete(pdf_name)
