"""The MongoDB client (PyMongo async) with Beanie initialised on it, and round-trip accounting."""

from __future__ import annotations

from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from learnhub.core import stats
from learnhub.core.settings import Settings
from learnhub.datasources.mongo.documents import DOCUMENT_MODELS
from learnhub.observability import stores as store_calls

Doc = dict[str, Any]


# Calls whose end was never reported (a cancelled task) are forgotten past this many.
_MAX_OPEN_CALLS = 10_000


class _CommandCounter(monitoring.CommandListener):
    # Handshakes and heartbeats are not commands here, so this counts only the request's own work.
    def __init__(self) -> None:
        self._calls: dict[tuple[Any, int], store_calls.StoreCall] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        stats.record("mongodb")
        target = event.command.get(event.command_name)
        call = store_calls.start("mongodb", event.command_name, f"{event.command_name} {target}")
        if call is not None:
            if len(self._calls) >= _MAX_OPEN_CALLS:
                self._calls.clear()
            self._calls[event.connection_id, event.request_id] = call

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        store_calls.finish(self._calls.pop((event.connection_id, event.request_id), None))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        call = self._calls.pop((event.connection_id, event.request_id), None)
        store_calls.finish(call, RuntimeError(str(event.failure.get("errmsg", "command failed"))))


def make_client(settings: Settings) -> AsyncMongoClient[Doc]:
    timeout_ms = int(settings.store_connect_timeout_seconds * 1000)
    return AsyncMongoClient(
        settings.mongodb_url,
        event_listeners=[_CommandCounter()],
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        # A frozen server (SIGSTOP) keeps its sockets open and never answers: without a socket
        # timeout a call waited for the request's own 10 s timeout. Generous next to the guarded
        # reads' own timeout: aggregations of the worker and change streams' getMore (1 s awaits)
        # stay well under it.
        socketTimeoutMS=int(max(settings.mongodb_timeout_seconds * 4, settings.store_connect_timeout_seconds) * 1000),
        tz_aware=True,
        uuidRepresentation="standard",
    )


async def init_documents(db: AsyncDatabase[Doc], *, create_indexes: bool = False) -> None:
    """Bind the Beanie documents to `db`. Index creation belongs to `learnhub migrate`, not start-up."""
    await init_beanie(database=db, document_models=DOCUMENT_MODELS, skip_indexes=not create_indexes)
