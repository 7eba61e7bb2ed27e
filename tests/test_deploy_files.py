"""Static checks of Dockerfile and docker-compose.yml against the settings they feed.

No Docker engine is needed: the files are parsed, never built or run.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from learnhub.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# Settings whose defaults point at local development servers or development secrets:
# production must set every one of them explicitly.
NO_SAFE_PRODUCTION_DEFAULT = frozenset(
    {
        "database_url",
        "mongodb_url",
        "redis_url",
        "typesense_url",
        "typesense_api_key",
        "s3_endpoint_url",
        "s3_access_key_id",
        "s3_secret_access_key",
        "s3_bucket",
        "jwt_keys",
        "jwt_active_key_id",
        "smtp_url",
        "app_url",
        "environment",
        "stripe_api_key",
        "stripe_webhook_secret",
    }
)
# Settings that must never be written into the compose file, only interpolated.
SECRETS = frozenset(
    {
        "typesense_api_key",
        "s3_access_key_id",
        "s3_secret_access_key",
        "jwt_keys",
        "jwt_active_key_id",
        "smtp_url",
        "stripe_api_key",
        "stripe_webhook_secret",
    }
)
# `${NAME:?message}`: compose refuses to start while NAME is unset or empty.
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]+\}")
STORE_URL_SETTINGS = ("DATABASE_URL", "MONGODB_URL", "REDIS_URL", "TYPESENSE_URL", "S3_ENDPOINT_URL")
ONE_SHOT = "service_completed_successfully"
# `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`.
INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


# --- helpers ------------------------------------------------------------------------------


def env_name(field: str) -> str:
    prefix = str(Settings.model_config.get("env_prefix") or "")
    return f"{prefix}{field}".upper()


def settings_env_names() -> set[str]:
    return {env_name(field) for field in Settings.model_fields}


def compose_services() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    services = document.get("services")
    assert isinstance(services, dict), "docker-compose.yml has no `services:` mapping"
    assert services, "docker-compose.yml defines no services"
    return services


def service_environment(service: dict[str, Any]) -> dict[str, str | None]:
    """The `environment:` of a service in either compose form (mapping or KEY=VALUE list)."""
    raw = service.get("environment") or {}
    if isinstance(raw, dict):
        return {str(key): None if value is None else str(value) for key, value in raw.items()}
    pairs = (str(item).partition("=") for item in raw)
    return {key: (value if sep else None) for key, sep, value in pairs}


def gateway_environment() -> dict[str, str | None]:
    services = compose_services()
    assert "gateway" in services, "docker-compose.yml has no `gateway` service"
    return service_environment(services["gateway"])


def interpolate(value: str, provided: dict[str, str]) -> str:
    """Compose's variable substitution; required variables not in `provided` get a stand-in."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match[1], match[2] or "", match[3] or ""
        if name in provided:
            return provided[name]
        if operator.endswith("?"):
            return f"stand-in-{name.lower()}"
        return argument if operator.endswith("-") else ""

    return INTERPOLATION.sub(substitute, value)


