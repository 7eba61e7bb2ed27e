"""Search: keyword (Typesense), semantic (pgvector lesson chunks) and their fusion."""
