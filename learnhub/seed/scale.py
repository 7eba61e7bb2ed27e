"""Generated data at benchmark scale: a thousand users per unit of scale and everything they touch.

`seed_scale(engine, db, N, password_hash=...)` writes, for scale N:

====================  ==================================================================
users (+ profiles)    1,000 * N, `user{i:06d}@scale.learnhub.dev`, one shared password hash
courses               20 * N, `course:scale-{i:04d}`, 8 modules x 6 lessons, ~90% published
lessons               960 * N, `lesson:scale-{i:04d}-{m}-{l}` (module and lesson from 0)
quizzes               20 * N, `quiz:scale-{i:04d}`, 10 questions each, on the course's last lesson
questions             200 * N, `question:scale-{i:05d}`, all five question types
enrollments           1-4 per user; the first 100 users (user000000 included) have exactly 20
lesson_progress       10,000 * N, unique per (user, lesson), only in courses the user is enrolled in
quiz_attempts         5,000 * N, each with a QuizAttemptDetails document `attempt:<attempt id>`
====================  ==================================================================

The data is deterministic: every stage draws from its own `random.Random` with a fixed seed, and
even the UUIDv7 ids come from such a generator (their time part is the row's own creation time),
so two runs at the same scale write identical rows and documents. That also makes a seed that
failed half-way safe to run again: PostgreSQL rolled back, and the MongoDB documents the failed run
managed to write are the very ones the retry writes, so duplicate-key errors are skipped.

"Already seeded" is judged by `course:scale-0000` in PostgreSQL: when it exists, nothing is written.
The check cannot tell scales apart, so seeding a different scale needs a fresh database (both
PostgreSQL and MongoDB: content ids are the same at every scale but their content is not).

Speed: PostgreSQL rows go through asyncpg's binary COPY, all in one transaction, in foreign-key
order; MongoDB documents go through unordered `insert_many` batches that run in the background
while generation and COPY continue. Rows are produced by generators, so the largest tables
(progress, attempts) are never held in memory whole.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.mongo.documents import (
    QUESTION_TYPES,
    CourseContent,
    LessonContent,
    Question,
    QuestionType,
    QuizAttemptDetails,
    QuizContent,
)
from learnhub.datasources.postgres.tables import (
    LEVELS,
    courses,
    enrollments,
    lesson_progress,
    quiz_attempts,
    user_profiles,
    users,
)

Doc = dict[str, Any]
Record = tuple[Any, ...]

# ---------------------------------------------------------------------------------------------
# Shape of the data set (public: the benchmark builds ids and emails from these)
# ---------------------------------------------------------------------------------------------

USERS_PER_SCALE = 1_000
COURSES_PER_SCALE = 20
QUESTIONS_PER_SCALE = 200
PROGRESS_PER_SCALE = 10_000
ATTEMPTS_PER_SCALE = 5_000
MODULES_PER_COURSE = 8
LESSONS_PER_MODULE = 6
LESSONS_PER_COURSE = MODULES_PER_COURSE * LESSONS_PER_MODULE
QUESTIONS_PER_QUIZ = 10
# The dashboard benchmark needs students with a known, fairly large number of enrollments.
HEAVY_USERS = 100
HEAVY_USER_ENROLLMENTS = 20
EMAIL_DOMAIN = "scale.learnhub.dev"

SEED = 20_250_630
MONGO_BATCH = 1_000
ATTEMPT_BATCH = 1_000
# Key of the advisory lock that makes two concurrent seeders take turns instead of both writing.
_LOCK_KEY = 0x6C68_7363_616C_65  # "lhscale"

# The data set's own clock: fixed, so timestamps are reproducible, and in the past, so nothing is
# dated in the future. Every row's UUIDv7 carries its creation time, keeping id order = time order.
DATA_START = datetime(2024, 1, 1, tzinfo=UTC)
DATA_END = datetime(2025, 6, 30, tzinfo=UTC)


def user_email(index: int) -> str:
    return f"user{index:06d}@{EMAIL_DOMAIN}"


def course_content_id(course: int) -> str:
    return f"course:scale-{course:04d}"


def module_content_id(course: int, module: int) -> str:
    return f"module:scale-{course:04d}-{module}"


def lesson_content_id(course: int, module: int, lesson: int) -> str:
    return f"lesson:scale-{course:04d}-{module}-{lesson}"


def quiz_content_id(course: int) -> str:
    return f"quiz:scale-{course:04d}"


def question_content_id(question: int) -> str:
    return f"question:scale-{question:05d}"


MARKER_CONTENT_ID = course_content_id(0)


@dataclass(frozen=True)
class ScaleReport:
    """What one `seed_scale` call wrote; all counts are zero (and `skipped` true) when already seeded.

    Document counts are those of the data set: after a retry of a failed seed, some of them were
    already in MongoDB (identical) and were skipped rather than written twice.
    """

    scale: int
    skipped: bool
    users: int = 0
    user_profiles: int = 0
    courses: int = 0
    enrollments: int = 0
    lesson_progress: int = 0
    quiz_attempts: int = 0
    course_contents: int = 0
    lessons: int = 0
    quizzes: int = 0
    questions: int = 0
    attempt_details: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """PostgreSQL rows written."""
        return (
            self.users
            + self.user_profiles
            + self.courses
            + self.enrollments
            + self.lesson_progress
            + self.quiz_attempts
        )

    @property
    def documents(self) -> int:
        """MongoDB documents written."""
        return self.course_contents + self.lessons + self.quizzes + self.questions + self.attempt_details


# ---------------------------------------------------------------------------------------------
# Vocabulary: enough variety that titles, summaries and prompts look like a real catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    name: str
    tags: tuple[str, ...]
    language: str  # of the code blocks in its lessons
    concepts: tuple[str, ...]  # at least MODULES_PER_COURSE


_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "REST APIs",
        ("api", "http", "backend"),
        "http",
        (
            "resource naming",
            "HTTP methods",
            "status codes",
            "pagination",
            "versioning",
            "caching headers",
            "authentication",
            "rate limiting",
            "error responses",
            "idempotency keys",
        ),
    ),
    _Topic(
        "GraphQL",
        ("api", "graphql", "backend"),
        "graphql",
        (
            "schema design",
            "resolvers",
            "DataLoader batching",
            "connections",
            "mutations",
            "error handling",
            "query cost limits",
            "subscriptions",
            "federation",
            "persisted queries",
        ),
    ),
    _Topic(
        "PostgreSQL",
        ("database", "sql", "backend"),
        "sql",
        (
            "B-tree indexes",
            "query plans",
            "transactions",
            "isolation levels",
            "MVCC",
            "partitioning",
            "vacuum",
            "connection pooling",
            "JSONB",
            "replication",
        ),
    ),
    _Topic(
        "MongoDB",
        ("database", "nosql", "backend"),
        "javascript",
        (
            "document modelling",
            "aggregation pipelines",
            "compound indexes",
            "replica sets",
            "sharding",
            "change streams",
            "schema validation",
            "multi-document transactions",
            "TTL indexes",
            "read preferences",
        ),
    ),
    _Topic(
        "Python",
        ("python", "programming"),
        "python",
        (
            "generators",
            "type hints",
            "asyncio",
            "packaging",
            "dataclasses",
            "context managers",
            "decorators",
            "virtual environments",
            "exceptions",
            "profiling",
        ),
    ),
    _Topic(
        "TypeScript",
        ("javascript", "typescript", "frontend"),
        "typescript",
        (
            "structural typing",
            "generics",
            "union types",
            "type narrowing",
            "modules",
            "strict mode",
            "declaration files",
            "utility types",
            "enums",
            "async functions",
        ),
    ),
    _Topic(
        "React",
        ("javascript", "react", "frontend"),
        "typescript",
        (
            "components",
            "hooks",
            "state management",
            "effects",
            "forms",
            "routing",
            "server rendering",
            "memoisation",
            "accessibility",
            "component tests",
        ),
    ),
    _Topic(
        "Docker",
        ("devops", "containers"),
        "dockerfile",
        (
            "images",
            "layers",
            "multi-stage builds",
            "volumes",
            "networking",
            "Compose files",
            "health checks",
            "image size",
            "registries",
            "build caching",
        ),
    ),
    _Topic(
        "Kubernetes",
        ("devops", "containers", "cloud"),
        "yaml",
        (
            "pods",
            "deployments",
            "services",
            "ingress",
            "config maps",
            "secrets",
            "autoscaling",
            "probes",
            "resource limits",
            "rolling updates",
        ),
    ),
    _Topic(
        "Web Security",
        ("security", "web"),
        "http",
        (
            "cross-site scripting",
            "CSRF",
            "SQL injection",
            "password storage",
            "session management",
            "CORS",
            "content security policy",
            "secrets management",
            "TLS",
            "dependency audits",
        ),
    ),
    _Topic(
        "Data Analysis",
        ("python", "data-science"),
        "python",
        (
            "data frames",
            "cleaning data",
            "grouping",
            "joins",
            "time series",
            "plotting",
            "sampling",
            "missing values",
            "reshaping",
            "reporting",
        ),
    ),
    _Topic(
        "Machine Learning",
        ("machine-learning", "data-science", "python"),
        "python",
        (
            "train/test splits",
            "linear models",
            "decision trees",
            "feature engineering",
            "overfitting",
            "cross-validation",
            "evaluation metrics",
            "gradient descent",
            "embeddings",
            "model serving",
        ),
    ),
    _Topic(
        "Git",
        ("tools", "programming"),
        "bash",
        (
            "commits",
            "branches",
            "merging",
            "rebasing",
            "pull requests",
            "conflict resolution",
            "tags",
            "history rewriting",
            "bisect",
            "hooks",
        ),
    ),
    _Topic(
        "Software Testing",
        ("testing", "programming"),
        "python",
        (
            "unit tests",
            "fixtures",
            "mocking",
            "integration tests",
            "property-based tests",
            "test coverage",
            "flaky tests",
            "end-to-end tests",
            "test data",
            "contract tests",
        ),
    ),
    _Topic(
        "Redis",
        ("database", "caching", "backend"),
        "bash",
        (
            "key design",
            "expiry",
            "eviction policies",
            "sorted sets",
            "streams",
            "pub/sub",
            "persistence",
            "pipelining",
            "Lua scripts",
            "cache invalidation",
        ),
    ),
    _Topic(
        "Distributed Systems",
        ("architecture", "backend"),
        "python",
        (
            "consensus",
            "replication",
            "partitioning",
            "clocks",
            "retries",
            "idempotency",
            "message queues",
            "backpressure",
            "consistency models",
            "failure detection",
        ),
    ),
    _Topic(
        "Linux",
        ("devops", "tools"),
        "bash",
        (
            "the shell",
            "file permissions",
            "processes",
            "systemd",
            "package managers",
            "networking tools",
            "log files",
            "cron jobs",
            "disk usage",
            "SSH",
        ),
    ),
    _Topic(
        "CSS Layout",
        ("css", "frontend", "web"),
        "css",
        (
            "the box model",
            "flexbox",
            "grid",
            "positioning",
            "responsive design",
            "custom properties",
            "typography",
            "stacking contexts",
            "container queries",
            "animations",
        ),
    ),
    _Topic(
        "Observability",
        ("devops", "monitoring"),
        "yaml",
        (
            "structured logs",
            "metrics",
            "traces",
            "alerting",
            "dashboards",
            "SLOs",
            "sampling",
            "cardinality",
            "incident reviews",
            "on-call",
        ),
    ),
    _Topic(
        "Rust",
        ("rust", "programming"),
        "rust",
        (
            "ownership",
            "borrowing",
            "lifetimes",
            "traits",
            "error handling",
            "iterators",
            "pattern matching",
            "smart pointers",
            "async Rust",
            "cargo workspaces",
        ),
    ),
)

# The fixed tag list: every tag a course or question can carry.
TAGS: tuple[str, ...] = tuple(sorted({tag for topic in _TOPICS for tag in topic.tags}))

# (title pattern, the level the wording implies or None for any)
_COURSE_TITLES: tuple[tuple[str, str | None], ...] = (
    ("{topic} Fundamentals", "beginner"),
    ("Practical {topic}", None),
    ("{topic} in Production", "advanced"),
    ("Advanced {topic}", "advanced"),
    ("{topic} from Scratch", "beginner"),
    ("Mastering {topic}", "advanced"),
    ("{topic} for Teams", "intermediate"),
    ("Modern {topic}", None),
    ("{topic}: Patterns and Pitfalls", None),
    ("Hands-on {topic}", "intermediate"),
)
_LESSON_TITLES = (
    "Getting {concept} right",
    "{Concept} in practice",
    "Common {concept} mistakes",
    "Designing around {concept}",
    "Testing {concept}",
    "A {concept} case study",
    "Measuring {concept}",
    "A {concept} checklist",
    "Debugging {concept}",
    "{Concept} and {other}",
)
_LESSON_SUMMARIES = (
    "What {concept} is, and when it starts to matter.",
    "A worked example of {concept} in {topic}.",
    "The mistakes we see most often, and how to fix them.",
    "How {concept} interacts with {other}.",
    "A step-by-step walkthrough you can repeat on your own project.",
    "Trade-offs, with numbers.",
    "From a failing example to a working one.",
    "The short version: rules of thumb for {concept}.",
)
_SENTENCES = (
    "Mistakes in {concept} are among the first to surface when a {topic} project grows.",
    "Most teams meet {concept} the hard way: in production, at the worst possible moment.",
    "A good mental model of {concept} saves hours of debugging later.",
    "We start from a small example and grow it one step at a time.",
    "Keep an eye on how {concept} interacts with {other}; the two are rarely independent.",
    "The trade-off is easy to state and hard to apply: clarity now versus flexibility later.",
    "Measure before you optimise; problems with {concept} often hide somewhere unexpected.",
    "Write down the assumptions you make about {concept}, then test each one.",
    "In {topic} the defaults are reasonable, but they are not always right for your workload.",
    "By the end of this lesson you will be able to explain {concept} to a teammate.",
    "Compare the two approaches below and note where each one breaks down.",
    "Small, reversible changes make {concept} much less risky to evolve.",
)
_CALLOUTS = (
    "**Tip:** try the example on a copy of real data; toy data hides the interesting cases.",
    "**Watch out:** {concept} can look fine on your laptop and still fail under load.",
    "**Note:** the exercise at the end of this module builds on this lesson.",
)
_CODE: dict[str, str] = {
    "http": "GET /v1/courses?first=20&after=Y3Vyc29yOjQy HTTP/1.1\nHost: api.example.com\nAccept: application/json",
    "graphql": "query Dashboard($first: Int!) {\n  me {\n    enrollments(first: $first) {\n"
    "      edges { node { course { title } } }\n    }\n  }\n}",
    "sql": "EXPLAIN ANALYZE\nSELECT id, title\n  FROM courses\n WHERE published\n ORDER BY id DESC\n LIMIT 20;",
    "javascript": "db.lessons.aggregate([\n  { $match: { course_id: courseId } },\n"
    "  { $group: { _id: null, minutes: { $sum: '$duration_minutes' } } },\n])",
    "python": "def chunks(items: list[int], size: int) -> list[list[int]]:\n"
    "    return [items[i:i + size] for i in range(0, len(items), size)]",
    "typescript": "type Result<T> = { ok: true; value: T } | { ok: false; error: string };\n\n"
    "function unwrap<T>(result: Result<T>): T {\n  if (!result.ok) throw new Error(result.error);\n"
    "  return result.value;\n}",
    "dockerfile": "FROM python:3.12-slim AS base\nWORKDIR /app\nCOPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .",
    "yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3",
    "bash": 'set -euo pipefail\nfor file in logs/*.log; do\n  grep -c ERROR "$file"\ndone',
    "css": ".layout {\n  display: grid;\n  grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));\n"
    "  gap: 1rem;\n}",
    "rust": "fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n    if a.len() >= b.len() { a } else { b }\n}",
}
_FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chloe",
    "Dmitri",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kira",
    "Luis",
    "Maya",
    "Nils",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
)
_LAST_NAMES = (
    "Adams",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
)
_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "Africa/Lagos",
)
_BIOS = (
    "Backend developer picking up {topic}.",
    "Student. Currently deep in {topic}.",
    "Frontend engineer, curious about {topic}.",
    "Career changer; {topic} is next on the list.",
    "Team lead brushing up on {topic}.",
)

# Question bank text. Options are generic enough to fit any topic's concept.
_SINGLE_PROMPTS = (
    "Which statement about {concept} in {topic} is accurate?",
    "Why do experienced {topic} developers care about {concept}?",
    "What is the main benefit of getting {concept} right?",
)
_SINGLE_RIGHT = (
    "It makes {concept} explicit, so reviews and tests can catch mistakes.",
    "It trades a little up-front design for far fewer surprises in production.",
    "It keeps behaviour predictable as load and data grow.",
    "It lets you change {concept} later without breaking clients.",
)
_SINGLE_WRONG = (
    "It only matters once the project is finished.",
    "It removes the need to test {concept} at all.",
    "It is a purely cosmetic convention with no effect at runtime.",
    "It must be configured again on every request.",
    "It guarantees zero latency whatever the load.",
    "It was removed from current versions of {topic}.",
)
_MULTI_PROMPTS = (
    "Select every practice that improves {concept} in {topic}.",
    "Which of these help when {concept} starts causing problems? Choose all that apply.",
)
_MULTI_RIGHT = (
    "Measuring before changing anything",
    "Writing a small test that reproduces the problem",
    "Reading the {topic} documentation on {concept}",
    "Reviewing changes with a teammate",
    "Rolling changes out gradually",
)
_MULTI_WRONG = (
    "Turning off logging to save time",
    "Copying a fix without understanding it",
    "Changing several things at once",
    "Ignoring warnings until release day",
)
_TRUE_STATEMENTS = (
    "A {topic} project should have tests that cover {concept}.",
    "Measuring is a better guide to {concept} problems than guessing.",
    "Getting {concept} wrong can show up only under production load.",
)
_FALSE_STATEMENTS = (
    "Once a {topic} project ships, you never need to revisit {concept}.",
    "In {topic}, mistakes in {concept} affect development only, never production.",
    "Defaults for {concept} are right for every workload.",
)
# Short-answer questions need a right answer to store, so they are real facts, by topic:
# topic name -> (prompt, accepted answers, case sensitive). Every topic has at least one.
_SHORT_FACTS: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    "REST APIs": (
        ("Which HTTP method partially updates a resource?", ("PATCH",), False),
        ("Which HTTP request header usually carries a bearer token?", ("Authorization",), False),
    ),
    "GraphQL": (("Which GraphQL operation type changes data?", ("mutation",), False),),
    "PostgreSQL": (
        ("Which SQL clause filters groups after aggregation?", ("HAVING",), False),
        ("In ACID, what does the letter I stand for?", ("Isolation",), False),
        ("Which PostgreSQL command shows a query's execution plan?", ("EXPLAIN", "EXPLAIN ANALYZE"), False),
    ),
    "MongoDB": (("Which MongoDB aggregation stage filters documents?", ("$match", "match"), False),),
    "Python": (("Which Python keyword turns a function into a generator?", ("yield",), True),),
    "TypeScript": (
        ("Which TypeScript keyword declares an object type that others can `extends`?", ("interface",), True),
    ),
    "React": (("Which React hook runs side effects after rendering?", ("useEffect",), True),),
    "Docker": (("Which Dockerfile instruction sets the base image?", ("FROM",), False),),
    "Kubernetes": (
        ("Which Kubernetes object keeps identical pods running and rolls out updates?", ("Deployment",), False),
    ),
    "Web Security": (("Which part of a JSON Web Token carries the claims?", ("payload", "the payload"), False),),
    "Data Analysis": (("Which pandas method combines two data frames by key, like a SQL join?", ("merge",), False),),
    "Machine Learning": (
        (
            "What is a model said to do when it fits training data well but new data poorly?",
            ("overfit", "overfitting"),
            False,
        ),
    ),
    "Git": (("Which Git command records staged changes in the history?", ("commit", "git commit"), False),),
    "Software Testing": (
        ("Which pytest decorator turns a function into a fixture?", ("pytest.fixture", "@pytest.fixture"), True),
    ),
    "Redis": (("Which Redis command sets a key's time to live in seconds?", ("EXPIRE",), False),),
    "Distributed Systems": (
        ("Which data structure hands out messages first in, first out?", ("queue", "a queue", "FIFO queue"), False),
    ),
    "Linux": (("Which Linux command shows a live view of running processes?", ("top", "htop"), False),),
    "CSS Layout": (("Which CSS layout module places items in rows and columns at once?", ("grid", "CSS grid"), False),),
    "Observability": (
        ("Which observability signal follows one request across services?", ("traces", "tracing", "a trace"), False),
    ),
    "Rust": (("Which Rust keyword makes a binding mutable?", ("mut",), True),),
}
_WRONG_TEXT = ("not sure", "no idea", "skip", "?")
_TYPE_WEIGHTS: dict[QuestionType, int] = {
    "single_choice": 35,
    "multiple_choice": 20,
    "true_false": 20,
    "short_text": 12,
    "numeric": 13,
}
_POINTS: dict[QuestionType, float] = {
    "single_choice": 1.0,
    "multiple_choice": 2.0,
    "true_false": 1.0,
    "short_text": 1.0,
    "numeric": 2.0,
}
# How much harder than the learner's skill a question is to get right.
_DIFFICULTY_FACTOR = {"easy": 1.1, "medium": 0.9, "hard": 0.65}
_OPTION_IDS = "abcdefgh"


def _cap(text: str) -> str:
    # str.capitalize() would lower-case the rest ("HTTP methods" -> "Http methods").
    return text[:1].upper() + text[1:]


def _fill(template: str, topic: _Topic, concept: str, other: str) -> str:
    return template.format(topic=topic.name, concept=concept, Concept=_cap(concept), other=other)


# ---------------------------------------------------------------------------------------------
# The plan: small per-entity facts that later stages need (rows and documents are made lazily)
# ---------------------------------------------------------------------------------------------


def _rng(stage: str) -> random.Random:
    # One generator per stage: a change in how one stage draws numbers leaves the others' data alone.
    # String seeds are hashed with SHA-512, not hash(), so they do not depend on PYTHONHASHSEED.
    return random.Random(f"{SEED}:{stage}")  # noqa: S311 - test data, not secrets


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


class _Ids:
    """UUIDv7 ids stamped with a given time, random bits drawn from a seeded generator.

    `learnhub.core.ids.uuid7()` stamps the current time; seeded rows are dated in the past, and an id
    made "now" would sort every seeded row by insertion order instead of by its `created_at`.
    """

    def __init__(self) -> None:
        self._rng = _rng("ids")

    def at(self, when: datetime) -> uuid.UUID:
        millis = int(when.timestamp() * 1000)
        rand = self._rng.getrandbits(74)
        value = (millis & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76  # version
        value |= (rand >> 62) << 64  # rand_a, 12 bits
        value |= 0b10 << 62  # variant
        value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
        return uuid.UUID(int=value)


@dataclass(slots=True)
class _User:
    index: int
    id: uuid.UUID
    role: str
    created_at: datetime
    skill: float  # chance of answering a medium question right


@dataclass(slots=True)
class _Course:
    index: int
    id: uuid.UUID
    topic: _Topic
    title: str
    level: str
    tags: list[str]
    concepts: list[str]  # one per module
    instructor_id: uuid.UUID
    created_at: datetime
    published_at: datetime | None
    price_cents: int
    lesson_minutes: list[int]  # in teaching order
    question_indexes: list[int] = field(default_factory=list)
    pass_percent: int = 70

    @property
    def content_id(self) -> str:
        return course_content_id(self.index)

    @property
    def available_at(self) -> datetime:
        return self.published_at or self.created_at

    def lesson_id(self, position: int) -> str:
        module, lesson = divmod(position, LESSONS_PER_MODULE)
        return lesson_content_id(self.index, module, lesson)


@dataclass(frozen=True, slots=True)
class _QuestionKey:
    """What grading needs to know about a question."""

    id: str
    type: QuestionType
    topic: int
    points: float
    difficulty: str
    option_ids: tuple[str, ...]
    answer: Any


@dataclass(slots=True)
class _Enrollment:
    id: uuid.UUID
    user: _User
    course: _Course
    enrolled_at: datetime
    lessons_done: int = 0  # progress rows, in teaching order
    status: str = "active"
    completed_at: datetime | None = None

    @property
    def activity_end(self) -> datetime:
        """Last moment this enrollment saw activity."""
        return self.completed_at or DATA_END - timedelta(hours=1)


@dataclass
class _Plan:
    scale: int
    ids: _Ids
    users: list[_User]
    courses: list[_Course]
    questions: list[Doc]
    question_keys: list[_QuestionKey]
    enrollments: list[_Enrollment]


def _build_users(scale: int, ids: _Ids) -> list[_User]:
    rng = _rng("users")
    result: list[_User] = []
    for index in range(USERS_PER_SCALE * scale):
        # The first HEAVY_USERS are students: the dashboard benchmark signs in as them.
        if index >= HEAVY_USERS and index % 1000 == 998:
            role = "admin"
        elif index >= HEAVY_USERS and index % 100 == 99:
            role = "instructor"
        else:
            role = "student"
        # Instructors join first: their courses must not predate them.
        if role == "instructor":
            created_at = _between(rng, DATA_START, DATA_START + timedelta(days=30))
        else:
            created_at = _between(rng, DATA_START, DATA_END - timedelta(days=14))
        result.append(_User(index, ids.at(created_at), role, created_at, rng.uniform(0.35, 0.95)))
    return result


def _build_courses(scale: int, ids: _Ids, instructors: Sequence[_User]) -> list[_Course]:
    rng = _rng("courses")
    count = COURSES_PER_SCALE * scale
    titles = [(topic, pattern, level) for topic in _TOPICS for pattern, level in _COURSE_TITLES]
    rng.shuffle(titles)
    # Exactly one in ten is a draft, never the marker course (the benchmark reads course 0).
    drafts = set(rng.sample(range(1, count), count // 10)) if count > 1 else set()
    result: list[_Course] = []
    for index in range(count):
        topic, pattern, implied_level = titles[index % len(titles)]
        title = pattern.format(topic=topic.name)
        if index >= len(titles):  # more courses than title combinations
            title = f"{title} (Part {index // len(titles) + 1})"
        created_at = _between(rng, DATA_START + timedelta(days=30), DATA_START + timedelta(days=300))
        published_at = None if index in drafts else created_at + timedelta(days=rng.uniform(1, 30))
        extra = rng.choice(TAGS)
        tags = list(topic.tags) + ([extra] if extra not in topic.tags and rng.random() < 0.3 else [])
        result.append(
            _Course(
                index=index,
                id=ids.at(created_at),
                topic=topic,
                title=title,
                level=implied_level or rng.choice(LEVELS),
                tags=tags,
                concepts=rng.sample(topic.concepts, MODULES_PER_COURSE),
                instructor_id=instructors[index % len(instructors)].id,
                created_at=created_at,
                published_at=published_at,
                price_cents=0 if rng.random() < 0.3 else rng.choice((1900, 2900, 3900, 4900, 7900, 9900)),
                lesson_minutes=[rng.randint(4, 18) for _ in range(LESSONS_PER_COURSE)],
                pass_percent=rng.choice((60, 70, 75, 80)),
            )
        )
    return result


def _numeric_question(rng: random.Random) -> tuple[str, float, float, str]:
    """(prompt, value, tolerance, explanation), computed so the stored answer is right."""
    kind = rng.randrange(6)
    if kind == 0:
        per_page, items = rng.choice((10, 20, 25, 50)), rng.randint(60, 990)
        return (
            f"With {per_page} items per page, how many pages hold {items} items?",
            float(-(-items // per_page)),
            0.0,
            "Divide and round up: a partly filled page is still a page.",
        )
    if kind == 1:
        rate, minutes = rng.choice((30, 60, 100, 120)), rng.randint(2, 15)
        return (
            f"An API allows {rate} requests per minute. How many requests fit in {minutes} minutes?",
            float(rate * minutes),
            0.0,
            "Rate times duration.",
        )
    if kind == 2:
        hundreds, hit = rng.randint(10, 90), rng.choice((80, 85, 90, 95, 98))
        requests = hundreds * 100
        return (
            f"A cache serves {requests} requests with a {hit}% hit ratio. How many miss the cache?",
            float(requests * (100 - hit) // 100),
            0.0,
            "Misses are the requests the hit ratio leaves over.",
        )
    if kind == 3:
        minutes, lessons = rng.randint(5, 20), rng.randint(4, 9)
        return (
            f"A module has {lessons} lessons of {minutes} minutes each. How many hours is that? (two decimals)",
            round(minutes * lessons / 60, 2),
            0.01,
            "Total minutes divided by 60.",
        )
    if kind == 4:
        size = rng.choice((2, 4, 8, 16, 32))
        return f"How many bits are there in {size} bytes?", float(size * 8), 0.0, "Eight bits per byte."
    items = rng.randint(5, 50)
    return (
        f"A page lists {items} courses and loads each title with its own query. How many queries run?",
        float(items + 1),
        0.0,
        "One query for the list plus one per course: the N+1 problem.",
    )


def _question_doc(rng: random.Random, index: int, qtype: QuestionType, topic_index: int) -> Doc:
    """One question in the stored shape of `Question`, per-type `options`/`answer` as its docstring says."""
    topic = _TOPICS[topic_index]
    concept, other = rng.sample(topic.concepts, 2)
    options: list[Doc] = []
    answer: Any
    explanation = f"See the lessons on {concept} in any {topic.name} course."
    if qtype == "single_choice":
        texts = [rng.choice(_SINGLE_RIGHT), *rng.sample(_SINGLE_WRONG, 3)]
        right = texts[0]
        rng.shuffle(texts)
        options = [{"id": _OPTION_IDS[i], "text": _fill(t, topic, concept, other)} for i, t in enumerate(texts)]
        answer = _OPTION_IDS[texts.index(right)]
        prompt = _fill(rng.choice(_SINGLE_PROMPTS), topic, concept, other)
    elif qtype == "multiple_choice":
        rights = rng.sample(_MULTI_RIGHT, rng.randint(2, 3))
        texts = rights + rng.sample(_MULTI_WRONG, 2)
        rng.shuffle(texts)
        options = [{"id": _OPTION_IDS[i], "text": _fill(t, topic, concept, other)} for i, t in enumerate(texts)]
        answer = [_OPTION_IDS[i] for i, t in enumerate(texts) if t in rights]
        prompt = _fill(rng.choice(_MULTI_PROMPTS), topic, concept, other)
    elif qtype == "true_false":
        answer = rng.random() < 0.5
        prompt = "True or false: " + _fill(
            rng.choice(_TRUE_STATEMENTS if answer else _FALSE_STATEMENTS), topic, concept, other
        )
    elif qtype == "short_text":
        prompt, accepted, case_sensitive = rng.choice(_SHORT_FACTS[topic.name])
        answer = {"accepted": list(accepted), "case_sensitive": case_sensitive}
        explanation = f"Accepted: {', '.join(accepted)}."
    else:
        prompt, value, tolerance, explanation = _numeric_question(rng)
        answer = {"value": value, "tolerance": tolerance}
    created_at = _between(rng, DATA_START, DATA_START + timedelta(days=300))
    return {
        "_id": question_content_id(index),
        "type": qtype,
        "prompt": prompt,
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "points": _POINTS[qtype],
        "tags": rng.sample(topic.tags, min(2, len(topic.tags))),
        "difficulty": rng.choices(("easy", "medium", "hard"), weights=(3, 5, 2))[0],
        "created_at": created_at,
        "updated_at": created_at + timedelta(days=rng.uniform(0, 60)),
    }


def _build_questions(scale: int) -> tuple[list[Doc], list[_QuestionKey]]:
    rng = _rng("questions")
    types, weights = list(QUESTION_TYPES), [_TYPE_WEIGHTS[t] for t in QUESTION_TYPES]
    docs: list[Doc] = []
    keys: list[_QuestionKey] = []
    for index in range(QUESTIONS_PER_SCALE * scale):
        # The first few cover every type, so each appears at any scale; the rest follow the weights.
        qtype = types[index] if index < len(types) else rng.choices(types, weights=weights)[0]
        topic_index = rng.randrange(len(_TOPICS))
        doc = _question_doc(rng, index, qtype, topic_index)
        docs.append(doc)
        keys.append(
            _QuestionKey(
                doc["_id"],
                qtype,
                topic_index,
                doc["points"],
                doc["difficulty"],
                tuple(o["id"] for o in doc["options"]),
                doc["answer"],
            )
        )
    return docs, keys


def _assign_quiz_questions(course_list: Sequence[_Course], keys: Sequence[_QuestionKey]) -> None:
    """Ten questions per quiz, mostly from the course's own topic, topped up from the whole bank."""
    rng = _rng("quizzes")
    by_topic: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        by_topic.setdefault(_TOPICS[key.topic].name, []).append(index)
    for course in course_list:
        own = by_topic.get(course.topic.name, [])
        chosen = rng.sample(own, min(7, len(own)))
        while len(chosen) < QUESTIONS_PER_QUIZ:
            candidate = rng.randrange(len(keys))
            if candidate not in chosen:
                chosen.append(candidate)
        course.question_indexes = chosen


