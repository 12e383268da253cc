"""Check that a donation page answers, the way a visitor's browser would ask for it.

HEAD first (cheap); GET when the server says HEAD is not allowed (405) or not implemented (501).
Redirects are followed. Any 2xx or 3xx final answer is healthy; anything else, or no answer
within the timeout, is broken.
"""

import http.client
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass

# Some donation platforms turn away clients that do not look like a browser.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 (Twinning donation link check)"
)
DEFAULT_TIMEOUT = 10.0


@dataclass
class Result:
    status: int | None
    error: str

    @property
    def ok(self):
        return not self.error and self.status is not None and 200 <= self.status < 400


def _request(url, method, timeout, context):
    request = urllib.request.Request(  # noqa: S310 - the URL is an https route URL, checked by the caller
        url,
        method=method,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en-GB,en;q=0.8",
        },
    )
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=timeout) as response:
            return Result(response.status, "")
    except urllib.error.HTTPError as exc:
        return Result(exc.code, "")


def check(url: str, *, timeout: float = DEFAULT_TIMEOUT, ca_file: str | None = None) -> Result:
    if not url.lower().startswith("https://"):
        return Result(None, "not an https address")
    context = ssl.create_default_context(cafile=ca_file or None)
    try:
        result = _request(url, "HEAD", timeout, context)
        if result.status in (405, 501):
            result = _request(url, "GET", timeout, context)
        return result
    except TimeoutError:
        return Result(None, f"no answer within {timeout:g} seconds")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Result(None, f"no answer within {timeout:g} seconds")
        if isinstance(reason, ConnectionRefusedError):
            return Result(None, "connection refused")
        if isinstance(reason, ssl.SSLError):
            return Result(None, f"TLS error: {reason}"[:300])
        return Result(None, f"could not connect: {reason}"[:300])
    except (http.client.HTTPException, OSError, ValueError) as exc:
        return Result(None, f"{type(exc).__name__}: {exc}"[:300])
