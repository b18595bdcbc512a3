"""The audit trail shown on detail pages: who changed what, when, old value → new value.

Read from django-simple-history. For each historical model the page asks about, two queries
(the last records, each annotated with the id of the record before it; then those earlier
records), plus one query per kind of related object named in a change: a fixed number of
queries whatever the length of the history.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from grants.access import can_see_history
from grants.models import Clawback, Commitment, Grant, Payment
from grants.templatetags.fr import euros, percent_fr

# Technical fields: fingerprints, timestamps the record itself carries.
HIDDEN_SUFFIXES = ("_sha256", "updated_at", "created_at")
ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list = field(default_factory=list)


def _shown(model_field):
    return not model_field.name.endswith(HIDDEN_SUFFIXES) and model_field.name != "id"


def _display(model_field, value, related):
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        target = related.get((model_field.related_model, value))
        return str(target) if target is not None else f"n° {value} (supprimé)"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Decimal):
        return percent_fr(value, 2) if "percent" in model_field.name else euros(value)
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(model_field, models.FileField):
        return "fichier déposé"
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _who(record):
    user = record.history_user
    if user is None:
        return "Système"
    return user.get_full_name() or user.username


def history_entries(sources, limit=20):
    """The `limit` latest entries of the given histories, newest first.

    `sources`: (label, historical queryset) pairs, e.g.
    ("Versement", Payment.history.filter(convention=convention)); the label names the subject.
    """
    collected = []
    for label, records in sources:
        model = records.model
        earlier = model.objects.filter(
            id=OuterRef("id"), history_date__lt=OuterRef("history_date")
        ).order_by("-history_date", "-history_id")
        latest = list(
            records.select_related("history_user")
            .annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
            .order_by("-history_date", "-history_id")[:limit]
        )
        previous_ids = [record.previous_id for record in latest if record.previous_id]
        # One query (none when no record has a predecessor): bounded whatever the data.
        previous = {r.history_id: r for r in model.objects.filter(history_id__in=previous_ids)}
        for record in latest:
            collected.append((label, record, previous.get(record.previous_id)))
    collected.sort(key=lambda item: item[1].history_date, reverse=True)
    collected = collected[:limit]
    return _entries(collected)


def _entries(collected):
    deltas, wanted = [], {}
    for label, record, previous in collected:
        fields = {f.name: f for f in record.instance_type._meta.concrete_fields}
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            changes = [
                (fields[c.field], c.old, c.new)
                for c in delta.changes
                if c.field in fields and _shown(fields[c.field])
            ]
        else:
            changes = []
        for model_field, old, new in changes:
            if isinstance(model_field, models.ForeignKey):
                for value in (old, new):
                    if value is not None:
                        wanted.setdefault(model_field.related_model, set()).add(value)
        deltas.append((label, record, changes))
    related = {
        (model, pk): obj
        for model, pks in wanted.items()
        for pk, obj in model._base_manager.in_bulk(pks).items()
    }
    entries = []
    for label, record, changes in deltas:
        if record.history_type == "~" and not changes:
            continue  # only technical fields changed
        subject = f"{label} — {_subject(record)}"
        entries.append(
            Entry(
                when=record.history_date,
                who=_who(record),
                subject=subject,
                action=_action(record),
                changes=[
                    Change(
                        label=_first_upper(str(model_field.verbose_name)),
                        old=_display(model_field, old, related),
                        new=_display(model_field, new, related),
                    )
                    for model_field, old, new in changes
                ],
            )
        )
    return entries


def _first_upper(text):
    return text[:1].upper() + text[1:]


def _action(record):
    """The action ("Création"), with the amount for a money row: what matters most."""
    action = ACTIONS.get(record.history_type, record.history_type)
    amount = getattr(record, "amount", None)
    if record.history_type in {"+", "-"} and isinstance(amount, Decimal):
        return f"{action} : {euros(amount)}"
    return action


def _subject(record):
    """A short name of the object as it was, without touching related rows."""
    for name in ("number", "title_number", "kind", "name", "year"):
        if hasattr(record, name) and getattr(record, name) not in (None, ""):
            model_field = record.instance_type._meta.get_field(name)
            value = getattr(record, name)
            if model_field.choices:
                value = dict(model_field.flatchoices).get(value, value)
            return f"{value}"
    return f"n° {record.id}"


# ---- the histories of each detail page ---------------------------------------------------------


def association_history(user, association, limit=20):
    """The association's record and its grants (amounts voted), for its detail page."""

    if not can_see_history(user):
        return None
    return history_entries(
        [
            ("Association", type(association).history.filter(id=association.pk)),
            ("Subvention", Grant.history.filter(association_id=association.pk)),
        ],
        limit,
    )


def convention_history(user, convention, limit=20):
    """The convention's fields (amounts, dates, signatures, status), for its detail page."""

    if not can_see_history(user):
        return None
    return history_entries(
        [("Convention", type(convention).history.filter(id=convention.pk))], limit
    )


def money_history(user, convention, limit=30):
    """Commitments, payments and clawbacks of a convention, for its payment timeline."""

    if not can_see_history(user):
        return None
    grant_ids = convention.grants.values("pk")
    return history_entries(
        [
            ("Engagement", Commitment.history.filter(grant_id__in=grant_ids)),
            ("Versement", Payment.history.filter(convention_id=convention.pk)),
            ("Reversement", Clawback.history.filter(convention_id=convention.pk)),
        ],
        limit,
    )
