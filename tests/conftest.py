import pytest


@pytest.fixture
def client_no_raise(client):
    """A test client that renders error pages instead of raising the view's exception."""
    client.raise_request_exception = False
    return client
