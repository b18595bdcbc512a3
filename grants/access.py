"""Who may see and who may act, in one module.

- `scope()`: the access rule every `visible_to(user)` queryset applies. Objects are always fetched
  through it, so another authority's or another association's record answers 404 whatever URL is
  typed.
- The role decorators of the views (`staff_required`, `instructor_required`, `finance_required`):
  a role that may see a page but not act on it gets 403.
- Every "may this user do X" predicate (`can_*`, `ensure_can_edit`), each with the business
  reason in its docstring; services call `require(can_x(...), message)` before they write, views
  call the same predicates to show or hide the buttons. tests/grants/test_access.py tabulates
  them role by role.

Nothing here imports a model: predicates read the user's role and the ids on the object.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(test):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(lambda user: user.is_staff_member)
instructor_required = role_required(lambda user: user.can_instruct)
finance_required = role_required(lambda user: user.is_finance or user.is_platform_admin)


def can_view_dashboards(user):
    """An authority's whole budget picture is for its staff (consultation included) and
    platform administrators, never for association managers."""
    return (
        user.is_authenticated
        and user.is_staff_member
        and (user.is_platform_admin or user.authority_id is not None)
    )


dashboards_required = role_required(can_view_dashboards)


def scope(queryset, user, *, authority, association=None):
    """The access rule every view starts from, in one place (STYLE habit 4).

    Platform administrators see everything; staff see the records of their authority
    (`authority` is the lookup path from the model to it, "pk" for Authority itself); association
    managers see the records of the associations they manage (`association` is the lookup path
    to the association, "pk" for Association itself; None: managers see nothing); anyone else
    sees nothing.
    """
    if not user.is_authenticated:
        return queryset.none()
    if user.is_platform_admin:
        return queryset
    if user.is_manager:
        if association is None:
            return queryset.none()
        return queryset.filter(**{f"{association}__in": user.managed_associations.values("pk")})
    if user.authority_id:
        lookup = "pk" if authority == "pk" else f"{authority}_id"
        return queryset.filter(**{lookup: user.authority_id})
    return queryset.none()


def require(allowed, message="Votre rôle ne permet pas cette action."):
    """Refuse a step the user's role does not allow, with a French message (403)."""
    if not allowed:
        raise PermissionDenied(message)


def _same_authority(user, authority_id):
    return user.is_platform_admin or bool(user.authority_id and user.authority_id == authority_id)


def manages(user, association_id):
    """The user is one of the managers of this association (by id)."""
    return (
        user.is_authenticated
        and user.is_manager
        and user.managed_associations.filter(pk=association_id).exists()
    )


# ---- deliberations --------------------------------------------------------------------------


def ensure_can_edit(user, authority_id):
    """Instructors and administrators of the authority (or of the platform) prepare the
    assembly's bodies, sessions, attendance and deliberations; anyone else gets 403."""
    require(user.is_authenticated and user.can_instruct and _same_authority(user, authority_id))


# ---- association budgets and indicators -----------------------------------------------------


def can_edit_budgets(user, association=None):
    """Instructors and administrators, and the association's own managers, type the budgets
    (the association writes its Cerfa 12156; staff correct it).

    Callers fetch the association or budget through `visible_to(user)` first, so a manager
    never reaches another association's budget; the check on `association` is a second lock.
    """
    if not user.is_authenticated:
        return False
    if user.can_instruct:
        return association is None or _same_authority(user, association.authority_id)
    if user.is_manager:
        return association is None or manages(user, association.pk)
    return False


def can_define_sets(user):
    """Instructors and administrators define the indicator sets of their authority (annex V)."""
    return user.is_authenticated and user.can_instruct


def can_fill_report(user, association, report=None):
    """Managers fill their association's drafts; instructors fill or correct any report.

    Callers reach the association through `visible_to(user)` first: another authority's staff
    or another association's manager never get here (404).
    """
    if not user.is_authenticated:
        return False
    if user.can_instruct:
        return _same_authority(user, association.authority_id)
    if manages(user, association.pk):
        return report is None or not report.is_submitted
    return False


