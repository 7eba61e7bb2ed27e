"""Share links: create, resolve and revoke public links to a preview of a course, lesson or quiz.

A link carries a random token of 256 bits (`secrets.token_urlsafe(32)`); only its SHA-256 is
stored (at that entropy a fast hash suffices, as for refresh tokens), so the table alone opens
nothing. Resolving a link counts one use in the same statement that checks it is still valid
(learnhub/datasources/postgres/share_links.py), so concurrent visitors never exceed `max_uses`.
The preview is then read straight from MongoDB (learnhub/datasources/mongo/previews.py), not
through the visibility loaders: the link itself is the permission, and sharing an unpublished
course is the point. Nothing else changes: the course stays hidden everywhere else.

Every failure (a malformed, unknown, expired, revoked or used-up token, or content deleted since)
raises the same ShareLinkInvalid with the same message, so a token's state cannot be probed, and
resolutions are rate limited per client IP before anything is looked up.

Whether the viewer may create or revoke a link (the course's instructor, an admin, the creator)
is the caller's check, as for the other authoring writes.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.core.errors import RateLimited, ShareLinkInvalid
from learnhub.core.settings import Settings
from learnhub.datasources.mongo import previews
from learnhub.datasources.mongo.content import Database
from learnhub.datasources.postgres import share_links
from learnhub.datasources.postgres.tables import SHARED_ENTITIES, utcnow
from learnhub.datasources.ratelimit import Bucket
from learnhub.datasources.stores import Stores

Doc = dict[str, Any]

ENTITIES = SHARED_ENTITIES  # course, lesson, quiz
# 256 bits from the OS CSPRNG: 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_LIFETIME = timedelta(days=365)
MAX_USES = 100_000
# One message for every reason a link does not open (no oracle).
INVALID_MESSAGE = "This share link does not work: it may have expired, been revoked or been used up"


@dataclass(frozen=True)
class Refused:
    code: str  # INVALID, NOT_FOUND
    message: str
    field: str | None = None


def new_token() -> tuple[str, str]:
    """(token for the link, its hash for the table)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    """Shaped like a token we issue; anything else is refused before it is hashed or looked up."""
    return _TOKEN.fullmatch(token) is not None


def share_url(settings: Settings, token: str) -> str:
    return f"{settings.app_url.rstrip('/')}/share/{token}"


