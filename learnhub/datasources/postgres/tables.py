"""PostgreSQL tables (SQLModel). Rows point at MongoDB content through `*content_id` strings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy
from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from learnhub.core.ids import uuid7

# Stable constraint names, so migrations and autogenerate agree on what exists.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("student", "instructor", "admin")
LEVELS = ("beginner", "intermediate", "advanced")
# `suspended`: access ended by a refund or a lapsed subscription; progress kept, restored on renewal.
ENROLLMENT_STATUSES = ("active", "completed", "cancelled", "suspended")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


def _created() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Defaults live in the database too (server_default): Core inserts and other clients get them.


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so this is a case-insensitive uniqueness rule.
        UniqueConstraint("email", name="uq_users_email"),
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(_in("role", ROLES), name="role"),
        Index("ix_users_created_at", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    email: str = Field(sa_column=Column(String(320), nullable=False))
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(default="student", sa_column=Column(String(16), nullable=False, server_default="student"))
    # Set by an admin: a disabled account cannot sign in or refresh, and its sessions are revoked.
    disabled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class UserProfile(SQLModel, table=True):
    __tablename__ = "user_profiles"
    __table_args__ = (Index("ix_user_profiles_created_at", "created_at"),)

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    display_name: str = Field(sa_column=Column(String(100), nullable=False))
    bio: str | None = Field(default=None, sa_column=Column(Text))
    avatar_url: str | None = Field(default=None, sa_column=Column(Text))
    timezone: str = Field(default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Course(SQLModel, table=True):
    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("content_id", name="uq_courses_content_id"),
        CheckConstraint("content_id LIKE 'course:%'", name="content_id"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint("price_cents >= 0", name="price"),
        Index("ix_courses_instructor_id", "instructor_id"),
        Index("ix_courses_created_at", "created_at"),
        Index("ix_courses_published_id", "published", "id"),
        Index("ix_courses_tags", "tags", postgresql_using="gin"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    content_id: str = Field(sa_column=Column(String(200), nullable=False))
    instructor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    level: str = Field(default="beginner", sa_column=Column(String(16), nullable=False, server_default="beginner"))
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(64)), nullable=False, server_default=text("'{}'")),
    )
    published: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    published_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    price_cents: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # ISO 4217, lower case as Stripe spells it; `price_cents` is in this currency's minor unit.
    currency: str = Field(default="usd", sa_column=Column(String(3), nullable=False, server_default="usd"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", name="uq_enrollments_user_course"),
        CheckConstraint(_in("status", ENROLLMENT_STATUSES), name="status"),
        # A user's enrollments, newest first, by keyset on the time-ordered id.
        Index("ix_enrollments_user_id_id", "user_id", "id"),
        Index("ix_enrollments_course_id", "course_id"),
        Index("ix_enrollments_created_at", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="courses.id", ondelete="CASCADE")
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False, server_default="active"))
    completed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class LessonProgress(SQLModel, table=True):
    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_content_id", name="uq_lesson_progress_user_lesson"),
        CheckConstraint("lesson_content_id LIKE 'lesson:%'", name="lesson_id"),
        CheckConstraint("position >= 0", name="position"),
        Index("ix_lesson_progress_course_id", "course_id"),
        Index("ix_lesson_progress_created_at", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    course_id: uuid.UUID = Field(foreign_key="courses.id", ondelete="CASCADE")
    lesson_content_id: str = Field(sa_column=Column(String(200), nullable=False))
    position: float = Field(default=0.0, sa_column_kwargs={"server_default": text("0")})
    started_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    completed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class QuizAttempt(SQLModel, table=True):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        CheckConstraint("quiz_content_id LIKE 'quiz:%'", name="quiz_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= max_score)", name="score"),
        Index("ix_quiz_attempts_user_id_id", "user_id", "id"),
        Index("ix_quiz_attempts_course_id", "course_id"),
        Index("ix_quiz_attempts_quiz_content_id", "quiz_content_id"),
        Index("ix_quiz_attempts_created_at", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    course_id: uuid.UUID | None = Field(default=None, foreign_key="courses.id", ondelete="SET NULL")
    quiz_content_id: str = Field(sa_column=Column(String(200), nullable=False))
    score: float | None = Field(default=None)
    max_score: float = Field(default=0.0, sa_column_kwargs={"server_default": text("0")})
    passed: bool | None = Field(default=None)
    started_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Key of the QuizAttemptDetails document in MongoDB; set once the details are written.
    details_ref: str | None = Field(default=None, sa_column=Column(String(200)))
    # The submission's idempotency key: a retry with the same key gets the stored result.
    submit_key: str | None = Field(default=None, sa_column=Column(String(100)))
    # Server clock: started_at + the quiz's time limit; submissions after it (and a grace) are refused.
    deadline_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    quiz_version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class RefreshToken(SQLModel, table=True):
    """One row per issued refresh token; a session (device) is a family of rotated tokens.

    Only the SHA-256 of the token is stored, so a database leak yields no usable token.
    """

    __tablename__ = "auth_refresh_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_auth_refresh_tokens_token_hash"),
        Index("ix_auth_refresh_tokens_family_id", "family_id"),
        Index("ix_auth_refresh_tokens_user_id_created_at", "user_id", "created_at"),
        Index("ix_auth_refresh_tokens_expires_at", "expires_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    family_id: uuid.UUID
    token_hash: str = Field(sa_column=Column(String(64), nullable=False))
    user_agent: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    ip: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))
    family_created_at: datetime = Field(sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    expires_at: datetime = Field(sa_column=_ts())
    # Set when this token was exchanged for its successor; presenting it again is theft.
    rotated_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_reason: str | None = Field(default=None, sa_column=Column(String(32)))


class TrustedDocument(SQLModel, table=True):
    """Operations registered from the clients' builds; the only ones served in trusted mode."""

    __tablename__ = "trusted_documents"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    client_name: str = Field(sa_column=Column(String(100), nullable=False))
    operation_name: str | None = Field(default=None, sa_column=Column(String(200)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class OutboxEvent(SQLModel, table=True):
    """A domain event, written in the same transaction as the change it reports, and drained by
    the worker (achievements, stats) with retries."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_pending",
            "available_at",
            postgresql_where=text("processed_at IS NULL AND failed_at IS NULL"),
        ),
        Index("ix_outbox_events_user_id", "user_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    kind: str = Field(sa_column=Column(String(64), nullable=False))
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    payload: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    available_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    processed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    # Set after the last retry: kept for an operator, never retried automatically.
    failed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Achievement(SQLModel, table=True):
    """An achievement and its rule (jsonb, evaluated by learnhub/learning/achievements.py)."""

    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("code", name="uq_achievements_code"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    code: str = Field(sa_column=Column(String(64), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    xp: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    rule: dict[str, object] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class UserAchievement(SQLModel, table=True):
    __tablename__ = "user_achievements"
    __table_args__ = (
        # Exactly one award per rule per user, whatever the worker sees twice.
        UniqueConstraint("user_id", "achievement_id", name="uq_user_achievements_user_achievement"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    achievement_id: uuid.UUID = Field(foreign_key="achievements.id", ondelete="CASCADE")
    awarded_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ActivityDay(SQLModel, table=True):
    """Days (UTC) on which a user learned something: the basis of streaks."""

    __tablename__ = "activity_days"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(sa_column=Column(Date, primary_key=True))


class EmbeddingModel(SQLModel, table=True):
    """A model that produced vectors in `lesson_chunks`: which provider, which model, what size.

    `ready_at` is set once every lesson has chunks of this model; until then semantic search
    keeps reading the previous ready model's vectors (with that model's query embedding)."""

    __tablename__ = "embedding_models"
    __table_args__ = (UniqueConstraint("name", name="uq_embedding_models_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))  # provider/model/dimension
    provider: str = Field(sa_column=Column(String(64), nullable=False))
    dimension: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    ready_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class LessonChunk(SQLModel, table=True):
    """A piece of a lesson's text and its embedding by one model.

    `embedding` has no fixed dimension so models of any size share the table; each model gets
    its own partial HNSW index on `embedding::vector(d)` (datasources/postgres/chunks.py),
    the layout pgvector documents for mixed dimensions."""

    __tablename__ = "lesson_chunks"
    __table_args__ = (
        Index("ix_lesson_chunks_course_id", "course_id"),
        Index("ix_lesson_chunks_lesson_id", "lesson_id"),
    )

    model_id: int = Field(
        sa_column=Column(Integer, ForeignKey("embedding_models.id", ondelete="CASCADE"), primary_key=True)
    )
    lesson_id: str = Field(sa_column=Column(String(200), primary_key=True))
    position: int = Field(sa_column=Column(Integer, primary_key=True))
    course_id: str = Field(sa_column=Column(String(200), nullable=False))  # course content id
    heading_path: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'"))
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    token_count: int = Field(sa_column=Column(Integer, nullable=False))
    content_version: int = Field(sa_column=Column(Integer, nullable=False))
    embedding: list[float] = Field(sa_column=Column(Vector(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class SearchTerm(SQLModel, table=True):
    """Words of the indexed titles, summaries, tags and bodies: what `didYouMean` can suggest
    (a trigram index finds the closest spelling of an unknown word)."""

    __tablename__ = "search_terms"
    __table_args__ = (
        Index("ix_search_terms_term_trgm", "term", postgresql_using="gin", postgresql_ops={"term": "gin_trgm_ops"}),
    )

    term: str = Field(sa_column=Column(String(64), primary_key=True))


DOCUMENT_PURPOSES = ("lesson_attachment", "avatar", "assignment")
DOCUMENT_STATUSES = ("pending", "ready", "rejected", "deleted")
SHARED_ENTITIES = ("course", "lesson", "quiz")


class Document(SQLModel, table=True):
    """An uploaded file's metadata; its body is the object `object_key` in S3/R2.

    `pending` until the client's upload is confirmed (HEAD shows the declared size, type and
    checksum), then `ready`; `rejected` when it did not match; `deleted` at once on delete, the
    object removed afterwards by the worker."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("object_key", name="uq_documents_object_key"),
        CheckConstraint(_in("purpose", DOCUMENT_PURPOSES), name="purpose"),
        CheckConstraint(_in("status", DOCUMENT_STATUSES), name="status"),
        CheckConstraint("size_bytes >= 0", name="size"),
        Index("ix_documents_owner_id_status", "owner_id", "status"),
        Index("ix_documents_entity_id_purpose", "entity_id", "purpose"),
        Index("ix_documents_status_created_at", "status", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    purpose: str = Field(sa_column=Column(String(32), nullable=False))
    # What the file belongs to: a lesson content id (attachments, assignments) or the owner (avatars).
    entity_id: str = Field(sa_column=Column(String(200), nullable=False))
    course_id: str | None = Field(default=None, sa_column=Column(String(200)))  # course content id
    object_key: str = Field(sa_column=Column(String(300), nullable=False))
    filename: str = Field(sa_column=Column(String(255), nullable=False))
    content_type: str = Field(sa_column=Column(String(127), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False, server_default="pending"))
    multipart_upload_id: str | None = Field(default=None, sa_column=Column(String(300)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    confirmed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ShareLink(SQLModel, table=True):
    """A public link to a preview of a course, lesson or quiz. Only the token's SHA-256 is kept."""

    __tablename__ = "share_links"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_share_links_token_hash"),
        CheckConstraint(_in("entity", SHARED_ENTITIES), name="entity"),
        CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses"),
        Index("ix_share_links_course_id_created_at", "course_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False))
    entity: str = Field(sa_column=Column(String(16), nullable=False))
    entity_id: str = Field(sa_column=Column(String(200), nullable=False))  # content id
    course_id: str = Field(sa_column=Column(String(200), nullable=False))  # the owning course's content id
    visibility: str = Field(default="preview", sa_column=Column(String(16), nullable=False, server_default="preview"))
    created_by: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    max_uses: int | None = Field(default=None, sa_column=Column(Integer))
    use_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


PAYMENT_STATUSES = ("pending", "succeeded", "failed", "refunded")
SUBSCRIPTION_STATUSES = ("incomplete", "active", "past_due", "canceled")
PLAN_INTERVALS = ("month", "year")


class Plan(SQLModel, table=True):
    """A subscription plan: what it costs per interval and which courses it unlocks (all, or
    those carrying one of `tags`). `provider_plan_id` is the plan's id at the provider."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("code", name="uq_plans_code"),
        CheckConstraint(_in("interval", PLAN_INTERVALS), name="interval"),
        CheckConstraint("amount_cents > 0", name="amount"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    code: str = Field(sa_column=Column(String(64), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    interval: str = Field(sa_column=Column(String(8), nullable=False))
    amount_cents: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = Field(default="usd", sa_column=Column(String(3), nullable=False, server_default="usd"))
    all_courses: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(64)), nullable=False, server_default=text("'{}'")),
    )
    provider_plan_id: str | None = Field(default=None, sa_column=Column(String(100)))
    active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Payment(SQLModel, table=True):
    """One checkout: a course purchase or a subscription's first payment. `provider_ref` is the
    provider's PaymentIntent (or subscription) id; a retried checkout finds its row by
    (user, idempotency key)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_payments_user_key"),
        UniqueConstraint("provider_ref", name="uq_payments_provider_ref"),
        CheckConstraint(_in("status", PAYMENT_STATUSES), name="status"),
        CheckConstraint("amount_cents >= 0", name="amount"),
        # A user's payments, newest first, by keyset on the time-ordered id.
        Index("ix_payments_user_id_id", "user_id", "id"),
        Index("ix_payments_course_id", "course_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    course_id: uuid.UUID | None = Field(default=None, foreign_key="courses.id", ondelete="SET NULL")
    plan_id: uuid.UUID | None = Field(default=None, foreign_key="plans.id", ondelete="SET NULL")
    amount_cents: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False, server_default="pending"))
    idempotency_key: str = Field(sa_column=Column(String(100), nullable=False))
    provider_ref: str | None = Field(default=None, sa_column=Column(String(100)))
    # What the client needs to pay (Stripe.js confirms the PaymentIntent with it); returned again
    # to a checkout retried with the same key.
    client_secret: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    succeeded_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    refunded_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Subscription(SQLModel, table=True):
    """A user's subscription to a plan, as the provider last reported it. `state_at` is the
    provider time of the state held, so an older event arriving late changes nothing."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("provider_ref", name="uq_subscriptions_provider_ref"),
        CheckConstraint(_in("status", SUBSCRIPTION_STATUSES), name="status"),
        Index("ix_subscriptions_user_id", "user_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    plan_id: uuid.UUID = Field(foreign_key="plans.id", ondelete="RESTRICT")
    status: str = Field(default="incomplete", sa_column=Column(String(16), nullable=False, server_default="incomplete"))
    provider_ref: str = Field(sa_column=Column(String(100), nullable=False))
    provider_customer_id: str | None = Field(default=None, sa_column=Column(String(100)))
    current_period_end: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    cancel_at_period_end: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    state_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ProviderEvent(SQLModel, table=True):
    """Every webhook event received, by the provider's event id: the primary key makes applying
    an event exactly-once. `applied_at` stays null while the record it is about does not exist
    yet (an event that overtook its checkout); it is applied when that record is written."""

    __tablename__ = "provider_events"
    __table_args__ = (Index("ix_provider_events_parked_ref", "ref", postgresql_where=text("applied_at IS NULL")),)

    id: str = Field(sa_column=Column(String(100), primary_key=True))
    type: str = Field(sa_column=Column(String(100), nullable=False))
    ref: str | None = Field(default=None, sa_column=Column(String(100)))
    payload: dict[str, object] = Field(sa_column=Column(JSONB, nullable=False))
    occurred_at: datetime = Field(sa_column=_ts())
    received_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    applied_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


metadata = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for column-list reads that skip ORM object building."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


users = table_of(User)
user_profiles = table_of(UserProfile)
courses = table_of(Course)
enrollments = table_of(Enrollment)
lesson_progress = table_of(LessonProgress)
quiz_attempts = table_of(QuizAttempt)
refresh_tokens = table_of(RefreshToken)
trusted_documents = table_of(TrustedDocument)
outbox_events = table_of(OutboxEvent)
achievements = table_of(Achievement)
user_achievements = table_of(UserAchievement)
activity_days = table_of(ActivityDay)
embedding_models = table_of(EmbeddingModel)
lesson_chunks = table_of(LessonChunk)
search_terms = table_of(SearchTerm)
documents = table_of(Document)
share_links = table_of(ShareLink)
plans = table_of(Plan)
payments = table_of(Payment)
subscriptions = table_of(Subscription)
provider_events = table_of(ProviderEvent)


# --- Learning analytics (learnhub/analytics) -----------------------------------------------------
# `analytics_events` is partitioned by month (PARTITION BY RANGE (occurred_at)). SQLAlchemy cannot
# declare the partitions, so migration 0008 creates the parent with raw SQL and this table maps
# the same columns; the partitions live in the `analytics_partitions` schema, outside what Alembic
# compares. No foreign key on user_id: a batch copied in after its user was deleted must not fail
# as a whole (deleting a user pseudonymises their events instead, learnhub/analytics/privacy.py).
ANALYTICS_SOURCES = ("client", "server")

analytics_events = Table(
    "analytics_events",
    metadata,
    Column("id", sqlalchemy.Uuid(), nullable=False),
    Column("name", String(64), nullable=False),
    Column("source", String(8), nullable=False),
    Column("user_id", sqlalchemy.Uuid(), nullable=True),
    Column("course_id", String(200), nullable=True),  # course content id
    Column("entity_id", String(200), nullable=True),  # the lesson, quiz or course the event is about
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("clamped", sqlalchemy.Boolean(), nullable=False, server_default=text("false")),
    Column("value", sqlalchemy.Float(), nullable=True),  # a quiz score in percent, seconds to complete
    Column("context", JSONB(), nullable=False, server_default=text("'{}'::jsonb")),
    sqlalchemy.PrimaryKeyConstraint("id", "occurred_at", name="pk_analytics_events"),
    CheckConstraint(_in("source", ANALYTICS_SOURCES), name="source"),
    Index("ix_analytics_events_occurred_at", "occurred_at"),
    Index("ix_analytics_events_user_id_occurred_at", "user_id", "occurred_at"),
    postgresql_partition_by="RANGE (occurred_at)",
)

ANALYTICS_KINDS = ("platform", "course", "lesson", "quiz", "question")

# One row per day and course (entity_id ''), lesson, quiz and question, and one per day for the
# whole platform (course_id ''); rebuilt whole for a day by the worker (learnhub/analytics/rollups.py).
analytics_daily = Table(
    "analytics_daily",
    metadata,
    Column("day", Date(), nullable=False),
    Column("course_id", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("active_learners", Integer(), nullable=False),
    Column("views", Integer(), nullable=False),
    Column("completions", Integer(), nullable=False),
    Column("attempts", Integer(), nullable=False),  # quiz submissions; answers, for a question
    Column("correct", Integer(), nullable=False),  # correct answers, for a question
    Column("score_sum", sqlalchemy.Float(), nullable=False),  # sum of quiz scores in percent
    Column("events", Integer(), nullable=False),
    Column("median_seconds", sqlalchemy.Float(), nullable=True),  # to complete a lesson
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    sqlalchemy.PrimaryKeyConstraint("course_id", "kind", "entity_id", "day", name="pk_analytics_daily"),
    CheckConstraint(_in("kind", ANALYTICS_KINDS), name="kind"),
    Index("ix_analytics_daily_day_kind", "day", "kind"),
)

# The first day each learner reached each lesson: the drop-off funnel counts learners, which
# daily rows cannot (a learner active on two days would count twice).
analytics_lesson_reach = Table(
    "analytics_lesson_reach",
    metadata,
    Column("course_id", String(200), nullable=False),
    Column("lesson_id", String(200), nullable=False),
    Column("user_id", sqlalchemy.Uuid(), nullable=False),
    Column("first_day", Date(), nullable=False),
    sqlalchemy.PrimaryKeyConstraint("course_id", "lesson_id", "user_id", name="pk_analytics_lesson_reach"),
    Index("ix_analytics_lesson_reach_user_id", "user_id"),
)
