"""French display of money and numbers: 66 000,00 €."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

NBSP = "\u00a0"


def format_amount(value, places=2):
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,.{places}f}"
    integer, _, decimals = text.partition(".")
    integer = integer.replace(",", NBSP)
    return f"{sign}{integer},{decimals}" if places else f"{sign}{integer}"


@register.filter
def euros(value):
    """66000 → '66 000,00 €' (non-breaking spaces)."""
    amount = format_amount(value)
    return f"{amount}{NBSP}€" if amount else ""


@register.filter
def euros0(value):
    """66000 → '66 000 €', for budgets printed without cents."""
    amount = format_amount(value, places=0)
    return f"{amount}{NBSP}€" if amount else ""


@register.filter
def number_fr(value, places=0):
    return format_amount(value, places=int(places))


@register.filter
def percent_fr(value, places=1):
    amount = format_amount(value, places=int(places))
    return f"{amount}{NBSP}%" if amount else ""


@register.filter
def percent_short(value):
    """80.00 → '80 %', 62.50 → '62,5 %' (only the decimals that say something)."""
    text = f"{Decimal(value).normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs):
    """The current query string with some parameters replaced (for pagination and sorting)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, numeric=False):
    """`{% sort_header "year" "Exercice" %}`: a sortable column header (numeric=True aligns it
    right). Written in Python: a list has five to nine of them, and the include it replaces
    cost a list page about 2 ms."""
    current = context["request"].GET.get("ordering", "")
    if current == key:
        sort, arrow, target = ' aria-sort="ascending"', " ▲", "-" + key
    elif current == "-" + key:
        sort, arrow, target = ' aria-sort="descending"', " ▼", key
    else:
        sort, arrow, target = "", "", key
    query = query_transform(context, ordering=target, page="")
    return format_html(
        '<th scope="col"{}{}>\n  <a href="?{}">{}{}</a>\n</th>',
        mark_safe(' class="num"' if numeric else ""),
        mark_safe(sort),
        query,
        label,
        arrow,
    )


def plural(count, singular, plural_form=None):
    """« 0 pièce », « 1 pièce », « 2 pièces »: in French 0 and 1 take the singular. The one helper
    for counted words (pages, checks, messages)."""
    return f"{count} {singular if abs(count) < 2 else (plural_form or singular + 's')}"


@register.filter
def compte(count, forms):
    """{{ n|compte:"pièce,pièces" }} → « 1 pièce », « 3 pièces » (plural defaults to +s)."""
    singular, _, plural_form = str(forms).partition(",")
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = len(count) if hasattr(count, "__len__") else 0
    return plural(number, singular, plural_form or None)