def _weighted_distinct(
    rng: random.Random, population: Sequence[_Course], cum_weights: Sequence[float], k: int
) -> list[_Course]:
    if k >= len(population):
        picked = list(population)
        rng.shuffle(picked)
        return picked
    chosen: dict[int, _Course] = {}  # insertion-ordered, unlike a set, so the result is reproducible
    while len(chosen) < k:
        for course in rng.choices(population, cum_weights=cum_weights, k=k - len(chosen)):
            chosen.setdefault(course.index, course)
    return list(chosen.values())[:k]


def _build_enrollments(user_list: Sequence[_User], course_list: Sequence[_Course], ids: _Ids) -> list[_Enrollment]:
    rng = _rng("enrollments")
    published = [c for c in course_list if c.published_at is not None]
    drafts = [c for c in course_list if c.published_at is None]
    # Popularity falls off with rank, as in any real catalogue.
    popularity = list(published)
    rng.shuffle(popularity)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(popularity))))
    result: list[_Enrollment] = []
    for user in user_list:
        if user.index < HEAVY_USERS:
            picked = _weighted_distinct(rng, popularity, cum_weights, HEAVY_USER_ENROLLMENTS)
            # With fewer published courses than needed (scale 1 has 18), the rest are since-unpublished.
            picked += rng.sample(drafts, max(0, HEAVY_USER_ENROLLMENTS - len(picked)))
        else:
            picked = _weighted_distinct(rng, popularity, cum_weights, rng.randint(1, 4))
        for course in picked:
            start = max(user.created_at, course.available_at)
            enrolled_at = _between(rng, start, DATA_END - timedelta(days=1))
            result.append(_Enrollment(ids.at(enrolled_at), user, course, enrolled_at))
    return result


