from django import template

register = template.Library()


@register.filter
def passed(checks):
    """The checks that passed (shown collapsed, after the problems)."""
    return [check for check in checks if check.ok]


@register.filter
def problems(checks):
    """The checks that did not pass: shown first, in full."""
    return [check for check in checks if not check.ok]
