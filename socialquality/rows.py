"""Model instances from rows read with plain SQL, as the ORM would build them."""

from __future__ import annotations

from collections.abc import Sequence


def instance_from_row(model, fields: Sequence, values: Sequence, connection):
    """An instance of ``model`` from the values of ``fields`` (in that order), each through its
    field's own conversion from the database; fields not given stay deferred."""
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)
