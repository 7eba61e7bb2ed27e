"""The root Query and Mutation types and the schema object."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from learnhub.graphql.execution.document_cache import Documents, document_cache
from learnhub.graphql.execution.errors import GatewaySchema
from learnhub.graphql.execution.input_guard import RejectUnstorableText
from learnhub.graphql.execution.limits import RequestLimits
from learnhub.graphql.resolvers import admin, auth, authoring, content, files, learning, nodes
from learnhub.graphql.resolvers import analytics as analytics_resolvers
from learnhub.graphql.resolvers import courses as catalogue
from learnhub.graphql.resolvers import live as live_resolvers
from learnhub.graphql.resolvers import payments as payment_resolvers
from learnhub.graphql.resolvers import search as search_resolvers
from learnhub.graphql.resolvers import sharing as sharing_resolvers
from learnhub.graphql.resolvers import sync as sync_resolvers
from learnhub.graphql.resolvers import users as viewer
from learnhub.graphql.types.quizzes import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)


@strawberry.type
class Query:
    node = strawberry.field(resolver=nodes.node, description="Any object by its global id.")

    me = strawberry.field(resolver=viewer.me, description="The signed-in user; null when signed out.")

    courses = strawberry.field(
        resolver=catalogue.list_courses, description="The catalogue, oldest first. `first` is at most 100."
    )

    course = strawberry.field(
        resolver=catalogue.course, description="One course by global `id` or by `contentId` (exactly one)."
    )

    lesson = strawberry.field(
        resolver=content.lesson, description="A lesson by global id or content id (`lesson:rest-intro`)."
    )

    quiz = strawberry.field(
        resolver=content.quiz,
        description="A quiz with its questions (answers only for who may review), by global or content id.",
    )

    my_courses = strawberry.field(
        resolver=learning.my_courses,
        description="The viewer's active and completed enrollments, newest first, with completion and where to go on.",
    )

    questions = strawberry.field(
        resolver=content.question_bank,
        description="The question bank in id order, without answers; `first` up to 500, optionally one type or tag.",
    )

    my_sessions = strawberry.field(
        resolver=auth.my_sessions, description="The viewer's signed-in devices, most recently used first."
    )

    users = strawberry.field(resolver=admin.list_users, description="Every account, newest first (admins).")

    search = strawberry.field(
        resolver=search_resolvers.search,
        description="Courses, lessons and questions matching `query`, best first: typo-tolerant keywords, "
        "meaning (lesson text embeddings), or both fused (HYBRID). `first` is at most 50. Only records the "
        "viewer may see are found.",
    )

    related_lessons = strawberry.field(
        resolver=search_resolvers.related,
        description="Lessons closest in meaning to this one (by embeddings), best first.",
    )

    shared_content = strawberry.field(
        resolver=sharing_resolvers.shared,
        description="What a share link's token opens, signed in or not (each call counts one use). Every "
        "link that does not open answers SHARE_LINK_INVALID alike; limited per client IP (RATE_LIMITED).",
    )

    plans = strawberry.field(
        resolver=payment_resolvers.plans, description="The subscription plans on sale, cheapest first."
    )

    changes_since = strawberry.field(
        resolver=sync_resolvers.changes_since,
        description="What changed for the viewer since `cursor` (none: everything), oldest first, `first` (at most "
        "500) at a time: enrollments, lesson progress, attempts, achievements, course versions, and tombstones "
        "for what is gone. Ask again with the answer's `cursor` while `hasMore`.",
    )

    platform_analytics = strawberry.field(
        resolver=analytics_resolvers.platform_analytics,
        description="The platform's daily activity over `from`..`to` (UTC days, at most 366), from the rollups "
        "(admins).",
    )

    analytics_events = strawberry.field(
        resolver=analytics_resolvers.analytics_events_of_user,
        description="A learner's raw analytics events, newest first, `first` up to 500 (admins).",
    )


@strawberry.type
class Mutation:
    register = strawberry.mutation(resolver=auth.register, description="Create a student account and sign in.")

    login = strawberry.mutation(
        resolver=auth.login, description="Sign in with email and password. Repeated failures lock out for a while."
    )

    refresh_session = strawberry.mutation(
        resolver=auth.refresh_session, description="Exchange a refresh token for a new access and refresh token."
    )

    request_magic_link = strawberry.mutation(
        resolver=auth.request_magic_link,
        description="Mail a one-time sign-in link (15 minutes). Answers alike for unknown emails.",
    )

    sign_in_with_magic_link = strawberry.mutation(
        resolver=auth.sign_in_with_magic_link,
        description="Sign in with the token from a sign-in link; each link works once.",
    )

    request_password_reset = strawberry.mutation(
        resolver=auth.request_password_reset,
        description="Mail a password-reset link. Answers alike for unknown emails.",
    )

    reset_password = strawberry.mutation(
        resolver=auth.reset_password,
        description="Set a new password with a reset link's token; ends every session, then signs in.",
    )

    logout = strawberry.mutation(
        resolver=auth.logout, description="End this session (its refresh token and access tokens)."
    )

    logout_everywhere = strawberry.mutation(
        resolver=auth.logout_everywhere, description="End every session of the viewer, this one included."
    )

    revoke_session = strawberry.mutation(
        resolver=auth.revoke_session, description="End one of the viewer's sessions (an id from `mySessions`)."
    )

    change_password = strawberry.mutation(
        resolver=auth.change_password, description="Change the password; other sessions end, this one stays."
    )

    enroll = strawberry.mutation(
        resolver=learning.enroll, description="Enroll the viewer in a free, published course (idempotent)."
    )

    unenroll = strawberry.mutation(
        resolver=learning.unenroll, description="Leave a course; progress is kept should the viewer enroll again."
    )

    update_lesson_progress = strawberry.mutation(
        resolver=learning.update_lesson_progress,
        description="Record progress in a lesson; position and completion never move back.",
    )

    start_quiz_attempt = strawberry.mutation(
        resolver=learning.start_quiz_attempt,
        description="Open an attempt at a quiz of an enrolled course (or return the one still open); "
        "enforces the attempts allowed and starts the time limit on the server clock.",
    )

    submit_quiz_attempt = strawberry.mutation(
        resolver=learning.submit_quiz_attempt,
        description="Submit answers for grading on the server, once. Retrying with the same `idempotencyKey` "
        "returns the recorded result and writes nothing. At most 200 answers.",
    )

    create_course = strawberry.mutation(
        resolver=authoring.create_course,
        description="Create an unpublished course owned by the viewer (instructors, admins).",
    )

    update_course_content = strawberry.mutation(
        resolver=authoring.update_course_content,
        description="Edit a course's content and outline; `expectedVersion` is `content.version` as last read "
        "(a stale one gets CONFLICT and changes nothing).",
    )

    publish_course = strawberry.mutation(
        resolver=authoring.publish_course, description="Publish or unpublish a course."
    )

    add_lesson = strawberry.mutation(
        resolver=authoring.add_lesson,
        description="Add a lesson at the end of a module (`expectedVersion`: the course content's).",
    )

    update_lesson = strawberry.mutation(
        resolver=authoring.update_lesson, description="Edit a lesson (`expectedVersion`: the lesson's `version`)."
    )

    create_quiz = strawberry.mutation(
        resolver=authoring.create_quiz, description="Create an unpublished quiz in one of the viewer's courses."
    )

    save_question = strawberry.mutation(
        resolver=authoring.save_question,
        description="Add a question (no `questionId`) or change one. A question that graded attempts used is "
        "replaced by a new one, so those attempts keep the question they were graded against.",
    )

    remove_question = strawberry.mutation(
        resolver=authoring.remove_question, description="Take a question out of a quiz (answered attempts keep it)."
    )

    publish_quiz = strawberry.mutation(
        resolver=authoring.publish_quiz, description="Publish (students may start it) or unpublish a quiz."
    )

    create_share_link = strawberry.mutation(
        resolver=sharing_resolvers.create_share_link,
        description="A public link to a preview of a course, lesson or quiz of one of the viewer's courses (even "
        "unpublished). The token is in the answer once; only its hash is stored.",
    )

    revoke_share_link = strawberry.mutation(
        resolver=sharing_resolvers.revoke_share_link,
        description="Stop a share link (its creator, the course's instructor, admins). Revoking twice is harmless.",
    )

    checkout = strawberry.mutation(
        resolver=payment_resolvers.checkout,
        description="Start paying for a course (a client secret for Stripe.js) or subscribe to a plan (with a "
        "card's PaymentMethod id). The same idempotencyKey returns the same checkout. The provider down: "
        "PAYMENT_PROVIDER_UNAVAILABLE.",
    )

    cancel_subscription = strawberry.mutation(
        resolver=payment_resolvers.cancel_subscription,
        description="Stop renewing the viewer's subscription: access lasts until the paid period ends.",
    )

    refund_payment = strawberry.mutation(
        resolver=payment_resolvers.refund_payment,
        description="Refund a succeeded course purchase in full (admins); access to the course ends.",
    )

    set_user_role = strawberry.mutation(
        resolver=admin.set_user_role,
        description="Give a user a role (admins). The user's sessions end so it applies at once.",
    )

    set_user_disabled = strawberry.mutation(
        resolver=admin.set_user_disabled,
        description="Disable or re-enable an account (admins). Disabling ends its sessions.",
    )

    request_upload = strawberry.mutation(
        resolver=files.request_upload,
        description="Reserve an upload: a document row and a presigned URL to PUT the file to, with the headers "
        "to send (type and checksum are bound into the signature). Then call confirmUpload.",
    )

    confirm_upload = strawberry.mutation(
        resolver=files.confirm_upload,
        description="Check the uploaded object against what was declared: READY, or REJECTED and deleted. "
        "Confirming twice is harmless.",
    )

    request_multipart_upload = strawberry.mutation(
        resolver=files.request_multipart_upload,
        description="Reserve an upload of a file over 100 MiB, sent in parts: one presigned URL per part.",
    )

    complete_multipart_upload = strawberry.mutation(
        resolver=files.complete_multipart_upload,
        description="Join the uploaded parts (numbered from 1, with the ETag each PUT answered) and check the file.",
    )

    delete_document = strawberry.mutation(
        resolver=files.delete_document,
        description="Delete a document: hidden at once, its object removed shortly after.",
    )

    track_events = strawberry.mutation(
        resolver=analytics_resolvers.track_events,
        description="Record up to 100 events of the signed-in learner; the whole batch is checked first, so a bad "
        "one keeps nothing. Written within about a second (a gateway crash loses at most that).",
    )


@strawberry.type
class Subscription:
    my_progress = strawberry.subscription(
        resolver=live_resolvers.my_progress,
        description="The viewer's lesson progress and course completions, from any device, as they happen.",
    )

    achievement_awarded = strawberry.subscription(
        resolver=live_resolvers.achievement_awarded, description="Achievements the viewer earns, as they are awarded."
    )

    course_updated = strawberry.subscription(
        resolver=live_resolvers.course_updated,
        description="Content changes of a course the viewer may see (its `content.version` moved on).",
    )

    quiz_attempt_graded = strawberry.subscription(
        resolver=live_resolvers.quiz_attempt_graded,
        description="The viewer's attempt once it is graded (its owner, the course's instructor, admins).",
    )


# Interface implementations that no field names directly must still be in the schema.
IMPLEMENTATIONS = [
    SingleChoiceQuestion,
    MultipleChoiceQuestion,
    TrueFalseQuestion,
    ShortTextQuestion,
    NumericQuestion,
    OrderingQuestion,
]

# MAX_DEPTH, MAX_ALIASES, MAX_TOKENS and MAX_COST, and why they are what they are: learnhub/graphql/execution/limits.py.


def build_schema(*, introspection: bool = True, plan_check: bool = False) -> strawberry.Schema:
    """The gateway schema, with the request limits on every operation and introspection only if allowed.
    `plan_check` runs planned queries on graphql-core too and records differences (tests)."""
    # Classes or factories: Strawberry makes a fresh extension per request.
    extensions: list[Callable[[], SchemaExtension]] = [RequestLimits, RejectUnstorableText]
    if not introspection:
        extensions.append(DisableIntrospection)
    # Last, so it sees the validation rules the others add and the errors they set.
    extensions.append(document_cache(Documents()))
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=IMPLEMENTATIONS,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        plan_check=plan_check,
    )
