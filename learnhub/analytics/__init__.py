"""Learning analytics: events recorded in batches, rolled up per day by the worker, read from the
rollups (never from raw events on the request path)."""
