"""How an operation runs: limits, persisted queries, document cache, input guard, plain fields,
error shaping, field policy."""
