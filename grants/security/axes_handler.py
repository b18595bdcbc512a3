"""django-axes with two limits: per (user name, address) and, higher, per address.

Axes compares one limit to the largest failure count over AXES_LOCKOUT_PARAMETERS, so the
(user name, address) count could never lock before the address count. This handler reports a
count that reaches AXES_FAILURE_LIMIT when either limit is reached: a password tried on many
accounts from one address is stopped at AXES_ADDRESS_FAILURE_LIMIT, and a user name is locked
only for the address that failed, never for the other clients.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class UserAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        per_user_and_address, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(per_user_and_address, settings.AXES_FAILURE_LIMIT)
        return per_user_and_address
