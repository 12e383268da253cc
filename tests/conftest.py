import pytest


@pytest.fixture
def client_no_raise(client):
    """A test client that renders error pages instead of raising the view's exception."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def today(monkeypatch):
    """Fix the appeals' idea of today (status, click days) at 1 August 2022."""
    import datetime

    day = datetime.date(2022, 8, 1)
    monkeypatch.setattr("appeals.clock.today", lambda: day)
    return day
