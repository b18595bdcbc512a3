"""Small decorators for access checks, in the style of healthchecks' views.

Objects are always fetched through `visible_to(user)` querysets, so another authority's or
another association's record answers 404 whatever URL is typed. These decorators add the role
checks on top: a role that may see a page but not act on it gets 403.
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


def can_see_history(user):
    """The audit trail (who changed which amount) is internal: staff and platform admins only."""
    return user.is_authenticated and (user.is_staff_member or user.is_platform_admin)
