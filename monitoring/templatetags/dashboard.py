"""Small template helpers for the dashboards."""

from django import template
from django.utils.safestring import mark_safe

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


@register.filter
def change(value, direction=1):
    """A change as a cell: its arrow text, its better/worse class and its words (``said``)."""
    return change_cell(value, 0, int(direction))


@register.simple_tag(takes_context=True)
def data_table(context, table, sortable=False):
    """A chart's table as HTML; with ``sortable`` its headers link to ``?sorteer=…``."""
    sort = None
    if sortable:
        request = context["request"]
        current = context["params"].sort
        sort = {}
        for column in table.html_columns:
            key = column.sort_key
            if not key:
                continue
            query = request.GET.copy()
            for name in ("format", "tabel"):
                query.pop(name, None)
            first, second = (
                ("ascending", "descending") if key == "naam" else ("descending", "ascending")
            )
            if current == key:
                query["sorteer"] = f"-{key}"
                aria = first
            else:
                query["sorteer"] = key
                aria = second if current == f"-{key}" else None
            sort[key] = (f"?{query.urlencode()}", aria)
    # Safe: to_html escapes every text it puts in.
    return mark_safe(table.to_html(sort))
