"""Quizzes and their questions.

A question that graded attempts already used is never edited in place: saving it writes a
new question document (a new id) and swaps it into the quiz, so every attempt's details keep
pointing at the exact question, answer included, that it was graded against.
"""

from __future__ import annotations

from typing import Any

from learnhub.authoring import validation
from learnhub.authoring.courses import Refused, conflict, invalid
from learnhub.authoring.indexing import reindexing
from learnhub.core.ids import uuid7
from learnhub.datasources.mongo import authoring as docs
from learnhub.datasources.mongo.content import collection
from learnhub.datasources.mongo.documents import Question, QuizContent, utcnow
from learnhub.datasources.postgres import attempts
from learnhub.datasources.stores import Stores

Doc = dict[str, Any]
MAX_QUESTIONS = 200


def settings_problems(settings: Doc) -> list[tuple[str, str]]:
    problems = []
    if not 0 <= int(settings.get("pass_percent", 70)) <= 100:
        problems.append(("settings.passPercent", "Give 0 to 100"))
    limit = settings.get("time_limit_seconds")
    if limit is not None and not 10 <= limit <= 86_400:
        problems.append(("settings.timeLimitSeconds", "Give 10 to 86,400 seconds, or null"))
    allowed = settings.get("attempts_allowed")
    if allowed is not None and not 1 <= allowed <= 100:
        problems.append(("settings.attemptsAllowed", "Give 1 to 100, or null"))
    if settings.get("review", "after_submit") not in ("after_submit", "after_pass", "never"):
        problems.append(("settings.review", "Use after_submit, after_pass or never"))
    return problems


async def create_quiz(
    stores: Stores, course_content_id: str, *, slug: str, title: str, description: str, settings: Doc
) -> Doc | list[Refused]:
    problems = (
        validation.slug(slug)
        + validation.title(title)
        + validation.text(description, "description")
        + settings_problems(settings)
    )
    if problems:
        return invalid(problems)
    quiz = {
        "_id": f"quiz:{slug}",
        "course_id": course_content_id,
        "title": title.strip(),
        "description": description,
        "settings": settings,
        "question_ids": [],
        # Drafts until published: students cannot start them.
        "published": False,
        "version": 1,
        "updated_at": utcnow(),
    }
    async with reindexing(stores, course_content_id):
        try:
            await docs.insert_quiz(stores.mongo_db, quiz)
        except docs.IdTaken:
            return [Refused("SLUG_TAKEN", "A quiz with this slug exists", "slug")]
    return quiz


async def save_question(
    stores: Stores, quiz: Doc, expected_version: int, question_id: str | None, fields: Doc
) -> Doc | list[Refused]:
    """Add a question (no id) or change one; returns the quiz after the change."""
    problems = validation.question(
        fields["type"], fields["prompt"], fields["points"], fields["options"], fields["answer"]
    ) + validation.text(fields.get("explanation", ""), "explanation")
    if problems:
        return invalid(problems)
    ids: list[str] = list(quiz.get("question_ids", []))
    if question_id is not None and question_id not in ids:
        return [Refused("NOT_FOUND", "No such question in this quiz", "questionId")]
    if question_id is None and len(ids) >= MAX_QUESTIONS:
        return [Refused("INVALID", f"A quiz holds at most {MAX_QUESTIONS} questions", "quizId")]
    async with stores.engine.connect() as conn:
        graded = await attempts.count_for_quiz(conn, quiz["_id"]) > 0
    new_id = question_id if question_id is not None and not graded else f"question:{quiz['_id'][5:]}-{uuid7().hex[:12]}"
    document = {"_id": new_id, **fields, "updated_at": utcnow()}
    async with reindexing(stores, quiz["course_id"]):
        if new_id == question_id:
            await collection(stores.mongo_db, Question).replace_one({"_id": new_id}, document)
        else:
            await docs.insert_question(stores.mongo_db, document | {"created_at": utcnow()})
        new_ids = [new_id if i == question_id else i for i in ids] if question_id is not None else [*ids, new_id]
        updated = await docs.update_versioned(
            stores.mongo_db, QuizContent, quiz["_id"], expected_version, {"question_ids": new_ids}
        )
        if updated is None and new_id != question_id:
            await collection(stores.mongo_db, Question).delete_one({"_id": new_id})
    return updated if updated is not None else await conflict(stores, QuizContent, quiz["_id"])


async def remove_question(stores: Stores, quiz: Doc, expected_version: int, question_id: str) -> Doc | list[Refused]:
    """Take a question out of the quiz; its document stays for the attempts that answered it."""
    ids = list(quiz.get("question_ids", []))
    if question_id not in ids:
        return [Refused("NOT_FOUND", "No such question in this quiz", "questionId")]
    async with reindexing(stores, quiz["course_id"]):
        updated = await docs.update_versioned(
            stores.mongo_db,
            QuizContent,
            quiz["_id"],
            expected_version,
            {"question_ids": [i for i in ids if i != question_id]},
        )
    return updated if updated is not None else await conflict(stores, QuizContent, quiz["_id"])


async def set_published(stores: Stores, quiz: Doc, expected_version: int, published: bool) -> Doc | list[Refused]:
    if published and not quiz.get("question_ids"):
        return [Refused("INVALID", "Add a question before publishing", "quizId")]
    async with reindexing(stores, quiz["course_id"]):
        updated = await docs.update_versioned(
            stores.mongo_db, QuizContent, quiz["_id"], expected_version, {"published": published}
        )
    return updated if updated is not None else await conflict(stores, QuizContent, quiz["_id"])
