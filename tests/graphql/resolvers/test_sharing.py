"""Share links end to end: `createShareLink`, `sharedContent`, `revokeShareLink` and
`Course.shareLinks` through the running gateway, on real PostgreSQL, MongoDB and Redis.

Links are opened through a gateway that takes the client address from X-Forwarded-For, each
test from an address of its own, so the per-IP limit of one test never reaches another.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, text, update

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import courses, share_links
from learnhub.graphql.relay.node import from_global_id, to_global_id
from learnhub.sharing.links import INVALID_MESSAGE, new_token
from tests.support.addresses import fresh_ip
from tests.support.authoring import CREATE_QUIZ, SAVE_QUESTION, UPDATE_CONTENT, add_lesson, create_course
from tests.support.client import gql, post_graphql
from tests.support.data import StoreAccess, make_course, unique
from tests.support.servers import GatewayFactory, LiveServer
from tests.support.world import account_with_role

LINK = "id entity contentId url expiresAt maxUses useCount lastUsedAt revokedAt createdAt state"
CREATE = f"""mutation($i: CreateShareLinkInput!) {{ createShareLink(input: $i) {{
  shareLink {{ {LINK} }} token errors {{ code field message }} }} }}"""
REVOKE = f"mutation($id: ID!) {{ revokeShareLink(id: $id) {{ shareLink {{ {LINK} }} token errors {{ code field }} }} }}"
OPEN = """query($t: String!) { sharedContent(token: $t) { __typename
  ... on SharedCourse { contentId title summary description level tags
        modules { title summary lessons { contentId title summary preview durationMinutes body { kind text } } } }
  ... on SharedLesson { contentId title summary preview body { kind text } }
  ... on SharedQuiz { contentId title description questions { type prompt points options { id text } } } } }"""
LINKS_OF = f"query($c: String!) {{ course(contentId: $c) {{ shareLinks {{ {LINK} }} }} }}"


@dataclass
class Shared:
    """An unpublished course of `instructor`: module m1 with a preview lesson and a lesson for
    enrolled students only, and a quiz whose answers and explanations carry `mark`."""

    instructor: str
    course_gid: str
    course_id: str
    preview_lesson: str
    closed_lesson: str
    quiz_id: str
    mark: str
    version: int  # the course content's


async def shared_course(http: httpx.AsyncClient, stores: StoreAccess) -> Shared:
    token, _ = await account_with_role(http, stores, "instructor")
    mark = unique("mark")
    made = await create_course(
        http, token, title=f"Course {mark}", summary="In short", description="At length", level="INTERMEDIATE",
        tags=["sharing"],
    )  # fmt: skip
    course, course_id = made["course"]["id"], made["course"]["contentId"]
    modules = {"modules": [{"id": "m1", "title": "Basics", "summary": "First steps"}]}
    body = await gql(http, UPDATE_CONTENT, {"c": course, "v": 1, "i": modules}, token=token)
    version = body["data"]["updateCourseContent"]["contentVersion"]
    open_slug, closed_slug = unique("open"), unique("closed")
    added = await add_lesson(
        http, token, course, version, open_slug, summary="Try it", preview=True, blocks=[{"text": "Preview body"}]
    )
    added = await add_lesson(
        http, token, course, added["contentVersion"], closed_slug, blocks=[{"text": f"Enrolled body {mark}"}]
    )
    assert added["errors"] == [], added
    quiz = await gql(
        http, CREATE_QUIZ,
        {"i": {"courseId": course, "slug": unique("quiz"), "title": "Check", "description": "Five minutes"}},
        token=token,
    )  # fmt: skip
    quiz_id = quiz["data"]["createQuiz"]["quiz"]["contentId"]
    questions = [
        {"type": "SINGLE_CHOICE", "prompt": "Which method is idempotent?",
         "options": [{"id": "a", "text": "POST"}, {"id": "b", "text": "PUT"}], "answer": "b",
         "explanation": f"Explanation {mark}"},
        {"type": "SHORT_TEXT", "prompt": "Status code for created?", "answer": {"accepted": [f"Accepted {mark}"]},
         "explanation": f"Explanation {mark}"},
    ]  # fmt: skip
    for version_before, question in enumerate(questions, start=1):
        saved = await gql(http, SAVE_QUESTION, {"q": quiz_id, "v": version_before, "id": None, "i": question},
                          token=token)  # fmt: skip
        assert saved["data"]["saveQuestion"]["errors"] == []
    return Shared(
        token, course, course_id, f"lesson:{open_slug}", f"lesson:{closed_slug}", quiz_id, mark,
        int(added["contentVersion"]),
    )  # fmt: skip


async def create_link(
    http: httpx.AsyncClient, token: str | None, entity: str, entity_id: str, **limits: Any
) -> dict[str, Any]:
    """The `createShareLink` payload."""
    body = await gql(http, CREATE, {"i": {"entity": entity, "id": entity_id, **limits}}, token=token)
    payload: dict[str, Any] = body["data"]["createShareLink"]
    return payload


async def link_of(http: httpx.AsyncClient, token: str, entity: str, entity_id: str, **limits: Any) -> dict[str, Any]:
    """A new link: its `shareLink` plus the `token`."""
    payload = await create_link(http, token, entity, entity_id, **limits)
    assert payload["errors"] == [], payload
    return dict(payload["shareLink"]) | {"token": payload["token"]}


async def open_link(client: httpx.AsyncClient, link_token: str, auth: str | None = None) -> dict[str, Any]:
    return await gql(client, OPEN, {"t": link_token}, token=auth, expect_errors=True)


def row_id(link: dict[str, Any]) -> uuid.UUID:
    kind, local = from_global_id(link["id"])
    assert kind == "ShareLink"
    return uuid.UUID(local)


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    """The one error of a link that did not open (data null)."""
    assert body["data"] == {"sharedContent": None}, body
    [error] = body["errors"]
    return dict(error)


@pytest.fixture(scope="module")
def visitors(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(trust_forwarded_for=True)


@pytest.fixture
async def visitor(visitors: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own address (X-Forwarded-For), on the gateway that trusts it."""
    async with httpx.AsyncClient(base_url=visitors.url, timeout=30, headers={"x-forwarded-for": fresh_ip()}) as client:
        yield client