def dependencies(service: dict[str, Any]) -> dict[str, str]:
    """depends_on as {service: condition}; the short list form means `service_started`."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable", False) and check["test"] != ["NONE"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw_line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "Dockerfile ends inside a line continuation"
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    starts = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert starts, "Dockerfile has no FROM"
    return instructions[starts[-1] :]


def command_argv(arguments: str) -> list[str]:
    """CMD/ENTRYPOINT arguments in exec (JSON) or shell form, as an argv list."""
    if arguments.startswith("["):
        argv = json.loads(arguments)
        assert isinstance(argv, list)
        return [str(arg) for arg in argv]
    return shlex.split(arguments)


# --- docker-compose.yml -------------------------------------------------------------------


def test_gateway_environment_names_are_settings_fields() -> None:
    environment = gateway_environment()
    assert environment, "the gateway service sets no environment"
    unknown = sorted(set(environment) - settings_env_names())
    assert not unknown, f"gateway environment names that Settings never reads: {unknown}"


def test_gateway_sets_every_setting_without_a_safe_production_default() -> None:
    not_fields = sorted(NO_SAFE_PRODUCTION_DEFAULT - set(Settings.model_fields))
    assert not not_fields, f"not Settings fields any more (update this test): {not_fields}"
    environment = gateway_environment()
    missing = sorted(env_name(field) for field in NO_SAFE_PRODUCTION_DEFAULT if not environment.get(env_name(field)))
    assert not missing, f"gateway leaves these at their development defaults: {missing}"
    assert environment[env_name("environment")] == "production"


def test_gateway_secrets_are_required_interpolations() -> None:
    environment = gateway_environment()
    hard_coded = sorted(
        env_name(field)
        for field in SECRETS
        if not REQUIRED_INTERPOLATION.fullmatch(environment.get(env_name(field)) or "")
    )
    assert not hard_coded, f"secrets not given as ${{VAR:?message}}: {hard_coded}"


def test_gateway_environment_builds_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway's environment, interpolated as compose would, is accepted by Settings."""
    provided = {
        "JWT_KEYS": json.dumps({"prod-1": "p" * 64}),
        "JWT_ACTIVE_KEY_ID": "prod-1",
        "SMTP_URL": "smtp://mailer:secret@mail.example.com:587",
        "APP_URL": "https://learn.example.com",
        "STRIPE_API_KEY": "sk_live_" + "s" * 24,
        "STRIPE_WEBHOOK_SECRET": "whsec_" + "w" * 32,
    }
    for name, value in gateway_environment().items():
        monkeypatch.setenv(name, interpolate(value or "", provided))
    settings = Settings(_env_file=None)
    assert settings.is_production
    assert not settings.uses_dev_secret
    assert urlsplit(settings.database_url).hostname == "postgres"


def test_migrate_job_shares_the_gateway_environment() -> None:
    services = compose_services()
    one_shots = [name for name, spec in dependencies(services["gateway"]).items() if spec == ONE_SHOT]
    assert one_shots, "the gateway waits for no one-shot migrate job"
    for name in one_shots:
        assert name in services, f"gateway depends on undefined service {name!r}"
        assert service_environment(services[name]) == gateway_environment(), name


def test_gateway_dependencies_exist_and_are_healthchecked() -> None:
    services = compose_services()
    gateway_deps = dependencies(services["gateway"])
    assert gateway_deps, "the gateway depends on nothing"
    problems: list[str] = []
    # The one-shot's own dependencies must be healthy too, or it races the stores.
    to_check = [("gateway", gateway_deps)]
    to_check += [
        (name, dependencies(services[name]))
        for name, condition in gateway_deps.items()
        if condition == ONE_SHOT and name in services
    ]
    for dependent, deps in to_check:
        for name, condition in deps.items():
            if name not in services:
                problems.append(f"{dependent} depends on undefined service {name!r}")
            elif condition == ONE_SHOT:
                continue
            elif condition != "service_healthy":
                problems.append(f"{dependent} waits for {name!r} with {condition!r}, not service_healthy")
            elif not has_healthcheck(services[name]):
                problems.append(f"{name!r} has no healthcheck")
    assert not problems, "\n".join(problems)


def test_gateway_waits_for_every_store_it_connects_to() -> None:
    environment = gateway_environment()
    deps = dependencies(compose_services()["gateway"])
    hosts = {name: urlsplit(environment[name] or "").hostname for name in STORE_URL_SETTINGS if name in environment}
    unwaited = sorted(f"{name} -> {host}" for name, host in hosts.items() if host not in deps)
    assert not unwaited, f"store hosts the gateway does not depend_on: {unwaited}"


