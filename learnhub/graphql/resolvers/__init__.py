"""Query and mutation logic, one module per domain; the schema's fields call into these."""
