"""Bank details: IBAN/BIC checks, a change in force only once staff validated it, history,
permissions (404 across associations and authorities), the RIB download."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from associations.bank import services
from associations.models import BankDetails
from grants.models import Role
from tests.associations.bank.factories import (
    OTHER_BIC,
    OTHER_IBAN,
    VALID_BIC,
    VALID_IBAN,
    BankDetailsFactory,
    rib_upload,
)
from tests.conventions.justificatifs.factories import upload
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


# ---- IBAN and BIC ----------------------------------------------------------------------------


def test_a_valid_iban_is_kept_compact_and_in_capitals():
    assert services.clean_iban(" fr76 3000 6000 0112 3456 7890 189 ") == VALID_IBAN


def test_an_iban_with_a_wrong_key_is_refused():
    with pytest.raises(ValidationError) as error:
        services.clean_iban("FR7730006000011234567890189")
    assert error.value.messages[0].startswith(
        "IBAN invalide : la clé de contrôle ne correspond pas"
    )


def test_an_iban_of_the_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        services.clean_iban("FR763000600001123456789018")
    assert error.value.messages == [
        "IBAN invalide : un IBAN de ce pays compte 27 caractères, celui-ci en compte 26."
    ]


def test_an_iban_with_an_unknown_country_is_refused():
    with pytest.raises(ValidationError) as error:
        services.clean_iban("ZZ7630006000011234567890189")
    assert error.value.messages[0].startswith("IBAN invalide")


@pytest.mark.parametrize("value", ["agri fr pp", "AGRIFRPPXXX", "agrifrppxxx"])
def test_a_valid_bic_is_normalised(value):
    assert services.clean_bic(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize(
    "value, words", [("AGRIFRP", "8 ou 11"), ("AGRI12PP", "BIC invalide"), ("", "Indiquez")]
)
def test_a_bad_bic_is_refused(value, words):
    with pytest.raises(ValidationError) as error:
        services.clean_bic(value)
    assert words in error.value.messages[0]


# ---- the change takes effect only once validated ---------------------------------------------


@pytest.fixture
def scs():
    return AssociationFactory(name="SCS")


@pytest.fixture
def manager(scs):
    return ManagerFactory(associations=[scs])


@pytest.fixture
def instructor(scs):
    return UserFactory(role=Role.INSTRUCTOR, authority=scs.authority)


def submit(association, user, iban=OTHER_IBAN, bic=OTHER_BIC, rib=None):
    return services.bank_details_submit(
        association=association,
        user=user,
        iban=iban,
        bic=bic,
        holder="Solutions Communicantes Sécurisées",
        rib=rib or rib_upload(),
    )


def test_a_change_takes_effect_only_once_validated(scs, manager, instructor):
    old = BankDetailsFactory(association=scs)
    change = submit(scs, manager, iban="fr14 2004 1010 0505 0001 3m02 606", bic="psstfrppmar")
    assert change.status == BankDetails.Status.PENDING
    assert (change.iban, change.bic) == (OTHER_IBAN, OTHER_BIC)
    assert change.rib_file.read().startswith(b"%PDF-")
    assert BankDetails.objects.in_force(scs) == old

    services.bank_details_validate(change, instructor)
    change.refresh_from_db()
    assert change.decided_by == instructor
    assert BankDetails.objects.in_force(scs) == change
    assert BankDetails.objects.in_force(scs).iban == OTHER_IBAN
    statuses = list(change.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["en_attente", "valide"]
    assert BankDetails.objects.filter(association=scs).count() == 2  # the old row stays


def test_a_refusal_keeps_the_previous_details(scs, manager, instructor):
    old = BankDetailsFactory(association=scs)
    change = submit(scs, manager)
    with pytest.raises(ValidationError):
        services.bank_details_refuse(change, instructor, reason="  ")
    services.bank_details_refuse(change, instructor, reason="Le RIB porte un autre titulaire.")
    change.refresh_from_db()
    assert change.status == BankDetails.Status.REFUSED
    assert BankDetails.objects.in_force(scs) == old
    with pytest.raises(ValidationError, match="déjà examinées"):
        services.bank_details_validate(change, instructor)


def test_one_pending_change_at_a_time(scs, manager):
    submit(scs, manager)
    with pytest.raises(ValidationError, match="déjà en attente"):
        submit(scs, manager)


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(scs, manager):
    with pytest.raises(ValidationError) as error:
        submit(
            scs,
            manager,
            iban="FR7730006000011234567890189",
            bic="AGRIFRP",
            rib=upload("rib.pdf", b"not a pdf at all"),
        )
    assert set(error.value.message_dict) == {"iban", "bic", "rib"}
    assert not BankDetails.objects.exists()


def test_who_submits_never_validates(scs):
    instructor = UserFactory(role=Role.INSTRUCTOR, authority=scs.authority)
    change = submit(scs, instructor)
    with pytest.raises(PermissionDenied):
        services.bank_details_validate(change, instructor)
    services.bank_details_validate(change, UserFactory(role=Role.ADMIN, authority=scs.authority))
    assert BankDetails.objects.in_force(scs) == change


def test_finance_and_other_authorities_do_not_validate(scs, manager):
    change = submit(scs, manager)
    for user in [
        UserFactory(role=Role.FINANCE, authority=scs.authority),
        UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory()),
        manager,
    ]:
        with pytest.raises(PermissionDenied):
            services.bank_details_validate(change, user)


def test_another_associations_manager_cannot_submit(scs):
    with pytest.raises(PermissionDenied):
        submit(scs, ManagerFactory(associations=[AssociationFactory(authority=scs.authority)]))


# ---- pages -----------------------------------------------------------------------------------


def test_the_manager_submits_from_the_association_page(client, scs, manager):
    BankDetailsFactory(association=scs)
    client.force_login(manager)
    page = client.get(reverse("association_detail", args=[scs.pk])).content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in page
    url = reverse("bank_details_submit", args=[scs.pk])
    assert url in page
    response = client.post(
        url,
        {"holder": "SCS", "iban": "FR7730006000011234567890189", "bic": VALID_BIC,
         "rib": rib_upload()},
    )  # fmt: skip
    assert "IBAN invalide : la clé de contrôle ne correspond pas" in response.content.decode()
    assert 'value="FR7730006000011234567890189"' in response.content.decode()  # kept
    response = client.post(
        url, {"holder": "SCS", "iban": OTHER_IBAN, "bic": OTHER_BIC, "rib": rib_upload()}
    )
    assert response.status_code == 302
    page = client.get(reverse("association_detail", args=[scs.pk])).content.decode()
    assert "en attente de validation" in page
    assert "FR76 3000 6000 0112 3456 7890 189" in page  # still in force


def test_staff_validate_from_the_pending_list(client, scs, manager, instructor):
    change = submit(scs, manager)
    elsewhere = AssociationFactory()
    submit(elsewhere, ManagerFactory(associations=[elsewhere]))  # another authority's
    client.force_login(instructor)
    page = client.get(reverse("bank_details_pending")).content.decode()
    assert "1 changement en attente" in page
    review = reverse("bank_details_review", args=[change.pk])
    assert review in page
    assert "FR14 2004 1010 0505 0001 3M02 606" in client.get(review).content.decode()
    response = client.post(review, {"action": "validate"})
    assert response.status_code == 302
    assert BankDetails.objects.in_force(scs) == change


def test_refusal_from_the_review_page_needs_a_reason(client, scs, manager, instructor):
    change = submit(scs, manager)
    client.force_login(instructor)
    review = reverse("bank_details_review", args=[change.pk])
    response = client.post(review, {"action": "refuse", "reason": ""})
    assert "Ce champ est obligatoire" in response.content.decode()
    client.post(review, {"action": "refuse", "reason": "Titulaire différent du RIB."})
    change.refresh_from_db()
    assert change.refusal_reason == "Titulaire différent du RIB."


def test_the_pending_list_runs_a_fixed_number_of_queries(
    client, instructor, django_assert_max_num_queries
):
    for _ in range(5):
        BankDetailsFactory(
            association=AssociationFactory(authority=instructor.authority),
            status=BankDetails.Status.PENDING,
            decided_at=None,
        )
    client.force_login(instructor)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("bank_details_pending"))
    assert response.content.decode().count("/coordonnees-bancaires/") == 5


def test_the_pending_list_is_for_staff(client, manager):
    client.force_login(manager)
    assert client.get(reverse("bank_details_pending")).status_code == 403


def test_rib_download_permissions(client, scs, manager):
    details = submit(scs, manager)
    url = reverse("bank_details_rib", args=[details.pk])
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for other in [
        ManagerFactory(associations=[AssociationFactory(authority=scs.authority)]),
        UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory()),
    ]:
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(reverse("bank_details_review", args=[details.pk])).status_code == 404
        assert client.get(reverse("bank_details_submit", args=[scs.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.FINANCE, authority=scs.authority))
    assert client.get(url).status_code == 200
    assert client.get(reverse("bank_details_submit", args=[scs.pk])).status_code == 403


def test_a_manager_cannot_validate_through_the_page(client, scs, manager):
    details = submit(scs, manager)
    client.force_login(manager)
    response = client.post(
        reverse("bank_details_review", args=[details.pk]), {"action": "validate"}
    )
    assert response.status_code == 403
    assert BankDetails.objects.in_force(scs) is None
