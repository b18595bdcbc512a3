"""Helpers for the open-data tests: grants that can be published, and the official validator."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

from frictionless import Resource, Schema
from stdnum.fr import siret as stdnum_siret

from deliberations.models import Session
from grants.opendata.scdl import SCHEMA_PATH
from tests.deliberations.factories import BodyFactory, adopted_deliberation, make_session
from tests.factories import AssociationFactory, AuthorityFactory, GrantFactory, luhn_complete
from tests.grants.finance.factories import ConventionFactory

DATA = Path(__file__).with_name("data")
VALID_EXAMPLE = DATA / "exemple-valide.csv"
INVALID_CELLS = DATA / "exemple-invalide-erreurs-cellules.csv"
INVALID_COLUMNS = DATA / "exemple-invalide-erreurs-colonnes.csv"
ANTIBES_SIRET = "21060004500392"


def siret_for(prefix):
    """A Luhn-valid SIRET starting with `prefix` (8 digits)."""
    siren = luhn_complete(prefix)
    for nic in range(10, 100):
        candidate = f"{siren}{nic:05d}"
        if stdnum_siret.is_valid(candidate):
            return candidate
    raise AssertionError("no NIC found")


def authority_with_siret(**kwargs):
    authority = AuthorityFactory(**kwargs)
    if not authority.siret:
        authority.siret = siret_for(authority.siren[:8])
        authority.save(update_fields=["siret"])
    return authority


def antibes():
    return AuthorityFactory(name="ANTIBES", siren=ANTIBES_SIRET[:9], siret=ANTIBES_SIRET)


_counter = iter(range(1000, 10_000_000))


def association_with_siret(authority, **kwargs):
    number = next(_counter)
    siret = siret_for(f"7{number:07d}")
    return AssociationFactory(authority=authority, siret=siret, siren=siret[:9], **kwargs)


def published_grant(authority, amount="66000.00", year=2024, **kwargs):
    """A grant of an adopted deliberation with a convention signed by both parties."""
    association = kwargs.pop("association", None) or association_with_siret(authority)
    date = datetime.date(year, 6, 13)
    session = Session.objects.filter(body__authority=authority, date=date).first()
    if session is None:
        body = BodyFactory(authority=authority)
        session = make_session(
            in_office=5,
            present=5,
            proxies=0,
            body=body,
            date=date,
            convocation_date=date - datetime.timedelta(days=6),
        )
    deliberation = adopted_deliberation(session)
    grant = GrantFactory(
        authority=authority,
        association=association,
        deliberation=deliberation,
        year=year,
        amount=Decimal(amount),
        **kwargs,
    )
    ConventionFactory(
        authority=authority,
        association=association,
        deliberation=deliberation,
        year=year,
        grants=[grant],
        association_signed_at=datetime.date(year, 7, 2),
        authority_signed_at=datetime.date(year, 7, 9),
    )
    return grant


def schema():
    return Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def validate_scdl(path):
    """Errors of the official validator (frictionless) plus the schema's two custom checks."""
    path = Path(path)
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema()).validate()
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors]
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            for column in ("idAttribuant", "idBeneficiaire"):
                if row.get(column) and not stdnum_siret.is_valid(row[column]):
                    errors.append(f"french-siret-value: ligne {number} {column}")
            if not row.get("idBeneficiaire") and not row.get("rnaBeneficiaire"):
                errors.append(f"one-of-required: ligne {number}")
    return errors


def read_rows(text):
    return list(csv.DictReader(io.StringIO(text)))
