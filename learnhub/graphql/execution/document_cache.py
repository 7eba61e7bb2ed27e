"""Parse and validate each distinct operation text once per process, not once per request.

Apps send the same few dozen operations over and over; parsing and validating the dashboard
took about a millisecond of CPU each time, several times the cost of the whole hot read's
execution. Only documents that parsed and validated are kept (an invalid one is refused again
each time, so junk cannot fill the cache), in an LRU bounded by entries; the request limits
still run on every request, since the cost limit depends on the variables.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

# Far more operations than the apps send; a few megabytes at most.
MAX_DOCUMENTS = 512


class Documents:
    """Query text -> its parsed, validated document; least recently used first out."""

    def __init__(self, maxsize: int = MAX_DOCUMENTS) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def get(self, query: str) -> DocumentNode | None:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def put(self, query: str, document: DocumentNode) -> None:
        self._documents[query] = document
        self._documents.move_to_end(query)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


class DocumentCache(SchemaExtension):
    """Serves a known-valid document without parsing or validating; records newly valid ones."""

    def __init__(self, documents: Documents) -> None:
        super().__init__()
        self.documents = documents
        self.known = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            document = self.documents.get(context.query)
            if document is not None:
                # Strawberry parses only when no extension has set the document.
                context.graphql_document = document
                self.known = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.known and context.pre_execution_errors is None:
            # An empty error list tells Strawberry the document is already validated.
            context.pre_execution_errors = []
        yield
        valid = context.pre_execution_errors == []
        if valid and not self.known and context.query and context.graphql_document is not None:
            self.documents.put(context.query, context.graphql_document)


def document_cache(documents: Documents) -> Callable[[], SchemaExtension]:
    """The extension factory for one schema: its documents are valid against that schema only."""
    return lambda: DocumentCache(documents)
