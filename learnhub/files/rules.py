"""What may be uploaded, by whom, how large: pure rules, no I/O.

Limits by purpose; sizes are what the clients need (slides and recorded demos for lessons, a
photo for an avatar, a report or an archive for an assignment), the types what browsers and
the apps can show or students commonly hand in. SVG is left out on purpose: it can carry
script, and avatars and attachments are shown inline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MiB = 1024 * 1024
IMAGES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
DOCUMENTS = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/markdown",
        "text/csv",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.text",
    }
)
VIDEO = frozenset({"video/mp4", "video/webm"})


@dataclass(frozen=True)
class Purpose:
    name: str
    types: frozenset[str]
    max_bytes: int


PURPOSES = {
    # Under 2^31 bytes: sizes travel as GraphQL Int (32-bit).
    "lesson_attachment": Purpose("lesson_attachment", IMAGES | DOCUMENTS | VIDEO, 2000 * MiB),
    "avatar": Purpose("avatar", IMAGES - {"image/gif"}, 5 * MiB),
    "assignment": Purpose("assignment", IMAGES | DOCUMENTS, 100 * MiB),
}
# Above this, one PUT is fragile on mobile networks and S3 caps a single PUT at 5 GiB anyway.
MULTIPART_THRESHOLD = 100 * MiB
PART_BYTES = 16 * MiB  # S3: at least 5 MiB per part except the last, at most 10,000 parts
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def filename_problems(filename: str) -> list[str]:
    """A name shown to people and sent back in Content-Disposition: no paths, no control
    characters, no names that mean a folder."""
    if not filename or len(filename) > 255:
        return ["Give a file name of 1 to 255 characters"]
    if filename.strip() in (".", "..") or filename != filename.strip():
        return ["Give a file name without leading or trailing spaces"]
    if "/" in filename or "\\" in filename:
        return ["A file name cannot contain / or \\"]
    if any(unicodedata.category(ch).startswith("C") for ch in filename):
        return ["A file name cannot contain control characters"]
    return []


def upload_problems(purpose: str, filename: str, content_type: str, size: int, sha256: str) -> list[tuple[str, str]]:
    """(field, message) for each fault of an upload request."""
    rule = PURPOSES[purpose]
    problems = [("filename", message) for message in filename_problems(filename)]
    if content_type not in rule.types:
        problems.append(
            ("contentType", f"{content_type!r} is not accepted here; use one of {', '.join(sorted(rule.types))}")
        )
    if not 0 < size <= rule.max_bytes:
        problems.append(("sizeBytes", f"Give a size from 1 byte to {rule.max_bytes // MiB} MiB"))
    if not _SHA256.match(sha256):
        problems.append(("sha256", "Give the file's SHA-256 as 64 lower-case hexadecimal characters"))
    return problems


def content_disposition(filename: str, content_type: str) -> str:
    """Images open in the browser; other files download under their own name (RFC 6266, with
    an ASCII fallback and the exact name in RFC 5987 encoding)."""
    from urllib.parse import quote

    kind = "inline" if content_type in IMAGES else "attachment"
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
