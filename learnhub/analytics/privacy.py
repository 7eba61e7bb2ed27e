"""Forgetting a learner: their events stay for the aggregates but no longer point at them."""

from __future__ import annotations

import uuid

from learnhub.analytics import buffer
from learnhub.datasources.postgres import analytics as rows
from learnhub.datasources.stores import Stores


async def forget_user(stores: Stores, user_id: uuid.UUID) -> int:
    """Pseudonymise the user's analytics: every event and first-reach row gets one new random id
    (linked to nothing) and events lose their context. Rollups rebuilt later give the same counts
    (the alias is still one learner), and nothing left names the user. Call it where an account is
    deleted, before or after the users row goes (no foreign key ties them). Returns the events changed.

    Buffered events are written first, so none of the user's slips past."""
    running = buffer.buffer_of(stores.engine)
    if running is not None:
        await running.flush()
    return await rows.pseudonymise_user(stores.engine, user_id, uuid.uuid4())
