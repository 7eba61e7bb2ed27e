"""Traces, metrics and structured logs for operators.

Nothing here knows GraphQL: the HTTP edge and the datasources hand it plain strings and numbers.
Everything is off or cheap unless configured: without `OTEL_*` exporter variables no tracer
provider exists and a request pays a few attribute reads; Prometheus counters cost about a
microsecond each (bench/overhead.py measures both on the dashboard and hot shapes).
"""
