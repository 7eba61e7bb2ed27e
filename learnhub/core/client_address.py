"""Who is on the other end of a request: IP address and device, for limits and session lists."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from learnhub.core.settings import Settings


def client_ip(request: HTTPConnection, settings: Settings) -> str:
    if settings.trust_forwarded_for and (forwarded := request.headers.get("x-forwarded-for")):
        # The rightmost entry is the one our own proxy added; entries left of it are client-supplied.
        return forwarded.rsplit(",", 1)[-1].strip()[:64] or "unknown"
    return request.client.host if request.client else "unknown"
