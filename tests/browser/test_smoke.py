"""The machinery the other browser tests rely on: the live server serves pages and static files,
and the list of public pages covers every public route."""

import pytest

from tests.browser.pages import expected_status, public_pages, uncovered_routes
from tests.browser.support import add_closed_appeal, load_initial_content


@pytest.mark.django_db
def test_every_public_route_is_in_the_page_list():
    load_initial_content()
    add_closed_appeal()
    pages = public_pages()
    assert uncovered_routes(pages) == [], "add these pages to tests/browser/pages.py"
    # and the list is not trivially small: every city, link, statement, person and appeal
    assert len(pages) > 50


@pytest.mark.django_db
def test_every_listed_page_answers_as_expected(client):
    load_initial_content()
    add_closed_appeal()
    wrong = []
    for label, path in public_pages():
        status = client.get(path).status_code
        if status != expected_status(path):
            wrong.append((label, path, status))
    assert wrong == []


def test_live_server_serves_the_stylesheet(site, page):
    response = page.goto("/static/css/site.css")
    assert response.status == 200
    assert "text/css" in response.headers["content-type"]
    page.goto("/")
    # the stylesheet is applied: the header is dark, not the browser's default transparent
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(11, 12, 12)"