@pytest.fixture
async def shared(http: httpx.AsyncClient, stores: StoreAccess) -> Shared:
    return await shared_course(http, stores)


# --- creating ------------------------------------------------------------------------------------


async def test_a_new_link_shows_its_token_once_and_stores_only_the_hash(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, shared: Shared
) -> None:
    payload = await create_link(http, shared.instructor, "COURSE", shared.course_gid, maxUses=5)
    token, link = payload["token"], payload["shareLink"]
    assert payload["errors"] == []
    assert len(token) == 43
    assert link["url"] == f"{settings.app_url}/share/{token}"
    assert (link["entity"], link["contentId"], link["maxUses"], link["useCount"]) == ("COURSE", shared.course_id, 5, 0)
    assert (link["expiresAt"], link["revokedAt"], link["lastUsedAt"], link["state"]) == (None, None, None, "ACTIVE")
    async with stores.engine.connect() as conn:
        row = (await conn.execute(select(share_links).where(share_links.c.id == row_id(link)))).mappings().one()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps({k: str(v) for k, v in row.items()})
    assert (row["entity"], row["entity_id"], row["course_id"]) == ("course", shared.course_id, shared.course_id)
    # Listed afterwards without its URL: the token is nowhere to rebuild it from.
    listed = await gql(http, LINKS_OF, {"c": shared.course_id}, token=shared.instructor)
    assert listed["data"]["course"]["shareLinks"] == [link | {"url": None}]


