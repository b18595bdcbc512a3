"""The number proposed for a new convention, from its authority's pattern
(Authority.convention_number_pattern, e.g. "{year}-CONV-{seq:04d}" → 2026-CONV-0001)."""

from django.db import transaction

from conventions.models import Convention


def format_number(pattern, year, seq):
    return pattern.format(year=year, seq=seq)


def propose_number(authority, year):
    """The first free number of the year: the rank after the year's conventions, skipping any
    number already taken (typed by hand or from an earlier pattern)."""
    with transaction.atomic():
        numbers = Convention.objects.filter(authority=authority)
        seq = Convention.objects.filter(authority=authority, year=year).count() + 1
        number = format_number(authority.convention_number_pattern, year, seq)
        while numbers.filter(number=number).exists():
            seq += 1
            number = format_number(authority.convention_number_pattern, year, seq)
        return number
