"""Writes on indicator sets and reports, each checking who may act and recording who and when.

Reports: the association's managers fill and submit their own drafts; instructors (and
administrators) of the authority may fill, correct and submit any report, and reopen a
submitted one. Finance officers and read-only accounts only read.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from associations.indicators.checks import Entry, check_entries, report_warnings
from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet, IndicatorValue
from grants.access import can_define_sets, can_fill_report, can_submit_report, manages, require

# -- Who may do what -----------------------------------------------------------------------


# -- Reports -------------------------------------------------------------------------------


def set_applies_to(indicator_set, association):
    return (
        indicator_set.authority_id == association.authority_id
        and indicator_set.structure_type_id == association.structure_type_id
    )


def entries_of(report):
    """{indicator pk: Entry} from the stored values of a report."""
    if report is None:
        return {}
    return {
        value.indicator_id: Entry(value.total, value.women, value.men, value.text, value.comment)
        for value in report.values.all()
    }


def _raise_problems(problems):
    messages = [problem.message for problem in problems if problem.blocking]
    if messages:
        raise ValidationError(messages)


@transaction.atomic
def report_save(*, association, indicator_set, entries, user, comment=""):
    """Create or update a report's values (a draft, or a correction by an instructor).

    `entries`: {indicator pk: Entry}. The values are checked with the same rules as the form;
    an indicator left blank loses its stored value.
    """
    report = (
        IndicatorReport.objects.select_for_update()
        .filter(association=association, indicator_set=indicator_set)
        .first()
    )
    if not can_fill_report(user, association, report):
        if report is not None and report.is_submitted and manages(user, association.pk):
            raise PermissionDenied(
                "Ce rapport a été soumis : seule la collectivité peut encore le corriger."
            )
        raise PermissionDenied("Votre rôle ne permet pas de modifier ce rapport.")
    if report is None and not set_applies_to(indicator_set, association):
        raise ValidationError(
            "Ce jeu d'indicateurs ne s'applique pas à cette association (collectivité ou type de "
            "structure différents)."
        )
    indicators = list(indicator_set.indicators.all())
    normalised, problems = check_entries(indicators, entries)
    _raise_problems(problems)
    if report is None:
        report = _create_report(association, indicator_set, user)
    report.comment = comment.strip()
    report.updated_by = user
    report.save()
    _write_values(report, indicators, normalised)
    return report


def _create_report(association, indicator_set, user):
    report = IndicatorReport(
        association=association, indicator_set=indicator_set, created_by=user, updated_by=user
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:  # created at the same moment by someone else
        raise ValidationError(
            "Ce rapport vient d'être créé par une autre personne : rechargez la page."
        ) from error
    return report


def _write_values(report, indicators, entries):
    existing = {value.indicator_id: value for value in report.values.all()}
    to_create, to_update, to_delete = [], [], []
    for indicator in indicators:
        entry = entries[indicator.pk]
        value = existing.get(indicator.pk)
        if not entry.is_filled and not entry.comment:
            if value is not None:
                to_delete.append(value.pk)
            continue
        if value is None:
            value = IndicatorValue(report=report, indicator=indicator)
            to_create.append(value)
        else:
            to_update.append(value)
        value.total, value.women, value.men = entry.total, entry.women, entry.men
        value.text, value.comment = entry.text, entry.comment
    IndicatorValue.objects.filter(pk__in=to_delete).delete()
    IndicatorValue.objects.bulk_update(to_update, ["total", "women", "men", "text", "comment"])
    IndicatorValue.objects.bulk_create(to_create)


def submission_problems(report):
    """(blocking problems, warnings) of a report about to be submitted."""
    indicators = list(report.indicator_set.indicators.all())
    entries = entries_of(report)
    normalised, problems = check_entries(indicators, entries, complete=True)
    return problems, report_warnings(indicators, normalised)


@transaction.atomic
def report_submit(report, user):
    """The report goes to the authority with the balance request; the managers' copy is
    frozen."""
    report = IndicatorReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("Ce rapport a déjà été soumis.")
    require(can_submit_report(user, report), "Votre rôle ne permet pas de soumettre ce rapport.")
    problems, _warnings = submission_problems(report)
    _raise_problems(problems)
    report.status = IndicatorReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.updated_by = user
    report.save()
    return report


@transaction.atomic
def report_reopen(report, user, *, reason):
    """An instructor sends a submitted report back to the association as a draft."""
    report = IndicatorReport.objects.select_for_update().get(pk=report.pk)
    require(user.can_instruct, "Seule la collectivité peut rouvrir un rapport.")
    if not report.is_submitted:
        raise ValidationError("Ce rapport n'est pas soumis : il est déjà modifiable.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif : l'association le verra."})
    report.status = IndicatorReport.Status.DRAFT
    report.reopened_at = timezone.now()
    report.reopened_by = user
    report.reopen_reason = reason
    report.updated_by = user
    report.save()
    return report


# -- Sets ----------------------------------------------------------------------------------


def next_position(indicator_set):
    last = indicator_set.indicators.aggregate(last=Max("position"))["last"]
    return (last or 0) + 10


@transaction.atomic
def indicator_set_copy(source, *, year, structure_type, user):
    """A new set for another year (or type) with the same indicators, codes and structure,
    so that next year's values compare with this year's."""
    require(can_define_sets(user), "Votre rôle ne permet pas de définir des indicateurs.")
    target = IndicatorSet(
        authority=source.authority,
        structure_type=structure_type,
        year=year,
        title=source.title,
        introduction=source.introduction,
        updated_by=user,
    )
    target.full_clean()
    target.save()
    copies = {}
    for indicator in source.indicators.order_by("position", "pk"):
        copies[indicator.pk] = Indicator.objects.create(
            indicator_set=target,
            position=indicator.position,
            code=indicator.code,
            group=indicator.group,
            label=indicator.label,
            help_text=indicator.help_text,
            unit=indicator.unit,
            is_gendered=indicator.is_gendered,
            children_rule=indicator.children_rule,
            is_required=indicator.is_required,
        )
    for indicator in source.indicators.exclude(parent=None):
        copy = copies[indicator.pk]
        copy.parent = copies[indicator.parent_id]
        copy.save(update_fields=["parent"])
    return target


def indicator_delete(indicator, user):
    """Remove an indicator that no report uses (its sub-indicators go with it)."""
    require(can_define_sets(user), "Votre rôle ne permet pas de définir des indicateurs.")
    ids = [indicator.pk, *_descendant_ids(indicator)]
    if IndicatorValue.objects.filter(indicator_id__in=ids).exists():
        raise ValidationError(
            "Des rapports contiennent déjà une valeur pour cet indicateur (ou l'un de ses "
            "sous-indicateurs) : il ne peut plus être supprimé. Modifiez plutôt son intitulé."
        )
    Indicator.objects.filter(pk__in=ids).delete()


def _descendant_ids(indicator):
    ids, frontier = [], [indicator.pk]
    while frontier:
        frontier = list(
            Indicator.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return ids