async def test_lessons_and_quizzes_are_shared_by_content_id_or_global_id(
    http: httpx.AsyncClient, shared: Shared
) -> None:
    for entity, content_id, type_name in (
        ("LESSON", shared.closed_lesson, "Lesson"),
        ("QUIZ", shared.quiz_id, "Quiz"),
        ("COURSE", shared.course_id, "Course"),
    ):
        by_content_id = await link_of(http, shared.instructor, entity, content_id)
        assert (by_content_id["entity"], by_content_id["contentId"]) == (entity, content_id)
        if type_name != "Course":
            by_global_id = await link_of(http, shared.instructor, entity, to_global_id(type_name, content_id))
            assert by_global_id["contentId"] == content_id


async def test_limits_of_a_new_link_are_checked(http: httpx.AsyncClient, shared: Shared) -> None:
    now = datetime.now(UTC)
    cases = {
        "expiresAt": [now - timedelta(minutes=1), now + timedelta(days=366)],
        "maxUses": [0, 100_001],
    }
    for field, values in cases.items():
        for value in values:
            sent = value.isoformat() if isinstance(value, datetime) else value
            payload = await create_link(http, shared.instructor, "COURSE", shared.course_gid, **{field: sent})
            assert payload["shareLink"] is None
            assert payload["token"] is None
            assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", field)], (field, value)
    ok = await link_of(
        http, shared.instructor, "COURSE", shared.course_gid,
        expiresAt=(now + timedelta(days=364)).isoformat(), maxUses=100_000,
    )  # fmt: skip
    assert ok["maxUses"] == 100_000
    assert ok["expiresAt"] is not None


async def test_who_may_share(http: httpx.AsyncClient, stores: StoreAccess, shared: Shared) -> None:
    """The course's instructor and admins; another instructor cannot see an unpublished course
    (NOT_FOUND, as for an unknown id) nor share a published one that is not theirs (FORBIDDEN)."""
    published_id, published_content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    tokens = {role: (await account_with_role(http, stores, role))[0] for role in ("instructor", "student", "admin")}
    unknown = to_global_id("Course", uuid.UUID(int=7))

    async def outcome(token: str | None, course: str) -> str:
        body = await gql(http, CREATE, {"i": {"entity": "COURSE", "id": course}}, token=token, expect_errors=True)
        if "errors" in body:
            return str(body["errors"][0]["extensions"]["code"])
        payload = body["data"]["createShareLink"]
        return payload["errors"][0]["code"] if payload["errors"] else "CREATED"

    assert await outcome(shared.instructor, shared.course_gid) == "CREATED"
    assert await outcome(tokens["admin"], shared.course_gid) == "CREATED"
    assert await outcome(tokens["admin"], published_content_id) == "CREATED"
    assert await outcome(tokens["instructor"], shared.course_gid) == "NOT_FOUND"
    assert await outcome(tokens["instructor"], unknown) == "NOT_FOUND"
    assert await outcome(tokens["instructor"], to_global_id("Course", published_id)) == "FORBIDDEN"
    assert await outcome(tokens["student"], shared.course_gid) == "FORBIDDEN"
    assert await outcome(tokens["student"], published_content_id) == "FORBIDDEN"
    assert await outcome(None, shared.course_gid) == "UNAUTHENTICATED"
    # Lessons and quizzes follow their course.
    for entity, content_id in (("LESSON", shared.closed_lesson), ("QUIZ", shared.quiz_id)):
        assert (await create_link(http, tokens["admin"], entity, content_id))["errors"] == []
        hidden = await create_link(http, tokens["instructor"], entity, content_id)
        assert [e["code"] for e in hidden["errors"]] == ["NOT_FOUND"]
        missing = await create_link(http, shared.instructor, entity, f"{entity.lower()}:does-not-exist")
        assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]


# --- opening -------------------------------------------------------------------------------------


