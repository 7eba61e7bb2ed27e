"""Alembic environment and versions (shipped inside the package so a wheel can migrate)."""
