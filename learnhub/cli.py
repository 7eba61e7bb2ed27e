"""`learnhub dev | serve | migrate | seed | worker | search reindex|check | schema export | documents register |
payments reconcile | analytics detach|forget-user`."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from learnhub.core.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from learnhub.datasources.stores import Stores

T = TypeVar("T")
DEV_DATA_DIR = Path(".learnhub")
SCHEMA_FILE = Path("schema.graphql")
log = logging.getLogger("learnhub")


def _metrics_dir(workers: int) -> None:
    """Worker processes share their Prometheus values through files in PROMETHEUS_MULTIPROC_DIR.

    Set before anything imports prometheus_client (it picks its storage at import). An operator's
    directory is emptied of a previous run's values; without one, `--workers N` gets a temporary one.
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    elif workers > 1:
        directory = tempfile.mkdtemp(prefix="learnhub-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def worker_app() -> Starlette:
    """The application of one `serve --workers N` process (uvicorn imports and calls this)."""
    from learnhub.app import create_app
    from learnhub.observability import logs

    settings = Settings()
    logs.configure(settings.json_logs)
    return create_app(settings)


def _serve(
    settings: Settings,
    *,
    workers: int = 1,
    started: float | None = None,
    beside: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> None:
    """Serve until stopped; `beside` (with `started`) runs on the same event loop meanwhile."""
    import uvicorn

    from learnhub.app import create_app
    from learnhub.observability import logs

    logs.configure(settings.json_logs)
    # JSON logs: uvicorn's records go through the same handler; the request log replaces its access log.
    uvicorn_logging: dict[str, Any] = {"log_config": None} if settings.json_logs else {}
    if settings.request_log_enabled:
        uvicorn_logging["access_log"] = False
    if workers > 1:
        # Worker processes are started afresh, so they build their application from an import path.
        uvicorn.run(
            "learnhub.cli:worker_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=True,
            lifespan="on",
            workers=workers,
            **uvicorn_logging,
        )
        return
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=True,
        lifespan="on",
        workers=workers,
        **uvicorn_logging,
    )
    server = uvicorn.Server(config)
    if started is not None:
        url = f"http://{settings.host}:{settings.port}/graphql"

        async def announce() -> None:
            # uvicorn has no 'started' event to wait on, only this flag.
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            print(
                f"LearnHub is serving at {url} (GraphiQL) — ready {time.monotonic() - started:.1f} s after start."
                " Ctrl-C stops it and every local server.",
                flush=True,
            )

        async def main() -> None:
            task = asyncio.create_task(announce())
            watcher = asyncio.create_task(beside()) if beside is not None else None
            await server.serve()
            task.cancel()
            if watcher is not None:
                watcher.cancel()

        asyncio.run(main())
    else:
        server.run()


def _preflight(settings: Settings) -> None:
    """Fail fast, naming every store that cannot be reached, before taking traffic."""
    from learnhub.datasources.stores import Stores, StoresUnreachable

    async def check() -> None:
        stores = await Stores.open(settings)
        try:
            await stores.check_reachable()
        finally:
            await stores.close()

    try:
        asyncio.run(check())
    except StoresUnreachable as exc:
        print(f"learnhub: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _seed(settings: Settings, scale: int | None) -> None:
    from learnhub.datasources.mongo.client import init_documents, make_client
    from learnhub.datasources.postgres.engine import make_engine
    from learnhub.seed.demo import seed_demo

    async def run() -> None:
        engine = make_engine(settings)
        client = make_client(settings)
        db = client[settings.mongodb_database]
        try:
            await init_documents(db)
            report = await seed_demo(engine, db)
            print(f"Demo content: {report.courses} courses, {report.lessons} lessons, {report.questions} questions.")
            if scale:
                from learnhub.auth.passwords import hash_password
                from learnhub.seed.scale import seed_scale

                scaled = await seed_scale(engine, db, scale, password_hash=await hash_password("learnhub-scale"))
                print(f"Scale {scale}: {scaled}")
        finally:
            await engine.dispose()
            await client.close()

    asyncio.run(run())


def _with_stores(settings: Settings, work: Callable[[Stores], Awaitable[T]]) -> T:
    """Open every store, run `work`, close them: for one-shot commands."""
    from learnhub.datasources.stores import Stores, StoresUnreachable  # the runtime import

    async def run() -> T:
        stores = await Stores.open(settings)
        try:
            await stores.check_reachable()
            await stores.bind_documents()
            return await work(stores)
        finally:
            await stores.close()

    try:
        return asyncio.run(run())
    except StoresUnreachable as exc:
        print(f"learnhub: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _reindex(settings: Settings) -> None:
    from learnhub.search.maintenance import reindex

    done = _with_stores(settings, reindex)
    i = done.indexed
    print(
        f"Search: indexed {i.courses} courses, {i.lessons} lessons, {i.questions} questions; "
        f"embedded {i.embedded} lessons ({i.chunks} chunks) in {done.seconds:.1f} s; "
        f"{done.replayed} courses changed meanwhile; dropped {len(done.dropped)} old collections.",
        flush=True,
    )


def cmd_search_reindex(args: argparse.Namespace) -> None:
    """Rebuild every search collection and the lesson chunks from the stores; no downtime."""
    _reindex(Settings())


def cmd_search_check(args: argparse.Namespace) -> None:
    """Compare the indexes with the stores; exit 1 on any drift."""
    from learnhub.search.maintenance import check

    drift = _with_stores(Settings(), check)
    for what, (stored, indexed) in drift.counts.items():
        print(f"{what}: {stored} in the stores, {indexed} indexed")
    for problem in drift.problems:
        print(f"DRIFT {problem}")
    if not drift.ok:
        raise SystemExit(1)
    print("The indexes agree with the stores.")


def cmd_dev(args: argparse.Namespace) -> None:
    from learnhub.embedded import EmbeddedCluster, EmbeddedServerError, Ports
    from learnhub.embedded.supervisor import Supervisor
    from learnhub.migrations.migrate import migrate_all

    started = time.monotonic()
    data_dir: Path = args.data_dir.resolve()
    cluster = EmbeddedCluster(
        data_dir,
        Ports(args.pg_port, args.mongo_port, args.redis_port, args.typesense_port, args.s3_port, args.stripe_port),
    )
    try:
        cluster.start()
    except EmbeddedServerError as exc:
        print(f"learnhub dev: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    try:
        print(f"Local servers up in {cluster.started_in:.1f} s (data and logs in {data_dir}).", flush=True)
        overrides: dict[str, Any] = {k.lower(): v for k, v in cluster.env().items()}
        settings = Settings(**overrides, environment="development", host=args.host, port=args.port)
        migrate_all(settings)
        _seed(settings, None)
        _reindex(settings)
        _local_stripe_webhooks(settings)
        # A local server that dies is named and started again on its data (embedded/supervisor.py).
        supervisor = Supervisor(cluster, say=lambda line: print(line, file=sys.stderr, flush=True))
        _serve(settings, started=started, beside=supervisor.run)
    finally:
        cluster.stop()
        print("Stopped the gateway and every local server.", flush=True)


def _local_stripe_webhooks(settings: Settings) -> None:
    """Have the local Stripe server post its events to this gateway, signed with its secret."""
    from learnhub.embedded.stripe import configure_webhook

    assert settings.stripe_api_url is not None
    target = f"http://{settings.host}:{settings.port}/webhooks/stripe"
    configure_webhook(settings.stripe_api_url, target, settings.stripe_webhook_secret.get_secret_value())


def cmd_payments_reconcile(args: argparse.Namespace) -> None:
    from learnhub.payments.reconcile import reconcile

    report = _with_stores(Settings(), reconcile)
    for line in report.repaired:
        print(f"REPAIRED {line}")
    for line in report.unreachable:
        print(f"UNCHECKED {line}", file=sys.stderr)
    print(f"Checked {report.checked} payments and subscriptions; repaired {len(report.repaired)}.")
    if report.unreachable:
        raise SystemExit(1)


def cmd_analytics_detach(args: argparse.Namespace) -> None:
    from learnhub.analytics.partitions import detach_before

    try:
        before = date.fromisoformat(f"{args.before}-01")
    except ValueError:
        raise SystemExit(f"learnhub: --before takes a month as YYYY-MM, not {args.before!r}") from None
    detached = _with_stores(Settings(), lambda stores: detach_before(stores.engine, before))
    for name in detached:
        print(f"DETACHED {name}")
    print(f"Detached {len(detached)} monthly partitions before {args.before}.")


def cmd_analytics_forget_user(args: argparse.Namespace) -> None:
    from learnhub.analytics.privacy import forget_user

    try:
        user_id = uuid.UUID(args.user_id)
    except ValueError:
        raise SystemExit(f"learnhub: {args.user_id!r} is not a user id (a UUID)") from None
    changed = _with_stores(Settings(), lambda stores: forget_user(stores, user_id))
    print(f"Pseudonymised {changed} analytics events of user {user_id}.")


def cmd_serve(args: argparse.Namespace) -> None:
    _metrics_dir(args.workers)
    settings = Settings()
    _preflight(settings)
    _serve(settings, workers=args.workers)


def cmd_migrate(args: argparse.Namespace) -> None:
    from learnhub.migrations.migrate import migrate_all

    migrate_all(Settings())
    print("PostgreSQL, MongoDB indexes and the S3 bucket are up to date.")


def cmd_seed(args: argparse.Namespace) -> None:
    _seed(Settings(), args.scale)


def cmd_schema_export(args: argparse.Namespace) -> None:
    from learnhub.graphql.schema import build_schema

    text = str(build_schema()) + "\n"
    target: Path = args.output
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run `learnhub schema export`.", file=sys.stderr)
            raise SystemExit(1)
        return
    target.write_text(text)
    print(f"Wrote {target}.")


def cmd_worker(args: argparse.Namespace) -> None:
    """Drain the outbox until stopped (achievements, activity days, the user_stats view)."""
    from learnhub.datasources.stores import Stores
    from learnhub.worker import drain, run_forever

    settings = Settings()

    async def run() -> None:
        stores = await Stores.open(settings)
        try:
            await stores.check_reachable()
            await stores.bind_documents()
            if args.once:
                print(await drain(stores))
            else:
                await run_forever(stores, args.interval)
        finally:
            await stores.close()

    asyncio.run(run())


def cmd_documents_register(args: argparse.Namespace) -> None:
    """Register a client build's operations as trusted documents (validated against the schema)."""
    from learnhub.datasources.postgres.engine import make_engine
    from learnhub.datasources.postgres.trusted_documents import register
    from learnhub.graphql.execution.persisted import ManifestError, invalid_documents, read_manifest
    from learnhub.graphql.schema import build_schema

    try:
        documents = read_manifest(args.manifest)
    except ManifestError as exc:
        print(f"learnhub: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if problems := invalid_documents(build_schema()._schema, documents):
        print("learnhub: refusing operations that do not validate:\n  " + "\n  ".join(problems), file=sys.stderr)
        raise SystemExit(2)
    settings = Settings()

    async def run() -> int:
        engine = make_engine(settings)
        try:
            return await register(engine, args.client, documents)
        finally:
            await engine.dispose()

    added = asyncio.run(run())
    print(f"Registered {added} new of {len(documents)} operations for {args.client}.")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="learnhub", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="start local servers, migrate, seed demo data and serve with GraphiQL")
    dev.add_argument(
        "--data-dir", type=Path, default=DEV_DATA_DIR, help="server data and logs, kept between runs (%(default)s)"
    )
    dev.add_argument("--host", default="127.0.0.1", help="address the gateway listens on (%(default)s)")
    dev.add_argument("--port", type=int, default=8000, help="the gateway's port (%(default)s)")
    servers = (("pg", "PostgreSQL", 54329), ("mongo", "MongoDB", 27019), ("redis", "Redis", 63799),
               ("typesense", "Typesense", 8108), ("s3", "the S3 server", 9009))  # fmt: skip
    for name, server, default in servers:
        dev.add_argument(f"--{name}-port", type=int, default=default, help=f"port of {server} (%(default)s)")
    dev.set_defaults(func=cmd_dev)
    dev.add_argument("--stripe-port", type=int, default=12111, help="port of the local Stripe API (%(default)s)")

    serve = sub.add_parser("serve", help="serve against the stores named in the environment (production)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (%(default)s)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="upgrade PostgreSQL, MongoDB indexes and the S3 bucket").set_defaults(
        func=cmd_migrate
    )

    seed = sub.add_parser("seed", help="load demo content (and, with --scale N, a large generated dataset)")
    seed.add_argument("--scale", type=int, default=None, help="N x (1,000 users, 20 courses, 10,000 progress rows...)")
    seed.set_defaults(func=cmd_seed)

    schema = sub.add_parser("schema", help="schema tools")
    schema_sub = schema.add_subparsers(dest="schema_command", required=True)
    export = schema_sub.add_parser("export", help="write schema.graphql")
    export.add_argument("--output", type=Path, default=SCHEMA_FILE, help="where to write it (%(default)s)")
    export.add_argument("--check", action="store_true", help="fail if the file is out of date")
    export.set_defaults(func=cmd_schema_export)

    worker = sub.add_parser("worker", help="drain the outbox: achievements, streaks, user stats, search indexes")
    worker.add_argument("--once", action="store_true", help="drain what is due, then exit")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between drains")
    worker.set_defaults(func=cmd_worker)

    search = sub.add_parser("search", help="search indexes (Typesense collections, lesson chunks)")
    search_sub = search.add_subparsers(dest="search_command", required=True)
    search_sub.add_parser("reindex", help="rebuild every index from the stores, then swap (no downtime)").set_defaults(
        func=cmd_search_reindex
    )
    search_sub.add_parser("check", help="compare indexes with the stores; exit 1 on drift").set_defaults(
        func=cmd_search_check
    )

    payments = sub.add_parser("payments", help="payments and subscriptions")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    payments_sub.add_parser(
        "reconcile", help="compare payments and subscriptions with the provider; repair missed webhooks"
    ).set_defaults(func=cmd_payments_reconcile)

    analytics = sub.add_parser("analytics", help="learning analytics: partitions and privacy")
    analytics_sub = analytics.add_subparsers(dest="analytics_command", required=True)
    detach = analytics_sub.add_parser("detach", help="detach the monthly event partitions before a month")
    detach.add_argument("--before", required=True, help="YYYY-MM: months before this one are detached")
    detach.set_defaults(func=cmd_analytics_detach)
    forget = analytics_sub.add_parser(
        "forget-user", help="pseudonymise one learner's events (an erasure request); aggregates keep their counts"
    )
    forget.add_argument("user_id", help="the user's id (UUID)")
    forget.set_defaults(func=cmd_analytics_forget_user)

    documents = sub.add_parser("documents", help="trusted documents (PERSISTED_QUERIES=trusted)")
    documents_sub = documents.add_subparsers(dest="documents_command", required=True)
    register = documents_sub.add_parser("register", help="register a client build's persisted-query manifest")
    register.add_argument("manifest", type=Path, help="Apollo persisted-query manifest or {sha256: body} JSON")
    register.add_argument("--client", required=True, help="client name and version, e.g. web@2.3.1")
    register.set_defaults(func=cmd_documents_register)
    return root


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One line per store health probe is noise, not information.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except ValidationError as exc:
        # Bad settings are an operator's mistake: name each one, no traceback.
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        print(f"learnhub: invalid settings: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        # Ctrl-C is how `dev` and `serve` are meant to stop; cleanup already ran in `finally`.
        raise SystemExit(130) from None
