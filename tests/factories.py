"""Factories for every model of the foundation. Apps add theirs in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from associations.models import Association, GovernanceChange, StructureType, ThematicDomain
from grants.models import Authority, Grant, Role, User

# Valid SIRENs (Luhn): generated from a base by computing the check digit.


def luhn_complete(prefix):
    """Append the Luhn check digit that makes `prefix` + digit valid."""
    for digit in "0123456789":
        number = prefix + digit
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ["siren"]

    name = factory.Sequence(lambda n: f"Métropole de test {n}")
    siren = factory.Sequence(lambda n: luhn_complete(f"2{n:07d}"))
    department_code = "013"
    default_advance_percentage = Decimal("80.00")


class StructureTypeFactory(DjangoModelFactory):
    class Meta:
        model = StructureType
        django_get_or_create = ["name"]

    name = "Pôle de compétitivité"


class ThematicDomainFactory(DjangoModelFactory):
    class Meta:
        model = ThematicDomain
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Domaine {n}")


class AssociationFactory(DjangoModelFactory):
    class Meta:
        model = Association

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Association {n:04d}")
    structure_type = factory.SubFactory(StructureTypeFactory)
    city = "Marseille"
    representative_civility = "M."
    representative_name = "Jean DUPONT"
    representative_title = "Président"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.INSTRUCTOR
    authority = factory.SubFactory(AuthorityFactory)
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def associations(self, create, extracted, **kwargs):
        if create and extracted:
            self.managed_associations.set(extracted)
        if create:
            self.save()


class ManagerFactory(UserFactory):
    role = Role.MANAGER
    authority = None


class GrantFactory(DjangoModelFactory):
    class Meta:
        model = Grant

    association = factory.SubFactory(AssociationFactory)
    authority = factory.SelfAttribute("association.authority")
    year = 2024
    amount = Decimal("62500.00")
    object = "Subvention de fonctionnement global"


class GovernanceChangeFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceChange

    association = factory.SubFactory(AssociationFactory)
    kind = GovernanceChange.Kind.BOARD
    effective_date = factory.Faker("date_object")
    summary = "Renouvellement du bureau"