async def test_a_course_link_opens_the_unpublished_course_preview_to_anyone(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, stores: StoreAccess, shared: Shared
) -> None:
    link = await link_of(http, shared.instructor, "COURSE", shared.course_gid)
    student, _ = await account_with_role(http, stores, "student")
    for auth in (None, student):
        body = await open_link(visitor, link["token"], auth)
        assert "errors" not in body, body
        # The link checked and counted in one statement; the content and the outline's lessons.
        assert body["extensions"]["roundTrips"] == {"postgres": 1, "mongodb": 2}
        course = body["data"]["sharedContent"]
        assert course["__typename"] == "SharedCourse"
        assert (course["contentId"], course["title"], course["summary"], course["description"]) == (
            shared.course_id, f"Course {shared.mark}", "In short", "At length",
        )  # fmt: skip
        assert (course["level"], course["tags"]) == ("INTERMEDIATE", ["sharing"])
        [module] = course["modules"]
        assert (module["title"], module["summary"]) == ("Basics", "First steps")
        preview, closed = module["lessons"]
        assert (preview["contentId"], preview["preview"], preview["summary"]) == (shared.preview_lesson, True, "Try it")
        assert preview["body"] == [{"kind": "MARKDOWN", "text": "Preview body"}]
        assert (closed["contentId"], closed["preview"], closed["body"]) == (shared.closed_lesson, False, None)
        # The body of a lesson for enrolled students is not even read.
        assert shared.mark not in json.dumps(module)
    # Each opening counted once.
    listing = await gql(http, LINKS_OF, {"c": shared.course_id}, token=shared.instructor)
    [listed] = listing["data"]["course"]["shareLinks"]
    assert listed["useCount"] == 2
    assert listed["lastUsedAt"] is not None


async def test_a_lesson_link_opens_its_whole_text(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, shared: Shared
) -> None:
    link = await link_of(http, shared.instructor, "LESSON", shared.closed_lesson)
    body = await open_link(visitor, link["token"])
    assert body["extensions"]["roundTrips"] == {"postgres": 1, "mongodb": 2}  # the lesson; its course's outline
    assert body["data"]["sharedContent"] == {
        "__typename": "SharedLesson",
        "contentId": shared.closed_lesson,
        "title": f"About {shared.closed_lesson.removeprefix('lesson:')}",
        "summary": "",
        "preview": False,
        "body": [{"kind": "MARKDOWN", "text": f"Enrolled body {shared.mark}"}],
    }


