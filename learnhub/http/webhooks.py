"""`POST /webhooks/stripe`: the provider's events, verified, then applied exactly once.

The signature (`Stripe-Signature`: HMAC-SHA256 of `timestamp.body` with the signing secret)
must verify and its timestamp be within `STRIPE_WEBHOOK_TOLERANCE_SECONDS` of now; otherwise
400 and nothing is written, so a forged or replayed body changes nothing. A verified event
answers 200 whether it was applied, parked until its checkout commits, or a duplicate: the
provider then stops retrying. A failure while applying answers 500, and the provider retries
the same event later (its id makes the retry safe).
"""

from __future__ import annotations

import logging

import orjson
from starlette.requests import Request
from starlette.responses import Response

from learnhub.datasources.stores import Stores
from learnhub.payments.events import apply_event
from learnhub.payments.provider import BadSignature, provider_for

log = logging.getLogger(__name__)


def _answer(status: int, body: dict[str, str]) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


async def stripe_webhook(request: Request) -> Response:
    stores: Stores = request.app.state.stores
    payload = await request.body()
    try:
        event = provider_for(stores.settings).parse_event(payload, request.headers.get("stripe-signature"))
    except BadSignature:
        return _answer(400, {"error": "BAD_SIGNATURE", "message": "The signature does not verify or is too old"})
    outcome = await apply_event(stores.engine, event)
    log.info("stripe event %s (%s): %s", event.id, event.type, outcome)
    return _answer(200, {"received": event.id, "outcome": outcome})
