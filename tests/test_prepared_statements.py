"""On PostgreSQL a statement the site runs again and again is prepared once per connection
(docs/adr/0067-prepared-statements-on-postgresql.md)."""

import pytest
from django.db import connection

from partnerships.models import City

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_five_times_is_prepared():
    query = City.objects.filter(slug="nowhere-at-all")
    list(query)
    assert not any("partnerships_city" in sql for sql in prepared_statements())
    for _ in range(5):
        list(query.all())
    assert any('FROM "partnerships_city"' in sql for sql in prepared_statements())
