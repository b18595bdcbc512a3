"""The import streams its file: 10 000 rows take no more memory than 1 000."""

import tracemalloc

import pytest

from grants.models import Grant, ImportBatch
from grants.opendata import scdl, services
from tests.grants.opendata.factories import authority_with_siret, siret_for

pytestmark = pytest.mark.django_db


def write_rows(path, authority, count):
    beneficiaries = [siret_for(f"8{n:07d}") for n in range(20)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(scdl.COLUMNS) + "\n")
        for n in range(count):
            handle.write(
                f"Métropole,{authority.siret},2023-05-03,D-{n},Association {n % 20},"
                f"{beneficiaries[n % 20]},,Fonctionnement {n},{1000 + n}.50,aide en numéraire,"
                "unique,2023-06-01,,non,1,\n"
            )


def peak_of_import(tmp_path, authority, count):
    path = tmp_path / f"{count}.csv"
    write_rows(path, authority, count)
    batch = ImportBatch.objects.create(authority=authority, original_name=path.name)
    tracemalloc.start()
    try:
        report = services.run_import(
            batch,
            lambda: path.open("rb"),
            path.stat().st_size,
            commit=True,
            authority=authority,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.imported == count and report.refused == 0
    return peak


def test_import_of_10000_rows_runs_in_constant_memory(tmp_path):
    small = peak_of_import(tmp_path, authority_with_siret(), 1_000)
    large = peak_of_import(tmp_path, authority_with_siret(), 10_000)
    assert Grant.objects.count() == 11_000
    # Ten times the rows: the peak stays that of one chunk (a linear growth would be ×10).
    print(f"peak 1 000 rows: {small} B, 10 000 rows: {large} B")
    assert large < small * 1.5, (small, large)
