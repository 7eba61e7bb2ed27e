"""HTTP/1.1 exchanged byte for byte, for requests an HTTP client library would not send."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_post(body: bytes, path: str = "/graphql", content_type: str = "application/json") -> bytes:
    """One HTTP/1.1 POST exactly as given, for bodies an HTTP client library would not send."""
    head = f"POST {path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: {content_type}\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def exchange(port: int, requests: list[bytes]) -> list[RawResponse]:
    """Send the requests one after another on one keep-alive connection and read each answer; fails
    (IncompleteReadError) if the server closes the connection before answering them all."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        answers = []
        for request in requests:
            writer.write(request)
            await writer.drain()
            status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = (line.partition(":") for line in lines)
            headers = {name.strip().lower(): value.strip() for name, _, value in fields}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            answers.append(RawResponse(int(status_line.split()[1]), headers, body))
        return answers
    finally:
        writer.close()
