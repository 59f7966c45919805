"""Small template helpers for the dashboards."""

from django import template

from monitoring.charts import change_cell

register = template.Library()


@register.filter
def mul100(value):
    """A fraction as a percentage number: ``0.75`` → ``75.0``; empty stays empty."""
    return None if value is None else value * 100


@register.filter
def signed(value, decimals=0):
    """A change with its arrow and sign: ``▲ +3``, ``▼ −2``, ``= 0``."""
    return change_cell(value, int(decimals)).text
