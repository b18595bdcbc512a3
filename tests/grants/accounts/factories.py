"""Factories of the accounts that associations open themselves."""

import factory
from factory.django import DjangoModelFactory

from grants.models import AccountSignup, AssociationAccessRequest
from tests.factories import AssociationFactory, ManagerFactory


class AccountSignupFactory(DjangoModelFactory):
    class Meta:
        model = AccountSignup

    user = factory.SubFactory(ManagerFactory, is_active=False)
    authority = factory.SubFactory("tests.factories.AuthorityFactory")


class AccessRequestFactory(DjangoModelFactory):
    class Meta:
        model = AssociationAccessRequest

    user = factory.SubFactory(ManagerFactory)
    association = factory.SubFactory(AssociationFactory, siren="494233885")
    authority = factory.SelfAttribute("association.authority")
    siren = "494233885"