def can_submit_report(user, report):
    """Whoever may fill a draft report submits it; a submitted report is not submitted again."""
    return (
        report is not None and not report.is_submitted and can_fill_report(user, report.association)
    )


def can_reopen_report(user, report):
    """Only instructors reopen a submitted report, so that the association can correct it."""
    return (
        report is not None
        and report.is_submitted
        and user.is_authenticated
        and user.can_instruct
        and _same_authority(user, report.association.authority_id)
    )


# ---- conventions and justificatifs ----------------------------------------------------------


def can_prepare(user, convention=None):
    """Instructors and administrators of the convention's authority prepare conventions,
    generate their PDF and record the authority's steps."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    if convention is None or user.is_platform_admin:
        return True
    return user.authority_id == convention.authority_id


def can_record_association_signature(user, convention):
    """The association's signature is recorded by the staff who prepare the convention or by
    the association's own managers (who sign it)."""
    return can_prepare(user, convention) or manages(user, convention.association_id)


def can_upload(user, convention):
    """Only the association's managers hand in its justificatifs (seed SCS art. 6.2)."""
    return manages(user, convention.association_id)


def can_review(user, convention):
    """Instructors and administrators of the convention's authority review justificatifs."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return _same_authority(user, convention.authority_id)


# ---- finance --------------------------------------------------------------------------------


def can_manage_budget(user, authority_id=None):
    """Finance officers manage their authority's budget lines and commitments (engagements)."""
    if not user.is_authenticated or not (user.is_finance or user.is_platform_admin):
        return False
    return authority_id is None or _same_authority(user, authority_id)


def can_request_payment(user, convention):
    """Only the association's managers request payments: they sign the certification that the
    expense is real and serves the convention's object."""
    return manages(user, convention.association_id)


def can_certify(user, convention):
    """Instructors certify the service fait (and may reject a request): separation of duties,
    the person who certifies is not the one who orders the payment."""
    return (
        user.is_authenticated
        and user.can_instruct
        and _same_authority(user, convention.authority_id)
    )


def can_order(user, convention):
    """Finance officers record payment orders (mandats), payments and clawbacks (titres)."""
    return user.is_authenticated and can_manage_budget(user, convention.authority_id)


# ---- open data ------------------------------------------------------------------------------


def can_import_grants(user):
    """Past grants are imported by those who record grants or their money (instructors, finance
    officers, the authority's administrator) and by the platform administrator; consultation
    accounts read, and association managers never touch another authority's records."""
    if not user.is_authenticated:
        return False
    if user.is_platform_admin:
        return True
    return user.authority_id is not None and user.role in {"admin", "instructeur", "financier"}


grant_importer_required = role_required(can_import_grants)


# ---- background jobs ------------------------------------------------------------------------


def can_generate_convention_pdfs(user, deliberation):
    """Instructors of the deliberation's authority (and platform admins) prepare its conventions."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return user.is_platform_admin or user.authority_id == deliberation.authority_id


# ---- audit trail ----------------------------------------------------------------------------


def can_see_history(user):
    """The audit trail (who changed which amount) is internal: staff and platform admins only."""
    return user.is_authenticated and (user.is_staff_member or user.is_platform_admin)


# ---- grants of 23 000 € or less (no convention) ---------------------------------------------


def can_notify_grant(user, grant):
    """Instructors and administrators of the grant's authority generate the notification
    letter (or arrêté attributif) of a grant that needs no convention."""
    return user.is_authenticated and user.can_instruct and _same_authority(user, grant.authority_id)


def can_request_single_payment(user, grant):
    """The association's managers request the versement unique, certifying the expense; where
    the association has no account, its instructors propose it on the strength of the letter
    (the certification of the service fait and the mandat stay separate steps)."""
    return manages(user, grant.association_id) or can_notify_grant(user, grant)


def can_upload_financial_report(user, grant):
    """Only the association's managers hand in its compte rendu financier (Cerfa 15059)."""
    return manages(user, grant.association_id)


# ---- people ----------------------------------------------------------------------------------