async def test_a_quiz_link_never_shows_answers_or_explanations(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, shared: Shared
) -> None:
    link = await link_of(http, shared.instructor, "QUIZ", shared.quiz_id)
    body = await open_link(visitor, link["token"])
    assert "errors" not in body, body
    assert body["extensions"]["roundTrips"] == {"postgres": 1, "mongodb": 2}  # the quiz; its questions
    assert body["data"]["sharedContent"] == {
        "__typename": "SharedQuiz",
        "contentId": shared.quiz_id,
        "title": "Check",
        "description": "Five minutes",
        "questions": [
            {"type": "SINGLE_CHOICE", "prompt": "Which method is idempotent?", "points": 1.0,
             "options": [{"id": "a", "text": "POST"}, {"id": "b", "text": "PUT"}]},
            {"type": "SHORT_TEXT", "prompt": "Status code for created?", "points": 1.0, "options": []},
        ],
    }  # fmt: skip
    assert shared.mark not in json.dumps(body)
    # No field could ask for them.
    fields = await gql(http, '{ __type(name: "SharedQuestion") { fields { name } } }')
    assert {f["name"] for f in fields["data"]["__type"]["fields"]} == {"type", "prompt", "points", "options"}
    asked = await gql(
        visitor,
        "query($t: String!) { sharedContent(token: $t) { ... on SharedQuiz { questions { correctAnswer } } } }",
        {"t": link["token"]}, expect_errors=True,
    )  # fmt: skip
    assert asked["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_every_link_that_does_not_open_answers_alike(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, stores: StoreAccess, shared: Shared
) -> None:
    """Expired, revoked, used up, unknown, malformed, or its content deleted since: one code,
    one message, nothing else to tell them apart."""
    instructor = shared.instructor
    expired = await link_of(http, instructor, "COURSE", shared.course_gid)
    async with stores.engine.begin() as conn:
        await conn.execute(
            update(share_links)
            .where(share_links.c.id == row_id(expired))
            .values(expires_at=text("now() - interval '1 minute'"))
        )
    revoked = await link_of(http, instructor, "COURSE", shared.course_gid)
    assert (await gql(http, REVOKE, {"id": revoked["id"]}, token=instructor))["data"]["revokeShareLink"]["errors"] == []
    used_up = await link_of(http, instructor, "QUIZ", shared.quiz_id, maxUses=1)
    assert "errors" not in await open_link(visitor, used_up["token"])
    # A lesson taken out of the outline is gone from the course; so is its link.
    removed = await link_of(http, instructor, "LESSON", shared.closed_lesson)
    outline = {"modules": [{"id": "m1", "title": "Basics", "lessonIds": [shared.preview_lesson]}]}
    edited = await gql(http, UPDATE_CONTENT, {"c": shared.course_gid, "v": shared.version, "i": outline},
                       token=instructor)  # fmt: skip
    assert edited["data"]["updateCourseContent"]["errors"] == []
    # Courses whose content document, or whose row, was deleted.
    admin, _ = await account_with_role(http, stores, "admin")
    _, no_content, _ = await make_course(stores, modules=1, lessons_per_module=1)
    content_gone = await link_of(http, admin, "COURSE", no_content)
    await stores.db["course_content"].delete_one({"_id": no_content})
    row_gone_id, _, no_row_lessons = await make_course(stores, modules=1, lessons_per_module=1)
    row_gone = await link_of(http, admin, "LESSON", no_row_lessons[0])
    async with stores.engine.begin() as conn:
        await conn.execute(delete(courses).where(courses.c.id == row_gone_id))

    valid = await link_of(http, instructor, "COURSE", shared.course_gid)
    assert "errors" not in await open_link(visitor, valid["token"])
    tokens = {
        "expired": expired["token"],
        "revoked": revoked["token"],
        "used up": used_up["token"],
        "lesson removed": removed["token"],
        "content deleted": content_gone["token"],
        "course row deleted": row_gone["token"],
        "unknown": new_token()[0],
        "malformed": "not-a-token",
        "empty": "",
        "long": "x" * 5000,
        "hash instead of token": hashlib.sha256(valid["token"].encode()).hexdigest(),
    }
    answers = {name: refusal(await open_link(visitor, token)) for name, token in tokens.items()}
    first = answers["unknown"]
    assert (first["message"], first["path"], first["extensions"]) == (
        INVALID_MESSAGE, ["sharedContent"], {"code": "SHARE_LINK_INVALID"},
    )  # fmt: skip
    for name, error in answers.items():
        assert error == first, name
    # The valid link still opens (nothing above spent it).
    assert "errors" not in await open_link(visitor, valid["token"])


async def test_concurrent_openings_never_exceed_max_uses(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, stores: StoreAccess, shared: Shared
) -> None:
    link = await link_of(http, shared.instructor, "COURSE", shared.course_gid, maxUses=3)
    bodies = await asyncio.gather(*(open_link(visitor, link["token"]) for _ in range(12)))
    opened = [b for b in bodies if "errors" not in b]
    refused = [refusal(b)["extensions"]["code"] for b in bodies if "errors" in b]
    assert len(opened) == 3
    assert refused == ["SHARE_LINK_INVALID"] * 9
    async with stores.engine.connect() as conn:
        count = await conn.scalar(select(share_links.c.use_count).where(share_links.c.id == row_id(link)))
    assert count == 3
    listed = await gql(http, LINKS_OF, {"c": shared.course_id}, token=shared.instructor)
    assert [(s["useCount"], s["state"]) for s in listed["data"]["course"]["shareLinks"]] == [(3, "USED_UP")]


