"""schema.graphql at the repository root is what `learnhub schema export` writes."""

from __future__ import annotations

from pathlib import Path

from learnhub.graphql.schema import build_schema


def test_schema_file_is_up_to_date() -> None:
    on_disk = (Path(__file__).parents[2] / "schema.graphql").read_text()
    assert on_disk == str(build_schema()) + "\n", "schema.graphql is stale: run `learnhub schema export`"