def can_invite_manager(user, association):
    """The authority's instructors (or a platform administrator) open the account of an
    association's manager: they know who represents the association they instruct."""
    return (
        user.is_authenticated
        and user.can_edit_associations
        and _same_authority(user, association.authority_id)
    )


def can_attach_association(user):
    """An association manager (typically one who just signed up) asks to manage an association
    the authority knows, or creates it when it does not: the account is theirs, staff decide
    who manages a known association. Staff accounts never manage associations."""
    return user.is_authenticated and user.is_active and user.is_manager


def can_review_access_request(user, access_request):
    """The instructors and administrators of the association's authority decide who manages
    it: they know its representatives (as for invitations); never another authority's staff,
    and never a manager (who would attach themselves)."""
    return (
        user.is_authenticated
        and user.can_instruct
        and _same_authority(user, access_request.authority_id)
    )


# ---- bank details ----------------------------------------------------------------------------


def can_submit_bank_details(user, association):
    """The association's managers, or the authority's instructors and administrators, submit
    new bank details with the RIB; they take effect only once validated."""
    return manages(user, association.pk) or (
        user.is_authenticated
        and user.can_edit_associations
        and _same_authority(user, association.authority_id)
    )


def can_validate_bank_details(user, details):
    """Instructors and administrators of the authority check new bank details against the RIB
    (the classic fraud is a forged change), never the person who submitted them."""
    return (
        user.is_authenticated
        and user.can_instruct
        and _same_authority(user, details.association.authority_id)
        and details.requested_by_id != user.pk
    )


def can_see_full_bank_details(user, association):
    """Staff of the authority and the association's own managers read the whole IBAN."""
    return manages(user, association.pk) or (
        user.is_authenticated
        and user.is_staff_member
        and _same_authority(user, association.authority_id)
    )


def can_manage_staff(user, authority_id=None):
    """The authority's administrator opens, changes and closes its staff accounts (the platform
    administrator works in Django's admin); never another authority's."""
    return (
        user.is_authenticated
        and user.role == "admin"
        and user.authority_id is not None
        and (authority_id is None or user.authority_id == authority_id)
    )


# ---- subsidy requests (grants/requests/) ------------------------------------------------------


def can_manage_campaigns(user, authority_id=None):
    """Instructors and administrators of the authority open its aid schemes and campaigns (the
    envelope is a figure of the budget voted, not a finance officer's own choice)."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return authority_id is None or _same_authority(user, authority_id)


def can_file_request(user, association):
    """Only the association's own managers file and sign its request: the attestations and the
    contrat d'engagement républicain bind the association, so staff never sign for it."""
    return manages(user, association.pk)


def can_edit_request(user, subsidy_request):
    """The association's managers change their request while it is a draft or sent back to
    them « à compléter »; once deposited, what staff read does not change under their eyes."""
    return subsidy_request.is_editable_by_association and manages(
        user, subsidy_request.association_id
    )


def can_instruct_request(user, subsidy_request):
    """Instructors and administrators of the request's authority instruct it (status, opinion,
    proposed amount, checklist); consultation and finance read it only."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return _same_authority(user, subsidy_request.authority_id)


def can_message_request(user, subsidy_request):
    """The association's managers and the authority's instructors write to each other on the
    request; read-only roles read the thread."""
    return can_instruct_request(user, subsidy_request) or manages(
        user, subsidy_request.association_id
    )


def can_propose_deliberation(user, campaign):
    """Instructors and administrators of the campaign's authority turn its instructed requests
    into the draft deliberation that grants them (they prepare the assembly's deliberations)."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return _same_authority(user, campaign.authority_id)


def can_download_refusal_letter(user, subsidy_request):
    """The letter that tells an association why its request was refused is read by the
    authority's staff (consultation included) and by the association's own managers only."""
    if not user.is_authenticated:
        return False
    if user.is_staff_member:
        return _same_authority(user, subsidy_request.authority_id)
    return manages(user, subsidy_request.association_id)


def can_upload_documents(user, association):
    """Only the association's own managers hand in its standing pieces (« Mes documents »):
    they answer for them in every request; staff of the authority read them."""
    return manages(user, association.pk)
