"""The labelled search queries point at content the demo catalogue really has, and are balanced."""

from __future__ import annotations

from collections import Counter

from bench.search_queries import QUERIES
from learnhub.seed.catalog import COURSES

MIN_QUERIES = 72
MIN_PER_CATEGORY = 20
MIN_LESSON_QUERIES = 50


def _demo_content_ids() -> set[str]:
    # The ids `learnhub/seed/demo.py` stores for each course, lesson and question.
    ids: set[str] = set()
    for course in COURSES:
        ids.add(f"course:{course.slug}")
        ids.update(f"lesson:{lesson.slug}" for module in course.modules for lesson in module.lessons)
        ids.update(f"question:{question['slug']}" for question in course.questions)
    return ids


def test_every_relevant_id_is_in_the_demo_catalogue() -> None:
    ids = _demo_content_ids()
    unknown = [(query.text, rid) for query in QUERIES for rid in query.relevant if rid not in ids]
    assert unknown == []


def test_every_query_names_one_to_three_distinct_answers() -> None:
    assert [q.text for q in QUERIES if not 1 <= len(set(q.relevant)) == len(q.relevant) <= 3] == []


def test_the_set_is_large_and_balanced_across_categories() -> None:
    assert len(QUERIES) >= MIN_QUERIES
    per_category = Counter(query.category for query in QUERIES)
    assert set(per_category) == {"exact", "misspelled", "paraphrase"}
    assert min(per_category.values()) >= MIN_PER_CATEGORY
    assert sum(any(rid.startswith("lesson:") for rid in q.relevant) for q in QUERIES) >= MIN_LESSON_QUERIES


def test_no_query_text_is_repeated() -> None:
    texts = Counter(query.text.casefold() for query in QUERIES)
    assert [text for text, n in texts.items() if n > 1] == []