# --- Dockerfile ---------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_on_slim_python() -> None:
    instructions = dockerfile_instructions()
    bases = [arguments.split()[0] for keyword, arguments in instructions if keyword == "FROM"]
    assert len(bases) >= 2, f"expected a builder and a final stage, found FROM {bases}"
    # Resolve `FROM ${ARG}` through the global ARG defaults declared before the first FROM.
    defaults: dict[str, str] = {}
    for keyword, arguments in instructions:
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in arguments:
            name, _, value = arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
    final_base = re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m[1], m[0]), bases[-1])
    assert final_base == "python:3.11-slim-bookworm", f"the final stage is based on {final_base!r}"


def test_dockerfile_final_stage_runs_as_non_root() -> None:
    users = [arguments for keyword, arguments in final_stage() if keyword == "USER"]
    assert users, "the final stage has no USER, so it runs as root"
    user = users[-1].split(":")[0].strip()
    assert user not in {"root", "0", ""}, f"the final stage runs as {users[-1]!r}"


def test_dockerfile_final_stage_has_a_healthcheck() -> None:
    checks = [arguments for keyword, arguments in final_stage() if keyword == "HEALTHCHECK"]
    assert checks, "the final stage has no HEALTHCHECK"
    assert checks[-1].split()[0].upper() != "NONE", "HEALTHCHECK NONE disables the check"
    assert "/healthz" in checks[-1]


def test_dockerfile_final_stage_serves() -> None:
    stage = final_stage()
    commands = [command_argv(arguments) for keyword, arguments in stage if keyword == "CMD"]
    entrypoints = [command_argv(arguments) for keyword, arguments in stage if keyword == "ENTRYPOINT"]
    assert commands, "the final stage has no CMD"
    argv = (entrypoints[-1] if entrypoints else []) + commands[-1]
    pairs = list(itertools.pairwise(argv))
    assert ("learnhub", "serve") in pairs, f"the image runs {argv}, not `learnhub serve`"


def test_dockerfile_installs_no_extras() -> None:
    text = " ".join(arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN")
    extras = re.findall(r"\[[^\]]*\b(?:embedded|dev)\b[^\]]*\]", text)
    assert not extras, f"the image installs development extras: {extras}"


# --- deploy/: the Grafana dashboard and the Prometheus alert rules ---------------------------

DEPLOY = ROOT / "deploy"
METRIC_NAME = re.compile(r"\blearnhub_[a-z_]+\b")


def exposed_metric_names() -> set[str]:
    """The sample names /metrics can show, from the metric definitions themselves."""
    from prometheus_client.metrics import MetricWrapperBase

    from learnhub.observability import metrics

    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}
    names: set[str] = set()
    for candidate in vars(metrics).values():
        if isinstance(candidate, MetricWrapperBase):
            names.update(candidate._name + suffix for suffix in suffixes[candidate._type])
    return names


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "learnhub-gateway.json").read_text(encoding="utf-8"))
    assert dashboard["panels"], "the dashboard has no panels"
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_dashboard_queries_name_only_metrics_the_gateway_exposes() -> None:
    exposed = exposed_metric_names()
    used = {name for expr in dashboard_expressions() for name in METRIC_NAME.findall(expr)}
    assert used, "the dashboard queries no learnhub metric"
    assert sorted(used - exposed) == []
    # Every metric the gateway exposes is on the dashboard (by its base name).
    bases = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in used}
    assert sorted({re.sub(r"_(total|bucket|count|sum)$", "", name) for name in exposed} - bases) == []


def test_alert_rules_are_complete_and_name_exposed_metrics() -> None:
    rules = alert_rules()
    assert len(rules) >= 3
    exposed = exposed_metric_names()
    for rule in rules:
        assert rule["alert"], rule
        assert rule["expr"], rule
        assert rule["for"], rule
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule
        assert rule["annotations"]["summary"], rule
        used = set(METRIC_NAME.findall(rule["expr"]))
        assert used, rule["alert"]
        assert sorted(used - exposed) == [], rule["alert"]
