"""Small SQL building helpers shared by the query modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from learnhub.datasources.postgres.engine import reads


def text_array(name: str, values: Sequence[str]) -> BindParameter[Any]:
    return bindparam(name, list(values), type_=ARRAY(String()))


def in_texts(column: ColumnElement[Any], name: str, values: Sequence[str]) -> ColumnElement[bool]:
    """`column = ANY($n)`: one statement text (and one prepared statement) for any batch size."""
    return column == any_(text_array(name, values))


async def fetch_all(engine: AsyncEngine, stmt: Executable) -> Sequence[RowMapping]:
    async with reads(engine).connect() as conn:
        return (await conn.execute(stmt)).mappings().all()


async def fetch_one(engine: AsyncEngine, stmt: Executable) -> RowMapping | None:
    async with reads(engine).connect() as conn:
        return (await conn.execute(stmt)).mappings().first()


async def fetch_value(engine: AsyncEngine, stmt: Executable) -> Any:
    async with reads(engine).connect() as conn:
        return (await conn.execute(stmt)).scalar()