async def test_opening_links_is_rate_limited_per_client_address(
    http: httpx.AsyncClient, gateway_factory: GatewayFactory, stores: StoreAccess, shared: Shared
) -> None:
    limited = gateway_factory(trust_forwarded_for=True, share_link_ip_burst=3, share_link_ip_per_second=0.05)
    link = await link_of(http, shared.instructor, "LESSON", shared.preview_lesson)
    address = fresh_ip()
    async with httpx.AsyncClient(base_url=limited.url, timeout=30, headers={"x-forwarded-for": address}) as client:
        # Guesses cost the same as openings: three, then nothing for 20 s.
        for _ in range(2):
            assert refusal(await open_link(client, new_token()[0]))["extensions"]["code"] == "SHARE_LINK_INVALID"
        assert "errors" not in await open_link(client, link["token"])
        response = await post_graphql(client, OPEN, {"t": link["token"]})
        body = response.json()
        error = refusal(body)
        assert error["extensions"]["code"] == "RATE_LIMITED"
        wait = error["extensions"]["retryAfterSeconds"]
        assert 1 <= wait <= 20
        assert response.headers["retry-after"] == str(wait)
        # Another address is not held back.
        other = {"x-forwarded-for": fresh_ip()}
        assert "errors" not in await gql(client, OPEN, {"t": link["token"]}, headers=other, expect_errors=True)
    # The refused opening was not counted.
    async with stores.engine.connect() as conn:
        count = await conn.scalar(select(share_links.c.use_count).where(share_links.c.id == row_id(link)))
    assert count == 2


# --- revoking ------------------------------------------------------------------------------------


async def test_who_may_revoke(http: httpx.AsyncClient, stores: StoreAccess, shared: Shared) -> None:
    """The creator, the course's instructor, admins. Others: NOT_FOUND when the course is hidden
    from them (as for an unknown id), FORBIDDEN when it is not."""
    admin, _ = await account_with_role(http, stores, "admin")
    other, _ = await account_with_role(http, stores, "instructor")
    student, _ = await account_with_role(http, stores, "student")
    _, published_content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    on_published = await link_of(http, admin, "COURSE", published_content_id)
    by_admin = await link_of(http, admin, "COURSE", shared.course_gid)
    by_owner = await link_of(http, shared.instructor, "QUIZ", shared.quiz_id)

    async def outcome(token: str | None, link_id: str) -> str:
        body = await gql(http, REVOKE, {"id": link_id}, token=token, expect_errors=True)
        if "errors" in body:
            return str(body["errors"][0]["extensions"]["code"])
        payload = body["data"]["revokeShareLink"]
        return payload["errors"][0]["code"] if payload["errors"] else payload["shareLink"]["state"]

    assert await outcome(None, by_owner["id"]) == "UNAUTHENTICATED"
    for token in (other, student):
        assert await outcome(token, by_owner["id"]) == "NOT_FOUND"
        assert await outcome(token, on_published["id"]) == "FORBIDDEN"
    assert await outcome(shared.instructor, to_global_id("ShareLink", uuid.UUID(int=9))) == "NOT_FOUND"
    # The course's instructor revokes an admin's link; an admin revokes the instructor's.
    assert await outcome(shared.instructor, by_admin["id"]) == "REVOKED"
    assert await outcome(admin, by_owner["id"]) == "REVOKED"
    assert await outcome(admin, on_published["id"]) == "REVOKED"


async def test_revoking_twice_is_harmless(http: httpx.AsyncClient, shared: Shared) -> None:
    link = await link_of(http, shared.instructor, "COURSE", shared.course_gid)
    first = (await gql(http, REVOKE, {"id": link["id"]}, token=shared.instructor))["data"]["revokeShareLink"]
    second = (await gql(http, REVOKE, {"id": link["id"]}, token=shared.instructor))["data"]["revokeShareLink"]
    assert first["errors"] == second["errors"] == []
    assert first["token"] is None
    assert first["shareLink"]["url"] is None
    assert first["shareLink"]["state"] == "REVOKED"
    assert first["shareLink"]["revokedAt"] is not None
    assert first["shareLink"] == second["shareLink"]


