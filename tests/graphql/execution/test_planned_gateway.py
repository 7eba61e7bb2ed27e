"""The gateway's own operations run from plans, and graphql-core agrees with every answer.

The suite's gateway runs with `plan_check` (tests/conftest.py): each planned query is executed by
graphql-core as well and any difference fails the test that sent it. Here, the benchmark's read
shapes as each kind of viewer sends them, and a check that the plans are really taken.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from learnhub.graphql.execution.compiled import PLAN_CHECKS
from learnhub.seed.catalog import DEMO_ADMIN, DEMO_INSTRUCTOR, DEMO_STUDENT
from tests.support.accounts import login
from tests.support.client import answer, post_graphql

QUERIES = Path(__file__).parents[3] / "bench" / "queries"
READ_SHAPES = ("dashboard", "catalog", "question_list", "hot", "search")
VARIABLES = {"hot": {"contentId": "course:rest-api-design"}, "search": {"q": "rest api design"}}


@pytest.mark.parametrize("viewer", [None, DEMO_STUDENT, DEMO_INSTRUCTOR, DEMO_ADMIN])
@pytest.mark.parametrize("shape", READ_SHAPES)
async def test_benchmark_shapes_run_from_plans(
    http: httpx.AsyncClient, shape: str, viewer: dict[str, str] | None
) -> None:
    token = (await login(http, viewer["email"], viewer["password"]))["accessToken"] if viewer else None
    before = PLAN_CHECKS.checked
    query = (QUERIES / f"{shape}.graphql").read_text()
    executed = 0
    for _ in range(2):  # the second time from the cached document and its plan
        body = answer(await post_graphql(http, query, VARIABLES.get(shape), token=token), expect_errors=True)
        assert body["data"] is not None
        # An anonymous catalogue read may come from the public-read cache, which executes nothing.
        executed += body.get("extensions", {}).get("cache") != "HIT"
    # Each execution was planned, and graphql-core gave the same answer (tests/conftest.py fails otherwise).
    assert executed >= 1
    assert PLAN_CHECKS.checked == before + executed
