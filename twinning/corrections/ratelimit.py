"""How many corrections one client may send per hour, without storing who the client is.

The only thing kept is a counter in the cache under a key that is an HMAC-SHA256 of the
client's address and the current hour, keyed with the site's SECRET_KEY. The address itself is
never written to the database, the cache or a log, the key cannot be turned back into it
without the secret, and a new hour gives the same client a new, unrelated key; the counter
expires when its hour ends. See docs/adr/0042-corrections-rate-limit-without-ip.md.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

KEY_PREFIX = "corrections:rate:"


def client_address(request):
    """The client's address: REMOTE_ADDR, or the header the reverse proxy sets when configured.

    With ``CLIENT_IP_HEADER`` set (e.g. ``HTTP_X_FORWARDED_FOR``), the last address in it is
    used: the one the site's own proxy appended, which the client cannot forge.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get(header, "")
        if value:
            return value.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(request, now):
    window = int(now // settings.CORRECTIONS_RATE_WINDOW)
    digest = salted_hmac(
        "twinning.corrections.rate-limit", f"{client_address(request)}|{window}", algorithm="sha256"
    ).hexdigest()
    return KEY_PREFIX + digest, settings.CORRECTIONS_RATE_WINDOW - int(now % settings.CORRECTIONS_RATE_WINDOW)


def limit_reached(request, now=None):
    """True when this client has already sent as many corrections as a window allows."""
    key, _ttl = _key(request, time.time() if now is None else now)
    return (cache.get(key) or 0) >= settings.CORRECTIONS_RATE_LIMIT


def count_submission(request, now=None):
    key, ttl = _key(request, time.time() if now is None else now)
    if not cache.add(key, 1, timeout=ttl):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=ttl)
