"""Enumerations shared across domains."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What a user may do on the platform.")
class Role(Enum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


@strawberry.enum
class CourseLevel(Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@strawberry.enum
class EnrollmentStatus(Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    # A refund or a lapsed subscription ended access; progress is kept and comes back with it.
    SUSPENDED = "suspended"


@strawberry.enum
class QuestionType(Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_TEXT = "short_text"
    NUMERIC = "numeric"
    ORDERING = "ordering"


@strawberry.enum
class Difficulty(Enum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@strawberry.enum
class BlockKind(Enum):
    MARKDOWN = "markdown"
    CODE = "code"
    CALLOUT = "callout"
