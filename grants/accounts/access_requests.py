"""A manager attaches their association: by its SIREN or RNA, either a request to manage an
association the authority knows (staff accept or refuse it), or the association created at once
when the authority does not know it (staff are told)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from associations.models import Association
from conventions.notifications import services as notifications
from grants.access import can_attach_association, can_review_access_request, require
from grants.models import AssociationAccessRequest

REFUSED_ATTACH = "Seul un compte de gestionnaire d'association peut rattacher une association."
REFUSED_REVIEW = (
    "Seuls les agents instructeurs et les administrateurs de la collectivité de l'association "
    "décident des demandes d'accès."
)
Status = AssociationAccessRequest.Status


def matching_associations(authority, siren="", rna=""):
    """The authority's associations with this SIREN (or a SIRET starting with it) or this RNA."""
    condition = Q()
    if siren:
        condition |= Q(siren=siren) | Q(siret__startswith=siren)
    if rna:
        condition |= Q(rna=rna)
    if not condition:
        return Association.objects.none()
    return Association.objects.filter(authority=authority).filter(condition).order_by("pk")


def find_association(authority, siren="", rna=""):
    """The one association these identifiers name, or None. Two different ones: an error."""
    found = list(matching_associations(authority, siren, rna)[:2])
    if len(found) > 1:
        raise ValidationError(
            "Le SIREN et le RNA indiqués désignent deux associations différentes de la "
            "collectivité : vérifiez-les, ou n'en indiquez qu'un."
        )
    return found[0] if found else None


@transaction.atomic
def access_request_create(*, user, authority, siren="", rna=""):
    """Ask to manage the association of `authority` these identifiers name, and tell the
    authority's instructors. Returns the request, or None when no association matches (the
    person may then create it)."""
    require(can_attach_association(user), REFUSED_ATTACH)
    if not (siren or rna):
        raise ValidationError("Indiquez le SIREN ou le numéro RNA de l'association.")
    association = find_association(authority, siren, rna)
    if association is None:
        return None
    if user.managed_associations.filter(pk=association.pk).exists():
        raise ValidationError(f"Votre compte gère déjà « {association.name} ».")
    if AssociationAccessRequest.objects.pending().filter(user=user, association=association):
        raise ValidationError(
            f"Votre demande d'accès à « {association.name} » est déjà en attente de validation "
            f"par {authority.name}."
        )
    access_request = AssociationAccessRequest(
        user=user, authority=authority, association=association, siren=siren, rna=rna
    )
    try:
        with transaction.atomic():
            access_request.save()
    except IntegrityError:  # the same request sent twice at the same instant
        raise ValidationError(
            f"Votre demande d'accès à « {association.name} » est déjà en attente."
        ) from None
    notifications.access_requested(access_request)
    return access_request


@transaction.atomic
def association_create_by_manager(*, user, authority, form):
    """Create the association the authority does not know yet from the manager's form, make
    the person its manager at once, and tell the authority's instructors."""
    require(can_attach_association(user), REFUSED_ATTACH)
    association = form.instance
    association.authority = authority
    if not (association.siren or association.siret or association.rna):
        raise ValidationError("Indiquez le SIREN, le SIRET ou le numéro RNA de l'association.")
    siren = association.siren or association.siret[:9]
    if find_association(authority, siren, association.rna) is not None:
        raise ValidationError(
            f"{authority.name} connaît déjà une association avec ce SIREN ou ce RNA : "
            "demandez-y l'accès plutôt que de la créer."
        )
    try:
        with transaction.atomic():
            association = form.save()
    except IntegrityError:
        raise ValidationError(
            f"{authority.name} connaît déjà une association avec ce SIREN ou ce RNA."
        ) from None
    user.managed_associations.add(association)
    notifications.association_created_by_manager(association, user)
    return association


def _locked(access_request):
    locked = AssociationAccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != Status.PENDING:
        raise ValidationError(
            f"Cette demande a déjà été traitée ({locked.get_status_display().lower()})."
        )
    return locked


@transaction.atomic
def access_request_accept(*, user, access_request):
    """Attach the person to the association and tell them."""
    require(can_review_access_request(user, access_request), REFUSED_REVIEW)
    locked = _locked(access_request)
    locked.status, locked.decided_by, locked.decided_at = Status.ACCEPTED, user, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    locked.user.managed_associations.add(locked.association_id)
    notifications.access_request_decided(locked)
    return locked


@transaction.atomic
def access_request_refuse(*, user, access_request, reason):
    """Refuse with a reason, which the person reads."""
    require(can_review_access_request(user, access_request), REFUSED_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Indiquez le motif du refus : il est transmis au demandeur."}
        )
    locked = _locked(access_request)
    locked.status, locked.decided_by, locked.decided_at = Status.REFUSED, user, timezone.now()
    locked.refusal_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    notifications.access_request_decided(locked)
    return locked
