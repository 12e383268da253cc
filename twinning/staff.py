"""Staff accounts: the client address django-axes counts failures by, and what it logs.

gunicorn listens on 127.0.0.1 behind a reverse proxy, so every request's REMOTE_ADDR is the
proxy. The proxy appends the real client to X-Forwarded-For; only a request that comes from
the loopback proxy may name its client that way, and only the last (proxy-written) entry counts.
"""

import ipaddress


def _is_loopback(value):
    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        return False


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _is_loopback(remote):
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote
    return remote


def client_str(username, ip_address, user_agent, path_info, request):
    """How axes names a client in its log lines: the username typed, nothing about the visitor."""
    return f"username {username!r}"


def lockout_username(request, credentials=None):
    """The username axes counts failures for: what was typed, cut to the longest username there
    can be and without NUL characters, so a forged 100 KB or NUL-laden name cannot break the
    record of the attempt (PostgreSQL refuses both)."""
    if credentials:
        value = credentials.get("username", "")
    else:
        value = request.POST.get("username", "") if request is not None else ""
    return str(value or "").replace("\x00", "")[:150]
