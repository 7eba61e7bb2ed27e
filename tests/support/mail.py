"""The receiving end of the gateway's mail: a handler for a real aiosmtpd SMTP server."""

from __future__ import annotations

import asyncio
import re
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any


class Mailbox:
    """Collects delivered messages; tests wait on a condition, never on a timer."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._changed = threading.Condition()  # re-entrant: for_address may run under wait_for
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def for_address(self, address: str) -> list[Message]:
        with self._changed:
            return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, within: float = 15.0) -> Message:
        """The `count`-th message to `address`, once it has arrived."""

        def wait() -> Message:
            with self._changed:
                if not self._changed.wait_for(lambda: len(self.for_address(address)) >= count, within):
                    raise AssertionError(f"no mail #{count} to {address} within {within} s")
                return self.for_address(address)[count - 1]

        return await asyncio.to_thread(wait)


def link_token(message: Message) -> str:
    """The `token` parameter of the link in a message."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = re.search(r"[?&]token=([0-9a-f-]{36})", payload.decode())
    assert found, payload
    return found.group(1)
