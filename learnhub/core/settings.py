"""The one settings class: every store URL, secret and limit, read from the environment."""

from __future__ import annotations

from functools import cached_property
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only signing key; `learnhub serve` in production refuses to start with it.
DEV_JWT_SECRET = "learnhub-development-signing-key-change-me-0123456789"  # public by design
DEV_STRIPE_KEY = "sk_test_learnhub_local"  # public by design: only the local Stripe server accepts it
DEV_STRIPE_WEBHOOK_SECRET = "whsec_learnhub_local_development"  # public by design


# HS256 keys shorter than the hash output weaken it (RFC 7518 section 3.2).
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Environment names are the field names in upper case (`DATABASE_URL`, ...)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/learnhub"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    mongodb_url: str = "mongodb://127.0.0.1:27019/?replicaSet=rs0"
    mongodb_database: str = "learnhub"
    redis_url: str = "redis://127.0.0.1:63799/0"
    typesense_url: str = "http://127.0.0.1:8108"
    typesense_api_key: SecretStr = SecretStr("learnhub-local-key")
    s3_endpoint_url: str | None = "http://127.0.0.1:9009"
    s3_access_key_id: str = "learnhub"
    s3_secret_access_key: SecretStr = SecretStr("learnhub-local-secret")
    s3_region: str = "us-east-1"
    s3_bucket: str = "learnhub-uploads"

    # Tokens: `jwt_keys` maps key id -> secret so keys rotate without logging everyone out.
    jwt_keys: dict[str, SecretStr] = Field(default_factory=lambda: {"dev-1": SecretStr(DEV_JWT_SECRET)})
    jwt_active_key_id: str = "dev-1"
    jwt_issuer: str = "learnhub"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    magic_link_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    password_reset_ttl_seconds: int = Field(default=1800, ge=300, le=86400)

    # Mail: links point at the web app; without SMTP_URL (development only) mail is logged.
    app_url: str = "http://127.0.0.1:8000"
    smtp_url: SecretStr | None = None  # smtp://user:pass@host:587 (STARTTLS) or smtps://... (TLS)
    mail_from: str = "LearnHub <no-reply@learnhub.dev>"

    # Abuse limits (token buckets in Redis, shared by every gateway process).
    rate_limit_enabled: bool = True
    rate_limit_user_burst: int = Field(default=120, ge=1)
    rate_limit_user_per_second: float = Field(default=10.0, gt=0)
    rate_limit_ip_burst: int = Field(default=240, ge=1)
    rate_limit_ip_per_second: float = Field(default=20.0, gt=0)
    login_attempts_per_account: int = Field(default=5, ge=1)
    login_attempts_per_ip: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    # Share-link resolutions per client IP: a person opening a few links never waits, while
    # guessing tokens (256 bits each) gets one try a second.
    share_link_ip_burst: int = Field(default=30, ge=1)
    share_link_ip_per_second: float = Field(default=1.0, gt=0)
    # Client IPs come from X-Forwarded-For only behind a proxy that sets it (never trust it otherwise).
    trust_forwarded_for: bool = False

    # Persisted operations: "apq" caches any operation by hash (Apollo's protocol); "trusted"
    # serves only operations registered with `learnhub documents register` (production).
    persisted_queries: Literal["off", "apq", "trusted"] = "apq"
    apq_ttl_seconds: int = Field(default=7 * 86400, ge=60)

    # Anonymous answers of catalogue, course, lesson and quiz reads, kept in process and in Redis
    # (learnhub/caching); a content change drops them at once, the TTL bounds everything else
    # an answer shows (an instructor's name). A TTL of 0 turns the cache off.
    public_cache_enabled: bool = True
    public_cache_ttl_seconds: int = Field(default=60, ge=0, le=86400)

    # GET /questions serves the older quiz app, answers included (its contract), and only
    # questions of published quizzes of published courses. Turn it off once that app is retired:
    # the GraphQL API never shows a student answers before review. When a token is set, requests
    # must send it in `X-Legacy-Token`; production serves the route only with one.
    legacy_questions_route: bool = True
    legacy_questions_token: SecretStr | None = None

    # Drain the outbox (achievements, stats) inside the gateway; otherwise run `learnhub worker`.
    # Default: on in development only.
    worker_in_process: bool | None = None

    # Search (learnhub/search): Typesense collections are reached through aliases named
    # `<prefix>_<kind>`, so a reindex builds `<prefix>_<kind>_<stamp>` and swaps the alias.
    search_collection_prefix: str = Field(default="learnhub", pattern=r"^[a-z][a-z0-9_]{0,40}$")
    # Embeddings: the provider and model that embed lesson chunks and queries. Changing either
    # makes the worker re-embed every lesson; vectors of the old model are dropped once done.
    embedding_provider: Literal["wordllama"] = "wordllama"
    embedding_model: str = "l2_supercat"
    embedding_dimension: Literal[64, 128, 256, 512, 1024] = 256
    # Reciprocal rank fusion: score = sum(weight / (k + rank)). k = 60 is the value of the RRF
    # paper; the weights were chosen on bench/search_queries.py (docs/search.md).
    search_rrf_k: int = Field(default=60, ge=1, le=1000)
    search_keyword_weight: float = Field(default=1.0, ge=0, le=10)
    search_semantic_weight: float = Field(default=1.0, ge=0, le=10)
    # Only each side's first N hits score in the fusion (docs/search.md).
    search_rrf_depth: int = Field(default=100, ge=1, le=1000)
    # Lesson chunks: at most this many tokens, repeating up to `overlap` tokens of the one before
    # (learnhub/search/chunking.py; the sizes were chosen on bench/search_queries.py).
    search_chunk_tokens: int = Field(default=120, ge=16, le=2000)
    search_chunk_overlap_tokens: int = Field(default=40, ge=0, le=500)
    # Semantic hits below this cosine similarity are noise, not answers (docs/search.md).
    search_semantic_min_similarity: float = Field(default=0.3, ge=-1, le=1)

    # Uploads: bytes each person may hold in pending and ready uploads (admins are exempt).
    storage_quota_bytes: int = Field(default=2 * 1024**3, ge=0)
    # How often the worker removes unconfirmed uploads older than a day and unreferenced objects.
    sweep_interval_seconds: float = Field(default=3600, gt=0)

    # Analytics (learnhub/analytics): client and server events wait in a per-process buffer that
    # is written in bulk every `flush_seconds` or once it holds `flush_events`; it holds at most
    # `buffer_events` (then a call waits for a flush, or gets ANALYTICS_BUSY if PostgreSQL is not
    # taking rows). A crash loses what the buffer holds. The worker rebuilds the rollups of the
    # last two days every `rollup_seconds`.
    analytics_flush_seconds: float = Field(default=1.0, gt=0, le=60)
    analytics_flush_events: int = Field(default=2000, ge=1)
    analytics_buffer_events: int = Field(default=20_000, ge=100)
    analytics_rollup_seconds: float = Field(default=300, gt=0)

    # Test-only: steps of cross-store writes at which the process exits (learnhub/core/crash.py).
    crash_points: list[str] = Field(default_factory=list)
    # Test-only: run every planned query on graphql-core too and record any difference
    # (learnhub/graphql/execution/compiled.py `PlanCheck`); doubles a query's CPU.
    plan_check: bool = False

    # Live updates (learnhub/live): events stay in their Redis stream this long; a client
    # resuming from an older cursor gets RESYNC_REQUIRED and catches up with `changesSince`.
    live_retention_seconds: int = Field(default=86_400, ge=60, le=30 * 86_400)
    live_sockets_per_user: int = Field(default=10, ge=1, le=1000)
    live_subscriptions_per_socket: int = Field(default=20, ge=1, le=1000)
    # How often each socket re-checks its session (revocation, expiry) and refreshes its slot in
    # the per-user socket count: a revoked session's sockets close within this time.
    live_check_interval_seconds: float = Field(default=2.0, gt=0, le=60)
    # Offline sync: changes written in the last this-many seconds are not handed out yet, so a
    # transaction that stamped its rows earlier but committed later is not skipped by a cursor.
    sync_settle_seconds: float = Field(default=2.0, ge=0, le=60)

    cors_origins: list[str] = Field(default_factory=list)
    # The lean path for JSON POSTs of one operation (learnhub/http/fast_path.py). Off only to
    # compare it with the general path, which answers every request the same way.
    fast_path_enabled: bool = True
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    operation_timeout_seconds: float = Field(default=10.0, gt=0)

    host: str = "127.0.0.1"
    port: int = 8000
    graphiql: bool | None = None
    introspection: bool | None = None
    max_page_size: int = Field(default=100, ge=1, le=1000)
    default_page_size: int = Field(default=20, ge=1)
    store_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # When a store is down (learnhub/datasources/guard.py, README "When a store is down"): how
    # long one call may take before it counts as failed. Reads here are 0.2-30 ms at scale 10, so
    # 2 s is far above any healthy answer; Redis commands take well under a millisecond.
    # PostgreSQL's also bounds each statement of writes and rare reads (asyncpg command_timeout).
    postgres_timeout_seconds: float = Field(default=2.0, gt=0)
    mongodb_timeout_seconds: float = Field(default=2.0, gt=0)
    redis_timeout_seconds: float = Field(default=0.5, gt=0)
    # The breaker per store opens after this many consecutive failures within the window, then
    # lets one probe through after the cool-down.
    breaker_failures: int = Field(default=3, ge=1)
    breaker_window_seconds: float = Field(default=10.0, gt=0)
    breaker_cooldown_seconds: float = Field(default=1.0, gt=0)
    # While Redis is down, session states this process learned stay trusted this long.
    session_local_cache_seconds: float = Field(default=10.0, ge=0)
    # /readyz answers within this long, naming each store that did not answer in time.
    readiness_timeout_seconds: float = Field(default=0.5, gt=0)
    round_trip_stats: bool | None = None
    # Observability (learnhub/observability; tracing is configured by the standard OTEL_* variables).
    metrics_enabled: bool = True
    # /metrics in production: a bearer token, or peers in these networks (e.g. 10.0.0.0/8); neither: refused.
    metrics_token: SecretStr | None = None
    metrics_allowed_networks: list[str] = Field(default_factory=list)
    log_format: Literal["json", "text"] | None = None
    request_log: bool | None = None

    # Payments (Stripe). `STRIPE_API_URL` points the SDK at a Stripe-compatible server (the local
    # `localstripe` in development and tests); unset in production, where Stripe itself answers.
    stripe_api_key: SecretStr = SecretStr(DEV_STRIPE_KEY)
    stripe_api_url: str | None = None
    stripe_webhook_secret: SecretStr = SecretStr(DEV_STRIPE_WEBHOOK_SECRET)
    # Stripe's own default: a signed event older than this is a replay and is refused.
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    # A checkout waits this long for the provider before answering PAYMENT_PROVIDER_UNAVAILABLE.
    stripe_timeout_seconds: float = Field(default=10.0, gt=0, le=80)
    payment_success_url: str = "http://127.0.0.1:8000/payments/success"
    payment_cancel_url: str = "http://127.0.0.1:8000/payments/cancel"

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.jwt_active_key_id not in self.jwt_keys:
            raise ValueError(f"JWT_ACTIVE_KEY_ID {self.jwt_active_key_id!r} is not among JWT_KEYS")
        if self.default_page_size > self.max_page_size:
            raise ValueError("DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE")
        if self.is_production and (problems := self.production_problems()):
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """What makes these settings unfit to face the internet."""
        problems = []
        if self.uses_dev_secret:
            problems.append("JWT_KEYS holds the development key")
        if any(len(key.get_secret_value()) < MIN_SECRET_LENGTH for key in self.jwt_keys.values()):
            problems.append(f"every JWT_KEYS secret needs at least {MIN_SECRET_LENGTH} characters")
        if "*" in self.cors_origins:
            problems.append("CORS_ORIGINS must list origins, not '*'")
        if self.crash_points:
            problems.append("CRASH_POINTS is for tests only")
        token = self.legacy_questions_token
        if token is not None and len(token.get_secret_value()) < MIN_SECRET_LENGTH:
            problems.append(f"LEGACY_QUESTIONS_TOKEN needs at least {MIN_SECRET_LENGTH} characters")
        if self.smtp_url is None:
            problems.append("SMTP_URL is required to send sign-in and reset mail")
        if self.stripe_api_key.get_secret_value() == DEV_STRIPE_KEY:
            problems.append("STRIPE_API_KEY is the local development key")
        if self.stripe_webhook_secret.get_secret_value() == DEV_STRIPE_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET is the local development secret")
        metrics_token = self.metrics_token
        if metrics_token is not None and len(metrics_token.get_secret_value()) < MIN_SECRET_LENGTH:
            problems.append(f"METRICS_TOKEN needs at least {MIN_SECRET_LENGTH} characters")
        return problems

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def legacy_questions_enabled(self) -> bool:
        """Production never serves answers to anyone who asks: only with a shared secret."""
        if not self.legacy_questions_route:
            return False
        return self.legacy_questions_token is not None or not self.is_production

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.is_production

    @property
    def worker_in_process_enabled(self) -> bool:
        return self.worker_in_process if self.worker_in_process is not None else self.environment == "development"

    @property
    def round_trip_stats_enabled(self) -> bool:
        """Per-request store round trips in the response's `extensions` (off in production)."""
        return self.round_trip_stats if self.round_trip_stats is not None else not self.is_production

    @property
    def json_logs(self) -> bool:
        """One JSON object per log line (production's default), else readable lines."""
        return self.log_format == "json" if self.log_format is not None else self.is_production

    @property
    def request_log_enabled(self) -> bool:
        """One log line per GraphQL request (on in production)."""
        return self.request_log if self.request_log is not None else self.is_production

    @cached_property
    def uses_dev_secret(self) -> bool:
        return any(key.get_secret_value() == DEV_JWT_SECRET for key in self.jwt_keys.values())


def redact_url(url: str) -> str:
    """A URL fit for logs and error messages: the password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))
