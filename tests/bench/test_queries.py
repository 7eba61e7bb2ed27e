"""The benchmark's query shapes run, return what they should, and stay within their round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, complete_lesson, enroll, make_course, register, user_id_of
from tests.support.world import add_quiz

QUERIES = Path(__file__).parents[2] / "bench" / "queries"
# Round trips per request (every store), whatever the list sizes: the targets.
TARGETS = {"dashboard": 6, "catalog": 3, "question_list": 3, "hot": 2, "search": 7}
# Search, per store: one Typesense multi-search; the pgvector statement, then the hits' course
# rows in one batch; one MongoDB read per kind of record (lessons, course contents, questions
# and the quizzes listing them), whatever the page holds.
SEARCH_TARGETS = {"typesense": 1, "postgres": 2, "mongodb": 4}
# The question bank: the visible courses (PostgreSQL), the questions their open quizzes list, the
# page (MongoDB). One aggregation doing the last two cost 40-100 ms of server time per 500 questions.


def _query(shape: str) -> str:
    return (QUERIES / f"{shape}.graphql").read_text()


def _total(body: dict[str, Any]) -> int:
    trips = body["extensions"]["roundTrips"]
    return sum(int(count) for count in trips.values())


async def test_dashboard_round_trips_do_not_grow_with_enrollments(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    totals: list[int] = []
    for added in (2, 4):  # 2 enrollments, then 6
        for _ in range(added):
            course_id, _, lessons = await make_course(stores)
            await enroll(stores, user_id_of(token), course_id)
            await complete_lesson(stores, user_id_of(token), course_id, lessons[0])
        body = await gql(http, _query("dashboard"), token=token)
        assert len(body["data"]["me"]["enrollments"]["nodes"]) == len(totals) * 4 + 2
        totals.append(_total(body))
    assert totals[0] == totals[1] <= TARGETS["dashboard"]


async def test_catalog_hot_and_question_list_round_trips(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    _, content_id, _ = await make_course(stores)
    await add_quiz(stores, content_id)  # the question bank lists questions of published quizzes
    catalog = await gql(http, _query("catalog"))
    assert catalog["data"]["courses"]["nodes"]
    assert _total(catalog) <= TARGETS["catalog"]
    hot = await gql(http, _query("hot"), {"contentId": content_id})
    assert hot["data"]["course"]["contentId"] == content_id
    assert _total(hot) <= TARGETS["hot"]
    questions = await gql(http, _query("question_list"))
    nodes = questions["data"]["questions"]["nodes"]
    assert nodes
    assert any(n.get("options") for n in nodes)
    assert _total(questions) <= TARGETS["question_list"]


async def test_question_bank_pages_by_cursor_and_caps_first(http: httpx.AsyncClient) -> None:
    page = (
        "query($after: String) { questions(first: 2, after: $after) {"
        " pageInfo { endCursor hasNextPage } nodes { contentId } } }"
    )
    first = (await gql(http, page))["data"]["questions"]
    second = (await gql(http, page, {"after": first["pageInfo"]["endCursor"]}))["data"]["questions"]
    ids = [n["contentId"] for n in first["nodes"] + second["nodes"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == 4
    body = await gql(http, "{ questions(first: 501) { nodes { contentId } } }", expect_errors=True)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first", "max": 500}


def _trips(body: dict[str, Any]) -> tuple[int, int]:
    trips = body["extensions"]["roundTrips"]
    return int(trips["postgres"]), int(trips["mongodb"])


async def test_pages_fetch_below_them_only_what_the_query_reads(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    """Pages fetch their items' courses, content and progress in one batch each, and only when
    the query reads them there (through `nodes`, `edges`, fragments), whatever the page size."""
    await make_course(stores)
    ids_only = await gql(http, "{ courses(first: 50) { nodes { contentId } } }")
    assert _trips(ids_only) == (1, 0)
    via_edges = await gql(http, "{ courses(first: 50) { edges { node { ...T } } } } fragment T on Course { title }")
    via_nodes = await gql(http, "{ courses(first: 50) { nodes { contentId title lessonCount } } }")
    assert _trips(via_edges) == _trips(via_nodes) == (1, 1)
    titles = [edge["node"]["title"] for edge in via_edges["data"]["courses"]["edges"]]
    assert titles == [node["title"] for node in via_nodes["data"]["courses"]["nodes"]]
    assert all(titles)

    token, _ = await register(http)
    for _ in range(3):
        course_id, _, lessons = await make_course(stores)
        await enroll(stores, user_id_of(token), course_id)
        await complete_lesson(stores, user_id_of(token), course_id, lessons[0])
    outline = "{ me { enrollments { nodes { course { content { modules { lessons { title %s } } } } } } } }"
    without = await gql(http, outline % "", token=token)
    with_progress = await gql(http, outline % "progress { completed }", token=token)
    # me, enrollments, courses (+ progress); content, lessons.
    assert _trips(without) == (3, 2)
    assert _trips(with_progress) == (4, 2)
    completed = [
        lesson["progress"]["completed"] if lesson["progress"] else False
        for node in with_progress["data"]["me"]["enrollments"]["nodes"]
        for module in node["course"]["content"]["modules"]
        for lesson in module["lessons"]
    ]
    assert completed.count(True) == 3


async def test_search_shape_finds_lessons_and_courses_within_its_round_trips(http: httpx.AsyncClient) -> None:
    """The benchmark's search, over the demo catalogue (indexed at the start of the session): hits
    of several kinds, each with its record, in one Typesense call and a bounded number of reads."""
    body = await gql(http, _query("search"), {"q": "postgress indexes and transactions"})
    search = body["data"]["search"]
    nodes = [edge["node"] for edge in search["edges"]]
    assert 3 <= len(nodes) <= 10  # the demo catalogue is small; the page is at most 10
    assert search["totalCount"] >= len(nodes)
    assert {"LESSON", "COURSE"} <= {node["kind"] for node in nodes}, [node["contentId"] for node in nodes]
    for node in nodes:
        record = node["record"]
        assert record["__typename"] in {"Lesson", "Course"} or record["__typename"].endswith("Question")
        assert node["title"]
        assert node["snippet"]
        if record["__typename"] == "Lesson":
            assert record["title"] == node["title"]
        if record["__typename"] == "Course":
            assert record["courseTitle"] == node["title"]
    scores = [node["score"] for node in nodes]
    assert scores == sorted(scores, reverse=True)
    trips = body["extensions"]["roundTrips"]
    for store, limit in SEARCH_TARGETS.items():
        assert int(trips.get(store, 0)) <= limit, (store, trips)
    assert int(trips["typesense"]) == 1
    assert _total(body) <= TARGETS["search"]
