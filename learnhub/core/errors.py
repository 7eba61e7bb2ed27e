"""Errors a resolver raises on purpose: each carries a stable `extensions.code`."""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """Shown to clients as-is (message and code), in every environment."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class NotFound(GatewayError):
    code = "NOT_FOUND"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class ContentMissing(GatewayError):
    """A PostgreSQL row points at a MongoDB document that does not exist."""

    code = "CONTENT_NOT_FOUND"


class RequestRefused(Exception):
    """Refused before execution (rate limit, persisted-query rules, timeout, CSRF): answered as
    one GraphQL error with this HTTP status, code and extensions."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extensions = extensions


class ShareLinkInvalid(GatewayError):
    """A share link that cannot be used, for whatever reason: one code and one message for all."""

    code = "SHARE_LINK_INVALID"


class RateLimited(GatewayError):
    """Too many requests of one kind from one client, refused while executing; the extensions
    carry `retryAfterSeconds`."""

    code = "RATE_LIMITED"


class SearchUnavailable(GatewayError):
    """No search server could answer (or KEYWORD mode without Typesense)."""

    code = "SEARCH_UNAVAILABLE"


class SearchDegraded(GatewayError):
    """Reported beside data: one side of a HYBRID search failed; the other answered."""

    code = "SEARCH_DEGRADED"


class StorageUnavailable(GatewayError):
    """Object storage did not answer: uploads wait, reads answer without download links."""

    code = "STORAGE_UNAVAILABLE"


class PaymentProviderUnavailable(GatewayError):
    """The payment provider did not answer (refused, timed out): checkout waits; browsing and
    learning go on."""

    code = "PAYMENT_PROVIDER_UNAVAILABLE"


class StoreUnavailable(GatewayError):
    """A store (PostgreSQL, MongoDB, Redis) did not answer in time or refused the connection, or
    its circuit breaker is open. Only the fields that need it fail; `extensions.store` names it.
    The message never carries the driver's text (hosts, ports)."""

    code = "STORE_UNAVAILABLE"

    def __init__(self, store: str) -> None:
        super().__init__(f"{store} is unavailable; try again shortly", store=store)
        self.store = store


class ResyncRequired(GatewayError):
    """A live subscription's `after` cursor is older than the events kept: catch up with
    `changesSince`, then subscribe again without it."""

    code = "RESYNC_REQUIRED"


class AnalyticsBatchTooLarge(GatewayError):
    """More events in one `trackEvents` call than allowed; nothing of the call is kept."""

    code = "ANALYTICS_BATCH_TOO_LARGE"


class AnalyticsEventUnknown(GatewayError):
    """An event name apps may not send; nothing of the call is kept."""

    code = "ANALYTICS_EVENT_UNKNOWN"


class AnalyticsEntityInvalid(GatewayError):
    """An event's entity id is malformed or names nothing the viewer can see; nothing is kept."""

    code = "ANALYTICS_ENTITY_INVALID"


class AnalyticsContextTooLarge(GatewayError):
    """An event's context is not a JSON object or is over the size cap; nothing is kept."""

    code = "ANALYTICS_CONTEXT_INVALID"


class AnalyticsBusy(GatewayError):
    """The event buffer is full and PostgreSQL is not taking its rows: retry later."""

    code = "ANALYTICS_BUSY"
