"""Markdown-aware chunking of lesson text for embedding.

A chunk is a run of paragraphs under one heading path, at most `max_tokens` long. Headings
are carried into every chunk (the text embedded starts with "Lesson > Section > Subsection"),
a fenced code block is never split (one longer than the bound is a chunk of its own), and each
chunk repeats the previous chunk's last paragraph when that paragraph is at most
`overlap_tokens` long (and the chunk still fits), so a thought cut at a boundary is still whole
on one side.

Sizes: with WordLlama, which averages token vectors, a chunk of ~120 tokens kept recall@5 on
bench/search_queries.py at its best; 400-token chunks diluted short answers (docs/search.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_TOKENS = 120
OVERLAP_TOKENS = 40
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Chunk:
    position: int
    heading_path: tuple[str, ...]
    text: str  # the paragraphs, without the heading path
    token_count: int

    def embedded_text(self, title: str) -> str:
        """What the model embeds: the lesson title and headings, then the text."""
        path = " > ".join((title, *self.heading_path)) if title else " > ".join(self.heading_path)
        return f"{path}\n{self.text}" if path else self.text


@dataclass(frozen=True)
class _Piece:
    path: tuple[str, ...]
    text: str
    tokens: int


def _pieces(markdown: str, count: Callable[[str], int]) -> list[_Piece]:
    """Paragraphs and whole code blocks, each with the heading path above it."""
    pieces: list[_Piece] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []
    in_code = False

    def flush() -> None:
        text = "\n".join(buffer).strip()
        buffer.clear()
        if text:
            pieces.append(_Piece(tuple(title for _, title in path), text, count(text)))

    for line in markdown.splitlines():
        if _FENCE.match(line):
            if not in_code:
                flush()
            buffer.append(line)
            in_code = not in_code
            if not in_code:
                flush()
            continue
        if in_code:
            buffer.append(line)
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, heading.group(2))]
        elif not line.strip():
            flush()
        else:
            buffer.append(line)
    flush()  # an unclosed fence keeps its text as one piece
    return pieces


def chunk_markdown(
    markdown: str,
    count: Callable[[str], int],
    *,
    max_tokens: int = MAX_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[_Piece] = []

    def emit() -> None:
        if current:
            text = "\n\n".join(p.text for p in current)
            chunks.append(Chunk(len(chunks), current[0].path, text, sum(p.tokens for p in current)))

    for piece in _pieces(markdown, count):
        size = sum(p.tokens for p in current)
        if current and (piece.path != current[0].path or size + piece.tokens > max_tokens):
            emit()
            last = current[-1]
            # Overlap only within one section: a new heading starts a new thought. And only when
            # the repeat still fits: a chunk stays within max_tokens, and a code block longer than
            # the bound stays a chunk of its own.
            carry = (
                last.path == piece.path
                and last.tokens <= overlap_tokens
                and len(current) > 1
                and last.tokens + piece.tokens <= max_tokens
            )
            current = [last] if carry else []
        current.append(piece)
    emit()
    return chunks
