"""Lesson text as the indexes need it: markdown for chunking, plain words for keyword search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"(^|\s)#{1,6}\s+|[*_`>|]+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z][a-z0-9]+(?:[-'][a-z0-9]+)*")


def lesson_markdown(blocks: Iterable[Mapping[str, Any]]) -> str:
    """One markdown text from a lesson's blocks; code blocks become fenced code."""
    parts = []
    for block in blocks:
        text = str(block.get("text", ""))
        if block.get("kind") == "code":
            parts.append(f"```{block.get('language') or ''}\n{text.rstrip()}\n```")
        else:
            parts.append(text)
    return "\n\n".join(part for part in parts if part.strip())


def plain_text(markdown: str) -> str:
    """The words of a markdown text: fences, heading marks, emphasis and link targets removed,
    code kept (students search for `@property` and `SELECT`)."""
    lines = [line for line in markdown.splitlines() if not _FENCE.match(line)]
    text = _LINK.sub(r"\1", "\n".join(lines))
    return _SPACE.sub(" ", _MARKS.sub(" ", text)).strip()


def words(text: str) -> set[str]:
    """Distinct lower-case words of 3 to 64 letters: the spelling vocabulary's entries."""
    return {w for w in _WORD.findall(text.lower()) if 3 <= len(w) <= 64}
