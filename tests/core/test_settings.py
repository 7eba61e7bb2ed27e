"""Settings: production refuses development secrets and unsafe values, and serves the older quiz
app's questions route only with a token."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from learnhub.core.settings import Settings


def _production(**overrides: Any) -> Settings:
    """Production settings that pass, changed by `overrides`."""
    valid: dict[str, Any] = {
        "jwt_keys": {"k": "k" * 40},
        "jwt_active_key_id": "k",
        "smtp_url": "smtp://m",
        "stripe_api_key": "sk_live_" + "s" * 24,
        "stripe_webhook_secret": "whsec_" + "w" * 32,
    }
    return Settings(_env_file=None, environment="production", **(valid | overrides))  # type: ignore[call-arg]


def test_production_settings_refuse_development_secrets() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    message = str(info.value)
    assert "JWT_KEYS holds the development key" in message
    assert "SMTP_URL is required" in message
    assert "STRIPE_API_KEY is the local development key" in message
    assert "STRIPE_WEBHOOK_SECRET is the local development secret" in message
    refusals = {
        "at least 32": {"jwt_keys": {"k": "short"}},
        "CORS_ORIGINS": {"cors_origins": ["*"]},
        "CRASH_POINTS": {"crash_points": ["submit.after_details"]},
    }
    for expected, overrides in refusals.items():
        with pytest.raises(ValidationError, match=expected):
            _production(**overrides)
    ok = _production()
    assert not ok.introspection_enabled
    assert not ok.graphiql_enabled


def test_production_serves_the_questions_route_only_with_a_token(settings: Settings) -> None:
    production = {"environment": "development", "legacy_questions_route": True}
    assert settings.model_copy(update=production).legacy_questions_enabled
    production["environment"] = "production"
    assert not settings.model_copy(update=production).legacy_questions_enabled
    with_token = settings.model_copy(update={**production, "legacy_questions_token": SecretStr("s" * 40)})
    assert with_token.legacy_questions_enabled