# --- Course.shareLinks -----------------------------------------------------------------------------


async def test_a_courses_links_newest_first_with_their_state(
    http: httpx.AsyncClient, visitor: httpx.AsyncClient, stores: StoreAccess, shared: Shared
) -> None:
    active = await link_of(http, shared.instructor, "COURSE", shared.course_gid)
    used_up = await link_of(http, shared.instructor, "LESSON", shared.preview_lesson, maxUses=1)
    await open_link(visitor, used_up["token"])
    expired = await link_of(http, shared.instructor, "QUIZ", shared.quiz_id)
    async with stores.engine.begin() as conn:
        await conn.execute(
            update(share_links)
            .where(share_links.c.id == row_id(expired))
            .values(expires_at=text("now() - interval '1 second'"))
        )
    revoked = await link_of(http, shared.instructor, "COURSE", shared.course_gid)
    await gql(http, REVOKE, {"id": revoked["id"]}, token=shared.instructor)
    admin, _ = await account_with_role(http, stores, "admin")
    for token in (shared.instructor, admin):
        listed = (await gql(http, LINKS_OF, {"c": shared.course_id}, token=token))["data"]["course"]["shareLinks"]
        assert [(s["id"], s["state"], s["url"]) for s in listed] == [
            (revoked["id"], "REVOKED", None),
            (expired["id"], "EXPIRED", None),
            (used_up["id"], "USED_UP", None),
            (active["id"], "ACTIVE", None),
        ]
        assert [s["entity"] for s in listed] == ["COURSE", "QUIZ", "LESSON", "COURSE"]


async def test_only_the_courses_instructor_and_admins_see_its_links(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    """On a published course everyone may read: the others get null and FORBIDDEN (UNAUTHENTICATED
    signed out), and the rest of the course as usual."""
    instructor, instructor_id = await account_with_role(http, stores, "instructor")
    course_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == course_id).values(instructor_id=instructor_id))
    link = await link_of(http, instructor, "COURSE", content_id)
    query = "query($c: String!) { course(contentId: $c) { contentId shareLinks { id } } }"
    seen = {}
    for role in ("anonymous", "student", "instructor", "admin", "owner"):
        token = instructor if role == "owner" else None
        if role not in {"anonymous", "owner"}:
            token, _ = await account_with_role(http, stores, role)
        body = await gql(http, query, {"c": content_id}, token=token, expect_errors=True)
        assert body["data"]["course"]["contentId"] == content_id
        seen[role] = (body["data"]["course"]["shareLinks"], [e["extensions"]["code"] for e in body.get("errors", [])])
    assert seen == {
        "anonymous": (None, ["UNAUTHENTICATED"]),
        "student": (None, ["FORBIDDEN"]),
        "instructor": (None, ["FORBIDDEN"]),
        "admin": ([{"id": link["id"]}], []),
        "owner": ([{"id": link["id"]}], []),
    }


async def test_share_links_of_a_list_of_courses_cost_constant_round_trips(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, instructor_id = await account_with_role(http, stores, "instructor")
    query = (
        "query($t: String) { courses(first: 50, filter: {tag: $t}) { nodes { contentId shareLinks { id state } } } }"
    )
    trips = {}
    for size in (2, 6):
        tag = unique("links")
        for _ in range(size):
            course_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
            async with stores.engine.begin() as conn:
                owned = update(courses).where(courses.c.id == course_id)
                await conn.execute(owned.values(instructor_id=instructor_id, tags=[tag]))
            for _ in range(2):
                await link_of(http, instructor, "COURSE", content_id)
        body = await gql(http, query, {"t": tag}, token=instructor)
        nodes = body["data"]["courses"]["nodes"]
        assert len(nodes) == size
        assert all(len(n["shareLinks"]) == 2 for n in nodes)
        trips[size] = body["extensions"]["roundTrips"]
    print("round trips of courses { shareLinks }:", trips)
    assert trips[2] == trips[6]
    assert trips[6]["postgres"] <= 2  # the page; every course's links in one query