def _progress_counts(rng: random.Random, enrollment_count: int, total: int) -> list[int]:
    """How many lessons each enrollment has progress on, summing to exactly `total`.

    A few learners finish (about 30% of all rows belong to them), a fifth never open a lesson,
    and the rest are spread with a long tail: most have a handful of lessons, some many.
    """
    full = LESSONS_PER_COURSE
    counts = [0] * enrollment_count
    order = list(range(enrollment_count))
    rng.shuffle(order)
    completed = min(total * 3 // 10 // full, enrollment_count // 10)
    for e in order[:completed]:
        counts[e] = full
    started = [e for e in order[completed:] if rng.random() < 0.8] or order[completed:]
    remaining = total - completed * full
    if remaining > len(started) * (full - 1):
        raise ValueError(f"{total} progress rows do not fit in {enrollment_count} enrollments")
    weights = [rng.random() ** 2 + 0.02 for _ in started]
    per_weight = remaining / sum(weights)
    for e, weight in zip(started, weights, strict=True):
        counts[e] = min(full - 1, int(weight * per_weight))
    left = remaining - sum(counts[e] for e in started)
    # Rounding down left a remainder: hand it out one lesson at a time, round robin.
    for e in itertools.cycle(started):
        if left == 0:
            break
        if counts[e] < full - 1:
            counts[e] += 1
            left -= 1
    return counts


def _settle_enrollments(enrollment_list: Sequence[_Enrollment], progress_total: int) -> None:
    """Give each enrollment its progress count, then a status that agrees with it."""
    rng = _rng("progress-counts")
    counts = _progress_counts(rng, len(enrollment_list), progress_total)
    for enrollment, count in zip(enrollment_list, counts, strict=True):
        enrollment.lessons_done = count
        if count == LESSONS_PER_COURSE:
            enrollment.status = "completed"
            span = DATA_END - timedelta(hours=1) - enrollment.enrolled_at
            enrollment.completed_at = enrollment.enrolled_at + span * rng.uniform(0.3, 0.95)
        elif enrollment.user.index >= HEAVY_USERS and rng.random() < 0.05:
            # Heavy users keep all 20 enrollments live, whatever the dashboard filters on.
            enrollment.status = "cancelled"


def _build_plan(scale: int) -> _Plan:
    """Everything later stages need, deterministically; rows and documents are generated from it lazily."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    ids = _Ids()
    user_list = _build_users(scale, ids)
    instructors = [u for u in user_list if u.role == "instructor"]
    course_list = _build_courses(scale, ids, instructors)
    questions, keys = _build_questions(scale)
    _assign_quiz_questions(course_list, keys)
    enrollment_list = _build_enrollments(user_list, course_list, ids)
    _settle_enrollments(enrollment_list, PROGRESS_PER_SCALE * scale)
    return _Plan(scale, ids, user_list, course_list, questions, keys, enrollment_list)


# ---------------------------------------------------------------------------------------------
# Rows and documents
# ---------------------------------------------------------------------------------------------

_USER_COLUMNS = ("id", "email", "password_hash", "role", "created_at", "updated_at")
_PROFILE_COLUMNS = ("user_id", "display_name", "bio", "avatar_url", "timezone", "created_at", "updated_at")
_COURSE_COLUMNS = (
    "id",
    "content_id",
    "instructor_id",
    "level",
    "tags",
    "published",
    "published_at",
    "price_cents",
    "created_at",
    "updated_at",
)
_ENROLLMENT_COLUMNS = ("id", "user_id", "course_id", "status", "completed_at", "created_at", "updated_at")
_PROGRESS_COLUMNS = (
    "id",
    "user_id",
    "course_id",
    "lesson_content_id",
    "position",
    "started_at",
    "completed_at",
    "created_at",
    "updated_at",
)
_ATTEMPT_COLUMNS = (
    "id",
    "user_id",
    "course_id",
    "quiz_content_id",
    "score",
    "max_score",
    "passed",
    "started_at",
    "finished_at",
    "details_ref",
    "created_at",
)


def _user_records(plan: _Plan, password_hash: str) -> Iterator[Record]:
    for user in plan.users:
        yield (user.id, user_email(user.index), password_hash, user.role, user.created_at, user.created_at)


def _profile_records(plan: _Plan) -> Iterator[Record]:
    rng = _rng("profiles")
    for user in plan.users:
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        topic = rng.choice(_TOPICS).name
        bio = rng.choice(_BIOS).format(topic=topic) if rng.random() < 0.3 else None
        avatar = f"https://cdn.learnhub.dev/avatars/scale/{user.index:06d}.png" if rng.random() < 0.4 else None
        updated = user.created_at + timedelta(days=rng.uniform(0, 10))
        yield (user.id, name, bio, avatar, rng.choice(_TIMEZONES), user.created_at, updated)


def _course_records(plan: _Plan) -> Iterator[Record]:
    for c in plan.courses:
        yield (
            c.id,
            c.content_id,
            c.instructor_id,
            c.level,
            c.tags,
            c.published_at is not None,
            c.published_at,
            c.price_cents,
            c.created_at,
            c.available_at,
        )


def _enrollment_records(plan: _Plan) -> Iterator[Record]:
    for e in plan.enrollments:
        yield (e.id, e.user.id, e.course.id, e.status, e.completed_at, e.enrolled_at, e.completed_at or e.enrolled_at)


def _progress_records(plan: _Plan) -> Iterator[Record]:
    """Each enrollment's first `lessons_done` lessons in teaching order, spread over its active time."""
    rng = _rng("progress")
    for e in plan.enrollments:
        count = e.lessons_done
        if count == 0:
            continue
        start, end = e.enrolled_at, e.activity_end
        step = (end - start) / count
        # The last lesson of an unfinished course is often still open.
        last_open = e.status != "completed" and rng.random() < 0.6
        for position in range(count):
            minutes = e.course.lesson_minutes[position]
            started = start + step * (position + rng.uniform(0.0, 0.5))
            is_open = last_open and position == count - 1
            if is_open:
                completed = None
                where = round(minutes * 60 * rng.uniform(0.05, 0.95), 1)
                updated = min(end, started + timedelta(minutes=minutes * rng.uniform(0.1, 0.9)))
            else:
                completed = min(end, started + timedelta(minutes=minutes * rng.uniform(1.0, 1.6)))
                if e.completed_at is not None and position == count - 1:
                    completed = e.completed_at
                where = float(minutes * 60)
                updated = completed
            yield (
                plan.ids.at(started),
                e.user.id,
                e.course.id,
                e.course.lesson_id(position),
                where,
                started,
                completed,
                started,
                updated,
            )


def _response(rng: random.Random, key: _QuestionKey, correct: bool) -> Any:
    """A learner's answer in the shape the question type stores; wrong answers are plausibly wrong."""
    if key.type == "single_choice":
        return key.answer if correct else rng.choice([o for o in key.option_ids if o != key.answer])
    if key.type == "multiple_choice":
        if correct:
            return list(key.answer)
        picked = list(key.answer)
        picked.remove(rng.choice(picked))
        picked.append(rng.choice([o for o in key.option_ids if o not in key.answer]))
        return sorted(picked)
    if key.type == "true_false":
        return key.answer if correct else not key.answer
    if key.type == "short_text":
        return key.answer["accepted"][0] if correct else rng.choice(_WRONG_TEXT)
    value, tolerance = key.answer["value"], key.answer["tolerance"]
    return value if correct else value + rng.choice((-1, 1)) * (max(1.0, abs(value) * 0.1) + 2 * tolerance)


def _attempt_batches(plan: _Plan, total: int) -> Iterator[tuple[list[Record], list[Doc]]]:
    """Quiz attempts with their details documents, `ATTEMPT_BATCH` at a time.

    Learners with more progress take more attempts; everyone attempts only quizzes of courses they
    are enrolled in, and the score is the sum of the points the answers earned.
    """
    rng = _rng("attempts")
    cum_weights = list(itertools.accumulate(1 + e.lessons_done for e in plan.enrollments))
    made = 0
    while made < total:
        size = min(ATTEMPT_BATCH, total - made)
        rows: list[Record] = []
        docs: list[Doc] = []
        for e in rng.choices(plan.enrollments, cum_weights=cum_weights, k=size):
            latest = max(e.enrolled_at, e.activity_end - timedelta(minutes=30))
            started = _between(rng, e.enrolled_at, latest)
            finished = started + timedelta(seconds=rng.uniform(180, 1200))
            attempt_id = plan.ids.at(started)
            ref = f"attempt:{attempt_id}"
            answers: list[Doc] = []
            score = max_score = 0.0
            for index in e.course.question_indexes:
                key = plan.question_keys[index]
                correct = rng.random() < e.user.skill * _DIFFICULTY_FACTOR[key.difficulty]
                awarded = key.points if correct else 0.0
                score += awarded
                max_score += key.points
                answers.append(
                    {
                        "question_id": key.id,
                        "response": _response(rng, key, correct),
                        "correct": correct,
                        "points_awarded": awarded,
                        "points_possible": key.points,
                    }
                )
            passed = score * 100 >= max_score * e.course.pass_percent
            quiz_id = quiz_content_id(e.course.index)
            rows.append(
                (attempt_id, e.user.id, e.course.id, quiz_id, score, max_score, passed, started, finished, ref, started)
            )
            docs.append(
                {
                    "_id": ref,
                    "attempt_id": str(attempt_id),
                    "user_id": str(e.user.id),
                    "quiz_id": quiz_id,
                    "quiz_version": 1,
                    "answers": answers,
                    "created_at": finished,
                }
            )
        made += size
        yield rows, docs


def _lesson_blocks(rng: random.Random, topic: _Topic, concept: str, other: str, title: str) -> list[Doc]:
    def paragraph(sentences: int) -> str:
        return " ".join(_fill(s, topic, concept, other) for s in rng.sample(_SENTENCES, sentences))

    blocks: list[Doc] = [
        {"kind": "markdown", "text": f"# {title}\n\n{paragraph(3)}", "language": None},
        {
            "kind": "markdown",
            "text": f"## In practice\n\n{paragraph(2)}\n\n- {_cap(concept)} first\n- then {other}",
            "language": None,
        },
    ]
    if rng.random() < 0.35:
        blocks.append({"kind": "code", "text": _CODE[topic.language], "language": topic.language})
    if rng.random() < 0.2:
        blocks.append(
            {"kind": "callout", "text": _fill(rng.choice(_CALLOUTS), topic, concept, other), "language": None}
        )
    blocks.append({"kind": "markdown", "text": f"## Recap\n\n{paragraph(2)}", "language": None})
    return blocks


def _content_documents(plan: _Plan) -> Iterator[tuple[str, Doc]]:
    """(collection, document) for every course outline, lesson and quiz, course by course."""
    rng = _rng("content")
    for c in plan.courses:
        topic, quiz_id = c.topic, quiz_content_id(c.index)
        edited = c.available_at + timedelta(days=rng.uniform(0, 90))
        modules: list[Doc] = []
        for m, concept in enumerate(c.concepts):
            others = [x for x in topic.concepts if x != concept]
            lesson_ids: list[str] = []
            for l_index, template in enumerate(rng.sample(_LESSON_TITLES, LESSONS_PER_MODULE)):
                position = m * LESSONS_PER_MODULE + l_index
                other = rng.choice(others)
                title = _fill(template, topic, concept, other)
                lesson_ids.append(c.lesson_id(position))
                yield (
                    LessonContent.Settings.name,
                    {
                        "_id": c.lesson_id(position),
                        "course_id": c.content_id,
                        "title": title,
                        "summary": _fill(rng.choice(_LESSON_SUMMARIES), topic, concept, other),
                        "blocks": _lesson_blocks(rng, topic, concept, other, title),
                        "preview": position < 2,
                        "duration_minutes": c.lesson_minutes[position],
                        # The quiz closes the course, as in the demo catalogue.
                        "quiz_id": quiz_id if position == LESSONS_PER_COURSE - 1 else None,
                        "version": 1,
                        "updated_at": edited,
                    },
                )
            modules.append(
                {
                    "id": module_content_id(c.index, m),
                    "title": _cap(concept),
                    "summary": f"How {concept} works in {topic.name}, and where it bites.",
                    "lesson_ids": lesson_ids,
                }
            )
        first, second, third = c.concepts[:3]
        yield (
            CourseContent.Settings.name,
            {
                "_id": c.content_id,
                "title": c.title,
                "summary": f"Learn {first}, {second} and {third} through hands-on {topic.name} exercises.",
                "description": (
                    f"A {c.level} course in {topic.name}. Over {MODULES_PER_COURSE} modules you work through "
                    f"{', '.join(c.concepts[:-1])} and {c.concepts[-1]}, then check yourself with a quiz."
                ),
                "modules": modules,
                "version": 1,
                "updated_at": edited,
            },
        )
        yield (
            QuizContent.Settings.name,
            {
                "_id": quiz_id,
                "course_id": c.content_id,
                "title": f"{c.title}: final quiz",
                "description": f"Ten questions on {topic.name}. You need {c.pass_percent}% to pass.",
                # Unlimited attempts: the attempt generator does not keep per-learner tallies.
                "settings": {
                    "pass_percent": c.pass_percent,
                    "time_limit_seconds": rng.choice((600, 900, 1200)),
                    "attempts_allowed": None,
                },
                "question_ids": [plan.question_keys[i].id for i in c.question_indexes],
                "published": c.published_at is not None,
                "version": 1,
                "updated_at": edited,
            },
        )


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


class _Transaction(Protocol):
    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any: ...


class _PgConnection(Protocol):
    """The part of asyncpg's Connection used here (asyncpg ships no type information)."""

    def transaction(self) -> _Transaction: ...

    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[Any]], columns: Sequence[str]
    ) -> str: ...


