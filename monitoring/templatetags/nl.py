from django import template

from monitoring.formatting import decimals_for_unit, nl_number

register = template.Library()


@register.filter
def nl(value, decimals=0):
    """Dutch number: ``{{ 1234.5|nl:1 }}`` → ``1.234,5``."""
    return nl_number(value, int(decimals))


@register.filter
def nl_unit(value, unit):
    """Dutch number with the number of decimals that suits the unit."""
    return nl_number(value, decimals_for_unit(unit or ""))
