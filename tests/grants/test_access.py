import pytest
from django.contrib.auth.models import AnonymousUser

from associations.models import Association
from grants.models import Role
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    amp, sem = AuthorityFactory(), AuthorityFactory()
    return {
        "scs": AssociationFactory(authority=amp, name="SCS"),
        "voisine": AssociationFactory(authority=amp, name="Voisine"),
        "minalogic": AssociationFactory(authority=sem, name="Minalogic"),
        "amp": amp,
    }


def visible(user):
    return sorted(Association.objects.visible_to(user).values_list("name", flat=True))


def test_one_access_rule_for_every_role(world):
    assert visible(AnonymousUser()) == []
    assert visible(UserFactory(role=Role.ADMIN, authority=None)) == ["Minalogic", "SCS", "Voisine"]
    for role in [Role.ADMIN, Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER]:
        assert visible(UserFactory(role=role, authority=world["amp"])) == ["SCS", "Voisine"]
    assert visible(ManagerFactory(associations=[world["scs"]])) == ["SCS"]
    assert visible(ManagerFactory(associations=[world["scs"], world["minalogic"]])) == [
        "Minalogic",
        "SCS",
    ]
    assert visible(ManagerFactory()) == []
