"""export_content and import_content round-trip every row exactly: content, history (with who
made each change), sources and staff accounts; within one database and from SQLite to the
database under test (PostgreSQL in CI)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from partnerships.models import Link
from tests.admin_forms import read_form
from tests.conftest import ensure_staff_groups
from twinning import backup

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def assert_same_rows(before, after):
    """Every table, every row, every column equal; the first difference is named."""
    assert sorted(before) == sorted(after)
    for label in before:
        assert len(before[label]) == len(after[label]), label
        for a, b in zip(before[label], after[label], strict=True):
            assert a == b, (label, {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)})


def edited_site(client, site):
    """The site world after two admin edits by a publisher: history entries with a user,
    changed sources, a staff profile."""
    ensure_staff_groups()
    user = User.objects.create_user("alice", password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="Publisher"))
    from twinning.models import StaffProfile

    StaffProfile.objects.create(user=user, council=site.leeds)
    client.force_login(user)
    url = f"/admin/partnerships/link/{site.leeds_kharkiv.pk}/change/"
    data = read_form(client.get(url))
    data.update(summary="Edited once.", sources=[str(site.bbc.pk), str(site.council.pk)])
    assert client.post(url, data).status_code == 302
    data = read_form(client.get(url))
    data.update(summary="Edited twice: “quotes”, Харків, 100%.")
    assert client.post(url, data).status_code == 302
    # An Editor's change to the published link: kept as a proposed change.
    editor = User.objects.create_user("edna", password="correct horse battery staple", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    data = read_form(client.get(url))
    data.update(summary="Proposed by an editor.", sources=[str(site.bbc.pk)])
    assert client.post(url, data).status_code == 302


def test_round_trip_is_exact(client, site, tmp_path):
    edited_site(client, site)
    before = backup.snapshot()
    assert len(before["partnerships.HistoricalLink"]) > len(before["partnerships.Link"])
    assert any(row["history_user_id"] for row in before["partnerships.HistoricalLink"])
    assert before["partnerships.HistoricalLink_sources"]
    assert before["appeals.DonationRoute"] and before["appeals.HistoricalAppeal_cities"]
    assert before["twinning.ProposedChange"][0]["fields"] == {"summary": "Proposed by an editor."}

    file = tmp_path / "backup.json"
    call_command("export_content", str(file))
    backup.clear()
    assert not Link.objects.exists() and not User.objects.exists()

    call_command("import_content", str(file))
    assert_same_rows(before, backup.snapshot())
    # The site works on the restored data: pages render, and new ids do not clash.
    assert client.get(site.leeds_kharkiv.get_absolute_url()).status_code == 200
    assert Link.objects.create(city_a=site.brno, city_b=site.liverpool, kind="mou").pk > max(
        row["id"] for row in before["partnerships.Link"]
    )


def test_import_refuses_a_database_that_has_content(site, tmp_path):
    file = tmp_path / "backup.json"
    call_command("export_content", str(file))
    before = backup.snapshot()
    with pytest.raises(CommandError, match="already holds content"):
        call_command("import_content", str(file))
    assert backup.snapshot() == before


def test_the_file_is_ordered_json_with_primary_keys(site, tmp_path):
    file = tmp_path / "backup.json"
    call_command("export_content", str(file))
    records = json.loads(file.read_text())
    links = [r for r in records if r["model"] == "partnerships.link"]
    assert [r["pk"] for r in links] == sorted(r["pk"] for r in links)
    assert all("pk" in r for r in records if r["model"] != "auth.user" or True)


def test_from_sqlite_to_the_database_under_test(client, tmp_path):
    """A separate Django process fills a fresh SQLite database (the initial content, an edit
    with its history) and exports it; this database imports it; every row is compared."""
    sqlite = tmp_path / "source.sqlite3"
    file = tmp_path / "backup.json"
    expected = tmp_path / "snapshot.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{sqlite}", DJANGO_SETTINGS_MODULE="twinning.settings_test")
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('load_initial_content', verbosity=0)\n"
        "from django.contrib.auth.models import User\n"
        "from partnerships.models import Link\n"
        "user = User.objects.create_user('bob', password='correct horse battery staple', is_staff=True)\n"
        "link = Link.objects.order_by('pk').first()\n"
        "link._history_user = user\n"
        "link.summary = 'Changed in SQLite by bob.'\n"
        "link.save()\n"
        f"call_command('export_content', {str(file)!r})\n"
        "from twinning.backup import snapshot_json\n"
        f"open({str(expected)!r}, 'w').write(snapshot_json())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]

    backup.clear()
    call_command("import_content", str(file))
    assert_same_rows(json.loads(expected.read_text()), json.loads(backup.snapshot_json()))
    assert Link.history.filter(summary="Changed in SQLite by bob.", history_user__username="bob").exists()
    print(f"imported into {connection.vendor}")
