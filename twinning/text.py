"""Folding text for matching: case and accents do not count, so "brunn" matches "Brünn".

The same folding runs in Python (for highlighting) and, on SQLite, inside the database as the
function ``twinning_fold`` registered on every connection. On PostgreSQL the database folds
with ``lower(unaccent(...))`` instead.
"""

import unicodedata

from django.db.models import Func, TextField

# Letters that do not decompose into a base letter and a mark.
_EXTRA = str.maketrans({"ß": "ss", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i"})


def fold(text):
    """Lower-case ``text`` and strip its accents: "Brünn" → "brunn", "ХАРКІВ" → "харків"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA)


class Fold(Func):
    """``fold(expression)`` in SQL: lower(unaccent(x)) on PostgreSQL, twinning_fold(x) on SQLite."""

    output_field = TextField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="lower(unaccent(%(expressions)s))", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="twinning_fold", **extra_context)


def register_sqlite_functions(sender, connection, **kwargs):
    """Give each new SQLite connection the ``twinning_fold`` function the search uses."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("twinning_fold", 1, fold, deterministic=True)
