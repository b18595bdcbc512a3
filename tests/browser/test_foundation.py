import pytest

from grants.models import Role
from tests.browser.utils import assert_accessible, login
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_instructor_logs_in_filters_the_list_and_opens_an_association(page, live_server):
    authority = AuthorityFactory(name="Métropole Aix-Marseille-Provence")
    AssociationFactory(authority=authority, name="Pôle SCS", city="Rousset")
    AssociationFactory(authority=authority, name="Incubateur Belle de Mai", city="Marseille")
    UserFactory(username="marie", role=Role.INSTRUCTOR, authority=authority)

    login(page, live_server, "marie")
    assert_accessible(page)
    page.get_by_role("link", name="Associations", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Ville").fill("Rousset")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="Pôle SCS").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pôle SCS")
    assert_accessible(page)
