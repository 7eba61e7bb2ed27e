"""Strawberry types, one module per domain; `root` assembles the schema."""
