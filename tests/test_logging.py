"""Structured logs: JSON lines for errors and staff actions, and nothing about visitors."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.admin_forms import read_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_groups")]
VISITOR_IP = "203.0.113.77"
VISITOR_AGENT = "SecretBrowser/9.9 (visitor's own machine)"


@pytest.fixture
def log_lines():
    """The site's own console formatter and filters, writing to a buffer this test reads."""
    config = settings.LOGGING
    assert config["handlers"]["console"]["formatter"] == "json"
    console = next(
        h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.filters
    )
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(console.formatter)
    for f in console.filters:
        handler.addFilter(f)
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)


def visitor(**extra):
    return {
        "REMOTE_ADDR": VISITOR_IP,
        "HTTP_USER_AGENT": VISITOR_AGENT,
        "HTTP_X_FORWARDED_FOR": VISITOR_IP,
        **extra,
    }


def test_requests_and_staff_actions_are_json_lines_without_visitor_data(client, world, log_lines):
    client.raise_request_exception = False
    client.get("/no-such-page/", **visitor())
    client.get("/links/atlantis/", **visitor())
    client.post(reverse("admin:login"), {"username": "nobody", "password": "guess"}, **visitor())
    user = User.objects.create_user("alice", password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="Publisher"))
    client.post(
        reverse("admin:login"), {"username": "alice", "password": "correct horse battery staple"}, **visitor()
    )
    url = reverse("admin:partnerships_link_change", args=[world.leeds_kharkiv.pk])
    data = read_form(client.get(url, **visitor()))
    data["summary"] = "Changed for the log test."
    assert client.post(url, data, **visitor()).status_code == 302

    lines = log_lines()
    assert lines, "nothing was logged"
    text = json.dumps(lines)
    assert VISITOR_IP not in text
    assert "SecretBrowser" not in text
    assert "correct horse battery staple" not in text and "guess" not in text
    events = {line.get("event"): line for line in lines if line.get("event")}
    assert events["login_failed"]["username"] == "nobody"
    assert events["login"]["staff"] == "alice"
    action = events["staff_action"]
    assert action["action"] == "changed" and action["model"] == "partnerships.link"
    assert action["staff"] == "alice" and action["object_id"] == str(world.leeds_kharkiv.pk)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found and not_found[0]["level"] == "WARNING"
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)


def test_a_lockout_is_logged_with_the_username_only(client, log_lines):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "mallory", "password": "x"}, **visitor())
    lines = log_lines()
    assert any(line.get("event") == "lockout" and line["username"] == "mallory" for line in lines)
    assert VISITOR_IP not in json.dumps(lines)


def test_errors_are_logged_as_json_with_the_traceback(client_no_raise, log_lines, settings):
    settings.ROOT_URLCONF = "tests.urls_errors"
    client_no_raise.get("/__test__/500", **visitor())
    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert errors and "deliberate failure" in errors[0]["exc_info"]
    assert VISITOR_IP not in json.dumps(errors)


def test_an_editors_proposed_change_is_logged_as_proposed(client, world, log_lines):
    """An Editor's save of a published record changes nothing: the log says it was proposed."""
    user = User.objects.create_user("edna", password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    url = reverse("admin:partnerships_link_change", args=[world.leeds_kharkiv.pk])
    data = read_form(client.get(url, **visitor()))
    data["summary"] = "Proposed for the log test."
    assert client.post(url, data, **visitor()).status_code == 302
    lines = log_lines()
    actions = [line for line in lines if line.get("event") == "staff_action"]
    assert [(a["action"], a["model"], a["staff"]) for a in actions] == [
        ("proposed", "partnerships.link", "edna")
    ]
    assert actions[0]["object_id"] == str(world.leeds_kharkiv.pk)
    assert VISITOR_IP not in json.dumps(lines) and VISITOR_AGENT not in json.dumps(lines)
