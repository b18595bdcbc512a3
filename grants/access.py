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
