"""Small template helpers for the dashboards."""

from django import template

register = template.Library()


@register.filter
def mul100(value):
    """A fraction as a percentage number: ``0.75`` → ``75.0``; empty stays empty."""
    return None if value is None else value * 100
