"""The login backends, reading the logged-in user with one plain SQL statement.

Every page a logged-in user asks for loads the user named in the session, a cached page too,
and building the ORM query for that one row cost more than the query itself. Logging in
(``authenticate``) and permissions are Django's and allauth's, unchanged.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from socialquality.rows import instance_from_row


class PlainUserRead:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        connection = connections[router.db_for_read(model)]
        fields = list(model._meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {pk_column} = %s", [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = instance_from_row(model, fields, row, connection)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(PlainUserRead, DjangoModelBackend):
    pass


class AuthenticationBackend(PlainUserRead, AllauthBackend):
    pass
