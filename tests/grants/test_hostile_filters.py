"""Hostile values typed in the filters of every list page never give a 500.

Out-of-range dates (0001, 9999-12-31, 99999), numbers past what the database holds, NaN,
"1e309" and the like: the page answers 200 and the filter says what is wrong, in French.
"""

import pytest
from django.urls import reverse

from grants.models import Role
from tests.factories import AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "finance_queue",
    "budget_line_list",
    "finance_grant_list",
    "clawback_list",
    "justificatif_queue",
    "convention_list",
    "indicator_report_list",
    "indicator_set_list",
    "budget_list",
    "association_list",
    "deliberation_list",
    "session_list",
]
EXPORTS = ["payment_export", "budget_line_export", "grant_export", "clawback_export"]
FIELDS = ["year", "start", "end", "amount_min", "amount_max", "period_on"]
HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "31/12/9999",
    "01/01/0001",
    "2024-02-30",
    "NaN",
    "-Infinity",
    "1e309",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1" * 400,
    "12,5,3",
    "\x00",
]


@pytest.fixture
def finance(client):
    user = UserFactory(role=Role.FINANCE, authority=AuthorityFactory())
    client.force_login(user)
    return user


@pytest.mark.parametrize("name", LISTS + EXPORTS)
def test_no_hostile_filter_value_gives_a_500(client, finance, name):
    url = reverse(name)
    tried = 0
    for field in FIELDS:
        for value in HOSTILE:
            response = client.get(url, {field: value, "period_on": "paid_date"})
            assert response.status_code == 200, (name, field, value)
            tried += 1
    assert tried == len(FIELDS) * len(HOSTILE)
