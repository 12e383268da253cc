"""Folding text for matching: case and accents do not count, so "brunn" matches "Brünn".

The same folding runs in Python (for highlighting) and, on SQLite, inside the database as the
function ``twinning_fold`` registered on every connection. On PostgreSQL ``twinning_fold`` is
an SQL function, ``lower(unaccent(...))`` declared IMMUTABLE so that folded names can be indexed
(twinning/migrations/0004_indexed_search.py).
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
    """``fold(expression)`` in SQL: ``twinning_fold(x)``, the SQL function lower(unaccent(x)) on
    PostgreSQL and the Python function ``fold`` on SQLite."""

    function = "twinning_fold"
    output_field = TextField()
    arity = 1


def register_sqlite_functions(sender, connection, **kwargs):
    """Give each new SQLite connection the ``twinning_fold`` function the search uses."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("twinning_fold", 1, fold, deterministic=True)
