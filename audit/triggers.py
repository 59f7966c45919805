"""Append-only tables: a PostgreSQL trigger refuses every UPDATE and DELETE.

`pgtrigger.Protect` alone can be switched off per session with ``SET pgtrigger.ignore = …``,
which any database role may do; the trigger here is compiled without that escape, so plain
SQL through the app's connection cannot edit or remove an entry either. (The owner of a table
can still drop a trigger; in production the migrations run as a separate owner role, see
docs/architecture.md, “Logboek”.)
"""

from __future__ import annotations

import re

import pgtrigger
from pgtrigger import compiler

_IGNORE_CHECK = re.compile(
    r"IF \(\{ignore_func_name\}\(TG_NAME\) IS TRUE\) THEN.*?END IF;\s*END IF;", re.DOTALL
)


class StrictUpsertTriggerSql(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without the per-session ``pgtrigger.ignore`` switch."""

    def get_template(self) -> str:
        template, found = _IGNORE_CHECK.subn("", super().get_template())
        if found != 1:  # pragma: no cover - only when pgtrigger changes its template
            raise RuntimeError("pgtrigger's trigger template changed: review audit/triggers.py")
        return template


class AppendOnly(pgtrigger.Protect):
    """Refuses UPDATE and DELETE on the table, whoever asks."""

    def __init__(self, name: str = "append_only") -> None:
        super().__init__(name=name, operation=pgtrigger.Update | pgtrigger.Delete)

    def get_func(self, model) -> str:
        return self.format_sql(
            """
            RAISE EXCEPTION 'Het logboek (%) kan alleen worden aangevuld: % is niet toegestaan.',
                TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
            """
        )

    def compile(self, model) -> compiler.Trigger:
        compiled = super().compile(model)
        return compiler.Trigger(
            name=compiled.name, sql=StrictUpsertTriggerSql(**compiled.sql.kwargs)
        )
