"""Every public page, and the stylesheet, through the Nu Html Checker (vnu.jar from the npm
package vnu-jar, run with the machine's Java): zero errors. Warnings are printed, not failed.

The pages are fetched with Django's test client, written to a temporary folder and checked in
one run of the checker (starting Java once takes longer than checking fifty pages).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.pages import public_pages
from tests.browser.support import ROOT, VNU_JAR, add_closed_appeal, load_initial_content, unavailable

STYLESHEET = ROOT / "static" / "css" / "site.css"


def nu_check(paths):
    """The checker's messages for the given files, as a list of dicts (url, type, message, ...)."""
    if not VNU_JAR.exists():
        unavailable("The Nu Html Checker is not installed", "make install (runs npm ci)")
    java = shutil.which("java")
    if not java:
        unavailable("Java was not found", "apt-get install default-jre-headless")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(result.stdout)["messages"]


def is_error(message):
    return message["type"] == "error" or message.get("subType") == "fatal"


def describe(message, names):
    where = names.get(message.get("url", "").removeprefix("file:"), message.get("url", ""))
    line = message.get("lastLine", "?")
    extract = " ".join(message.get("extract", "").split())
    return f"{where}, line {line}: {message['message']}  [{extract}]"


@pytest.mark.django_db
def test_every_public_page_is_valid_html(client, tmp_path):
    load_initial_content()
    add_closed_appeal()
    names = {}
    for number, (label, path) in enumerate(public_pages()):
        file = tmp_path / f"page-{number:03}.html"
        file.write_bytes(client.get(path).content)
        names[str(file)] = f"{label} ({path})"
    css = tmp_path / "site.css"
    shutil.copy(STYLESHEET, css)
    names[str(css)] = "static/css/site.css"

    messages = nu_check(sorted(Path(p) for p in names))

    warnings = [describe(m, names) for m in messages if not is_error(m)]
    if warnings:
        print("Nu Html Checker warnings:\n" + "\n".join(warnings))
    errors = [describe(m, names) for m in messages if is_error(m)]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
    assert len(names) > 50


def test_the_checker_finds_errors(tmp_path):
    """The check can fail: a page with a stray end tag and a duplicate id is reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head>'
        '<body><p id="a">one</p><p id="a">two</div></body></html>'
    )
    errors = [m["message"] for m in nu_check([page]) if is_error(m)]
    assert any("Duplicate ID" in e for e in errors)
    assert any("Stray end tag" in e for e in errors)


@pytest.mark.django_db
def test_the_proposed_change_pages_are_valid_html(world, staff_groups, tmp_path):
    """The pages this project adds to the admin for proposed changes: the review of a proposal
    (waiting, and overtaken by a later change), the list, and the index for a Publisher and
    for an Editor. (The admin's own change forms are Django's and are not checked here.)"""
    from django.urls import reverse

    from tests.test_proposed_changes import LIST, edit, propose_summary, review_url, signed_in, staff

    editor = signed_in(staff("edna", "Editor"))
    publisher = signed_in(staff("pat", "Publisher"))
    waiting = propose_summary(editor, world.leeds_kharkiv, sources=[str(world.bbc.pk)])
    overtaken = propose_summary(editor, world.leeds_lille, summary="Proposed.")
    edit(publisher, world.leeds_lille, summary="Changed meanwhile.")
    pages = {
        "review": publisher.get(review_url(waiting)),
        "review of an overtaken proposal": publisher.get(review_url(overtaken)),
        "list": publisher.get(LIST),
        "index for a Publisher": publisher.get(reverse("admin:index")),
        "index for an Editor": editor.get(reverse("admin:index")),
    }
    names = {}
    for number, (label, response) in enumerate(pages.items()):
        assert response.status_code == 200, label
        file = tmp_path / f"admin-{number}.html"
        file.write_bytes(response.content)
        names[str(file)] = label
    errors = [describe(m, names) for m in nu_check(sorted(Path(p) for p in names)) if is_error(m)]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
