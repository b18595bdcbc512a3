import pytest
from django.core.exceptions import ValidationError

from grants.validators import validate_rna, validate_siren, validate_siret


def test_the_seed_authorities_sirens_are_valid():
    validate_siren("244200770")  # Saint-Étienne Métropole
    validate_siren("200054807")  # Métropole Aix-Marseille-Provence


def test_siren_with_a_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siren("244200771")


@pytest.mark.parametrize("value", ["24420077", "2442007700", "24420077A"])
def test_siren_must_have_nine_digits(value):
    with pytest.raises(ValidationError, match="9 chiffres"):
        validate_siren(value)


def test_siret_is_checked():
    validate_siret("24420077000018")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siret("24420077000017")
    with pytest.raises(ValidationError, match="14 chiffres"):
        validate_siret("2442007700001")


@pytest.mark.parametrize("value", ["W133012345", "w133012345"])
def test_rna_is_w_and_nine_digits(value):
    validate_rna(value)


@pytest.mark.parametrize("value", ["W13301234", "X133012345", "133012345", "W1330123456"])
def test_malformed_rna_is_refused(value):
    with pytest.raises(ValidationError, match="W suivi de 9 chiffres"):
        validate_rna(value)
