"""Outgoing mail: sign-in links and password resets.

Sending happens after the GraphQL response is decided, on a background task: whether an
address has an account must not show in the response, nor in how long it takes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from learnhub.core.settings import Settings

logger = logging.getLogger("learnhub.datasources.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class SmtpMailer:
    """SMTP with STARTTLS (`smtp://`, upgraded when the server offers it) or implicit TLS (`smtps://`)."""

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    async def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            start_tls=None if not self.implicit_tls else False,
            timeout=self.timeout,
        )


class LogMailer:
    """Development without SMTP: the message goes to the log, links and all."""

    async def send(self, mail: Mail) -> None:
        logger.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.text)


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_url is None:
        return LogMailer()
    return SmtpMailer(settings.smtp_url.get_secret_value(), settings.mail_from)


class Outbox:
    """Sends in the background and keeps the tasks referenced until they finish."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._tasks: set[asyncio.Task[None]] = set()

    def post(self, mail: Mail) -> None:
        task = asyncio.create_task(self._send(mail))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, mail: Mail) -> None:
        try:
            await self.mailer.send(mail)
        except Exception:
            # The user can ask again; the log says why this one was lost.
            logger.exception("could not send %r to %s", mail.subject, mail.to)

    async def drain(self) -> None:
        """Wait for mail in flight (shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