def as_utc(moment: datetime) -> datetime:
    """A date-time without a zone is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def link_problems(expires_at: datetime | None, max_uses: int | None, now: datetime) -> list[Refused]:
    """What is wrong with a new link's limits: `expiresAt` in the future and at most a year
    ahead, `maxUses` 1 to 100,000 (either may be left out: no limit of that kind)."""
    problems = []
    if expires_at is not None:
        expires_at = as_utc(expires_at)
        if expires_at <= now:
            problems.append(Refused("INVALID", "Give a time in the future", "expiresAt"))
        elif expires_at > now + MAX_LIFETIME:
            problems.append(Refused("INVALID", "A link may live at most one year", "expiresAt"))
    if max_uses is not None and not 1 <= max_uses <= MAX_USES:
        problems.append(Refused("INVALID", f"Give 1 to {MAX_USES:,} uses", "maxUses"))
    return problems


def link_state(link: RowMapping | dict[str, Any], now: datetime) -> str:
    """`revoked`, `expired`, `used_up` or `active`, in that order of precedence."""
    if link["revoked_at"] is not None:
        return "revoked"
    if link["expires_at"] is not None and link["expires_at"] <= now:
        return "expired"
    if link["max_uses"] is not None and link["use_count"] >= link["max_uses"]:
        return "used_up"
    return "active"


@dataclass(frozen=True)
class NewLink:
    entity: str
    entity_id: str  # content id of the course, lesson or quiz
    course_id: str  # content id of its course
    created_by: uuid.UUID
    expires_at: datetime | None = None
    max_uses: int | None = None


@dataclass(frozen=True)
class Created:
    link: RowMapping
    token: str  # shown once, never stored
    url: str


async def create_link(stores: Stores, new: NewLink) -> Created | list[Refused]:
    if new.entity not in ENTITIES:
        return [Refused("INVALID", "Share a course, a lesson or a quiz", "entity")]
    if problems := link_problems(new.expires_at, new.max_uses, utcnow()):
        return problems
    token, token_hash = new_token()
    row = await share_links.insert_link(
        stores.engine,
        token_hash=token_hash,
        entity=new.entity,
        entity_id=new.entity_id,
        course_id=new.course_id,
        created_by=new.created_by,
        expires_at=as_utc(new.expires_at) if new.expires_at is not None else None,
        max_uses=new.max_uses,
    )
    return Created(row, token, share_url(stores.settings, token))


async def revoke_link(stores: Stores, link_id: uuid.UUID) -> RowMapping | None:
    """Revoke (again: no change); None when there is no such link."""
    return await share_links.revoke_link(stores.engine, link_id)


async def find_link(stores: Stores, link_id: uuid.UUID) -> RowMapping | None:
    return await share_links.link_by_id(stores.engine, link_id)


# --- resolving a link -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CoursePreview:
    content_id: str
    level: str
    tags: list[str]
    content: Doc  # title, summary, description, modules
    # The outline's lessons by id; `blocks` only on preview lessons.
    lessons: dict[str, Doc] = field(default_factory=dict)


@dataclass(frozen=True)
class LessonPreview:
    lesson: Doc  # with its body


@dataclass(frozen=True)
class QuizPreview:
    quiz: Doc
    questions: list[Doc]  # in the quiz's order; prompt, type, points and options only


Preview = CoursePreview | LessonPreview | QuizPreview


def invalid() -> ShareLinkInvalid:
    return ShareLinkInvalid(INVALID_MESSAGE)


async def _charge(stores: Stores, ip: str) -> None:
    s = stores.settings
    verdict = await stores.limiter.check(
        [Bucket(f"rl:share:ip:{ip}", s.share_link_ip_burst, s.share_link_ip_per_second)]
    )
    if not verdict.allowed:
        wait = verdict.retry_after_seconds
        raise RateLimited(f"Too many share links opened; retry in {wait} s", retryAfterSeconds=wait)


def outline_ids(course: Doc) -> list[str]:
    return [lesson_id for module in course.get("modules", []) for lesson_id in module.get("lesson_ids", [])]


async def _course(db: Database, link: RowMapping) -> CoursePreview | None:
    content = await previews.course(db, link["course_id"])
    if content is None:
        return None
    ids = outline_ids(content)
    lessons = await previews.outline_lessons(db, ids) if ids else []
    return CoursePreview(
        content_id=link["course_id"],
        level=link["level"],
        tags=list(link["tags"]),
        content=content,
        lessons={doc["_id"]: doc for doc in lessons},
    )


async def _lesson(db: Database, link: RowMapping) -> LessonPreview | None:
    # A lesson taken out of its course's outline is gone from the course: its link with it.
    lesson, outline = await asyncio.gather(
        previews.lesson(db, link["entity_id"]), previews.course_outline(db, link["course_id"])
    )
    if lesson is None or outline is None or lesson.get("course_id") != link["course_id"]:
        return None
    return LessonPreview(lesson) if lesson["_id"] in outline_ids(outline) else None


async def _quiz(db: Database, link: RowMapping) -> QuizPreview | None:
    quiz = await previews.quiz(db, link["entity_id"])
    if quiz is None or quiz.get("course_id") != link["course_id"]:
        return None
    ids = list(quiz.get("question_ids", []))
    found = {doc["_id"]: doc for doc in (await previews.questions(db, ids) if ids else [])}
    return QuizPreview(quiz, [found[i] for i in ids if i in found])


_READERS: dict[str, Callable[[Database, RowMapping], Awaitable[Preview | None]]] = {
    "course": _course,
    "lesson": _lesson,
    "quiz": _quiz,
}


async def resolve(stores: Stores, token: str, ip: str) -> Preview:
    """The preview a token opens, counting one use; ShareLinkInvalid alike for every failure,
    RateLimited when this IP opened too many links lately."""
    await _charge(stores, ip)
    if not well_formed(token):
        raise invalid()
    link = await share_links.use_link(stores.engine, hash_token(token))
    if link is None:
        raise invalid()
    # The use stays counted when the content has gone since: the link is dead either way.
    preview = await _READERS[link["entity"]](stores.mongo_db, link)
    if preview is None:
        raise invalid()
    return preview
