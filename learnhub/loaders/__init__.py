"""Per-request DataLoaders: one per cross-record edge, each one batched query per tick."""
