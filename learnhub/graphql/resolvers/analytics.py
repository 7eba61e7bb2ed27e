"""Analytics: apps send events; admins read the platform's days and a learner's raw events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from learnhub.analytics import events as analytics_events
from learnhub.analytics import reports
from learnhub.analytics.catalog import ClientEvent
from learnhub.datasources.postgres import analytics as analytics_rows
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import expect_uuid
from learnhub.graphql.types.analytics import (
    AnalyticsDay,
    AnalyticsEvent,
    PlatformAnalytics,
    TrackEventInput,
    TrackEventsPayload,
)

# Raw events per `analyticsEvents` call: a support case's worth, not an export.
MAX_RAW_EVENTS = 500


async def track_events(info: Info, events: list[TrackEventInput]) -> TrackEventsPayload:
    ctx = info.context
    user_id = ctx.require_user()
    given = [ClientEvent(e.name, e.occurred_at, e.entity_id, e.context) for e in events]
    tracked = await analytics_events.track(ctx.stores, ctx.loaders, user_id, given)
    return TrackEventsPayload(accepted=tracked.accepted, clamped=tracked.clamped)


async def platform_analytics(
    info: Info, from_: Annotated[dt.date, strawberry.argument(name="from")], to: dt.date
) -> PlatformAnalytics:
    days = await reports.platform_days(info.context.stores.engine, from_, to)
    return PlatformAnalytics(from_=from_, to=to, days=[AnalyticsDay.from_day(day) for day in days])


async def analytics_events_of_user(
    info: Info, user_id: Annotated[strawberry.ID, strawberry.argument(name="userId")], first: int = 50
) -> list[AnalyticsEvent]:
    limit = max(1, min(first, MAX_RAW_EVENTS))
    rows = await analytics_rows.events_of_user(info.context.stores.engine, expect_uuid(user_id, "User"), limit)
    return [AnalyticsEvent.from_row(row) for row in rows]
