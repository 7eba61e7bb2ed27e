"""REST routes kept for the older quiz app. Their response shapes must not change."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from learnhub.datasources.mongo.content import questions_raw_page

# Documents are streamed in batches so a large question bank never sits in memory whole.
_BATCH = 500


async def list_questions(request: Request) -> Response:
    """GET /questions: every document of the `questions` collection, as stored, in one JSON array."""

    db = request.app.state.stores.mongo_db

    async def body() -> AsyncIterator[bytes]:
        yield b"["
        after: str | None = None
        first = True
        while True:
            docs = await questions_raw_page(db, limit=_BATCH, after_id=after)
            for doc in docs:
                yield (b"" if first else b",") + orjson.dumps(doc)
                first = False
            if len(docs) < _BATCH:
                break
            after = docs[-1]["_id"]
        yield b"]"

    return StreamingResponse(body(), media_type="application/json")