async def _copy(pg: _PgConnection, table: str, columns: Sequence[str], records: Iterable[Record]) -> int:
    # asyncpg encodes the iterable into COPY buffers as it goes, so a generator is never materialised.
    status = await pg.copy_records_to_table(table, records=records, columns=columns)
    return int(status.rsplit(" ", 1)[-1])  # "COPY <n>"


async def _insert_many(db: AsyncDatabase[Doc], collection: str, docs: list[Doc]) -> None:
    try:
        await db[collection].insert_many(docs, ordered=False)
    except BulkWriteError as error:
        # A retry after a failed seed meets the documents the failed run wrote: identical, so skip them.
        others = [e for e in error.details.get("writeErrors", []) if e.get("code") != 11000]
        if others or error.details.get("writeConcernErrors"):
            raise


class _MongoWriter:
    """Buffers documents per collection and inserts full batches in the background.

    Inserts overlap with generating data and with PostgreSQL's COPY; at most `in_flight` batches
    are outstanding, which bounds memory. A failed batch surfaces at the next `put` or at `close`.
    """

    def __init__(self, db: AsyncDatabase[Doc], batch_size: int = MONGO_BATCH, in_flight: int = 4) -> None:
        self._db = db
        self._batch_size = batch_size
        self._buffers: dict[str, list[Doc]] = {}
        self._slots = asyncio.Semaphore(in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._failed: BaseException | None = None
        self.counts: dict[str, int] = {}

    async def put(self, collection: str, doc: Doc) -> None:
        buffer = self._buffers.setdefault(collection, [])
        buffer.append(doc)
        self.counts[collection] = self.counts.get(collection, 0) + 1
        if len(buffer) >= self._batch_size:
            await self._flush(collection)

    async def put_all(self, collection: str, docs: Iterable[Doc]) -> None:
        for doc in docs:
            await self.put(collection, doc)

    async def _flush(self, collection: str) -> None:
        docs = self._buffers.pop(collection, [])
        if not docs:
            return
        await self._slots.acquire()
        if self._failed is not None:
            self._slots.release()
            raise self._failed
        task = asyncio.create_task(self._insert(collection, docs))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _insert(self, collection: str, docs: list[Doc]) -> None:
        try:
            await _insert_many(self._db, collection, docs)
        except Exception as error:
            # Kept, not raised: a finished task's exception would go unretrieved; `put`/`close` raise it.
            self._failed = self._failed or error
        finally:
            self._slots.release()

    async def close(self) -> None:
        """Insert what is buffered, wait for every batch, and raise the first batch failure."""
        for collection in list(self._buffers):
            await self._flush(collection)
        await asyncio.gather(*self._tasks)
        if self._failed is not None:
            raise self._failed

    async def abort(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@asynccontextmanager
async def _mongo_writer(db: AsyncDatabase[Doc]) -> AsyncIterator[_MongoWriter]:
    writer = _MongoWriter(db)
    try:
        yield writer
    except BaseException:
        await writer.abort()
        raise
    await writer.close()


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


async def seed_scale(
    engine: AsyncEngine,
    db: AsyncDatabase[dict[str, Any]],
    scale: int,
    *,
    password_hash: str,
) -> ScaleReport:
    """Write the scale-N data set (see the module docstring), or nothing if it is already there.

    Every user gets `password_hash`: hashing thousands of passwords with Argon2 would take minutes.
    PostgreSQL is written in one transaction (all or nothing); MongoDB documents are written while
    that transaction is open, so no committed row ever points at a document that is missing.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    began = time.perf_counter()
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        # The asyncpg connection itself: COPY is not reachable through SQLAlchemy. Only asyncpg is
        # used on it from here on, so SQLAlchemy's own transaction bookkeeping never starts.
        driver = raw.driver_connection
        assert driver is not None
        pg: _PgConnection = driver
        async with pg.transaction():
            # Concurrent seeders take turns; the second then finds the marker and writes nothing.
            await pg.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
            if await pg.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {courses.name} WHERE content_id = $1)",  # noqa: S608
                MARKER_CONTENT_ID,
            ):
                return ScaleReport(scale=scale, skipped=True, seconds=time.perf_counter() - began)
            report = await _write(pg, db, _build_plan(scale), password_hash)
    return replace(report, seconds=time.perf_counter() - began)


async def _write(pg: _PgConnection, db: AsyncDatabase[Doc], plan: _Plan, password_hash: str) -> ScaleReport:
    async with _mongo_writer(db) as mongo:
        # Content first: it is what rows point at. Documents are visible before the rows commit,
        # never the other way round.
        await mongo.put_all(Question.Settings.name, plan.questions)
        for collection, doc in _content_documents(plan):
            await mongo.put(collection, doc)
        # Foreign-key order.
        n_users = await _copy(pg, users.name, _USER_COLUMNS, _user_records(plan, password_hash))
        n_profiles = await _copy(pg, user_profiles.name, _PROFILE_COLUMNS, _profile_records(plan))
        n_courses = await _copy(pg, courses.name, _COURSE_COLUMNS, _course_records(plan))
        n_enrollments = await _copy(pg, enrollments.name, _ENROLLMENT_COLUMNS, _enrollment_records(plan))
        n_progress = await _copy(pg, lesson_progress.name, _PROGRESS_COLUMNS, _progress_records(plan))
        n_attempts = 0
        for rows, docs in _attempt_batches(plan, ATTEMPTS_PER_SCALE * plan.scale):
            await mongo.put_all(QuizAttemptDetails.Settings.name, docs)
            n_attempts += await _copy(pg, quiz_attempts.name, _ATTEMPT_COLUMNS, rows)
    written = mongo.counts
    return ScaleReport(
        scale=plan.scale,
        skipped=False,
        users=n_users,
        user_profiles=n_profiles,
        courses=n_courses,
        enrollments=n_enrollments,
        lesson_progress=n_progress,
        quiz_attempts=n_attempts,
        course_contents=written.get(CourseContent.Settings.name, 0),
        lessons=written.get(LessonContent.Settings.name, 0),
        quizzes=written.get(QuizContent.Settings.name, 0),
        questions=written.get(Question.Settings.name, 0),
        attempt_details=written.get(QuizAttemptDetails.Settings.name, 0),
    )


__all__ = [
    "ATTEMPTS_PER_SCALE",
    "COURSES_PER_SCALE",
    "EMAIL_DOMAIN",
    "HEAVY_USERS",
    "HEAVY_USER_ENROLLMENTS",
    "LESSONS_PER_COURSE",
    "LESSONS_PER_MODULE",
    "MARKER_CONTENT_ID",
    "MODULES_PER_COURSE",
    "PROGRESS_PER_SCALE",
    "QUESTIONS_PER_QUIZ",
    "QUESTIONS_PER_SCALE",
    "TAGS",
    "USERS_PER_SCALE",
    "ScaleReport",
    "course_content_id",
    "lesson_content_id",
    "module_content_id",
    "question_content_id",
    "quiz_content_id",
    "seed_scale",
    "user_email",
]
