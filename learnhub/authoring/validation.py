"""Field checks for authoring inputs: each returns (field, message) pairs, empty when valid."""

from __future__ import annotations

import math
import re
from typing import Any

Problem = tuple[str, str]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_TAGS = 10
MAX_TAG = 64
MAX_OPTIONS = 10
MAX_BLOCKS = 200
LEVELS = ("beginner", "intermediate", "advanced")
BLOCK_KINDS = ("markdown", "code", "callout")
CHOICE_TYPES = ("single_choice", "multiple_choice", "ordering")


def slug(value: str, field: str = "slug") -> list[Problem]:
    if not SLUG.match(value):
        return [(field, "Use 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit")]
    return []


def title(value: str, field: str = "title", *, required: bool = True) -> list[Problem]:
    if required and not value.strip():
        return [(field, "Enter a title")]
    if len(value) > MAX_TITLE:
        return [(field, f"Use at most {MAX_TITLE} characters")]
    return []


def text(value: str, field: str) -> list[Problem]:
    return [(field, f"Use at most {MAX_TEXT:,} characters")] if len(value) > MAX_TEXT else []


def tags(values: list[str]) -> list[Problem]:
    if len(values) > MAX_TAGS:
        return [("tags", f"Use at most {MAX_TAGS} tags")]
    return [(f"tags[{i}]", f"Use 1 to {MAX_TAG} characters") for i, t in enumerate(values) if not 0 < len(t) <= MAX_TAG]


def blocks(values: list[dict[str, Any]]) -> list[Problem]:
    if len(values) > MAX_BLOCKS:
        return [("blocks", f"Use at most {MAX_BLOCKS} blocks")]
    problems = []
    for i, block in enumerate(values):
        if block.get("kind") not in BLOCK_KINDS:
            problems.append((f"blocks[{i}].kind", f"Use one of {', '.join(BLOCK_KINDS)}"))
        problems += text(str(block.get("text", "")), f"blocks[{i}].text")
    return problems


def _options(options: list[dict[str, str]]) -> list[Problem]:
    if not 2 <= len(options) <= MAX_OPTIONS:
        return [("options", f"Give 2 to {MAX_OPTIONS} options")]
    ids = [o["id"] for o in options]
    problems = [
        (f"options[{i}].text", "Enter the option's text") for i, o in enumerate(options) if not o["text"].strip()
    ]
    if len(set(ids)) != len(ids) or not all(ids):
        problems.append(("options", "Give every option a distinct, non-empty id"))
    return problems


def _answer(kind: str, answer: Any, option_ids: list[str]) -> list[Problem]:
    """The stored answer's shape per type (see `Question` in datasources/mongo/documents.py)."""
    ok: bool
    if kind == "single_choice":
        ok, message = answer in option_ids, "Give the id of the correct option"
    elif kind == "multiple_choice":
        ok = (
            isinstance(answer, list)
            and bool(answer)
            and set(answer) <= set(option_ids)
            and len(set(answer)) == len(answer)
        )
        message = "Give the ids of the correct options (at least one)"
    elif kind == "ordering":
        ok = isinstance(answer, list) and sorted(answer) == sorted(option_ids)
        message = "Give every option id once, in the correct order"
    elif kind == "true_false":
        ok, message = isinstance(answer, bool), "Give true or false"
    elif kind == "short_text":
        accepted = answer.get("accepted") if isinstance(answer, dict) else None
        ok = (
            isinstance(accepted, list)
            and bool(accepted)
            and all(isinstance(a, str) and a.strip() for a in accepted)
            and isinstance(answer.get("case_sensitive", False), bool)
        )
        message = 'Give {"accepted": ["..."], "case_sensitive": false}'
    else:  # numeric
        value = answer.get("value") if isinstance(answer, dict) else None
        tolerance = answer.get("tolerance", 0) if isinstance(answer, dict) else None
        ok = (
            all(isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in (value, tolerance))
            and float(tolerance or 0) >= 0
        )
        message = 'Give {"value": number, "tolerance": number >= 0}'
    return [] if ok else [("answer", message)]


def question(kind: str, prompt: str, points: float, options: list[dict[str, str]], answer: Any) -> list[Problem]:
    problems = []
    if not prompt.strip():
        problems.append(("prompt", "Enter the question"))
    problems += text(prompt, "prompt")
    if not (math.isfinite(points) and 0 < points <= 100):
        problems.append(("points", "Give 0 < points <= 100"))
    if kind in CHOICE_TYPES:
        problems += _options(options)
    elif options:
        problems.append(("options", f"{kind} questions take no options"))
    if not any(field == "options" for field, _ in problems):
        problems += _answer(kind, answer, [o["id"] for o in options])
    return problems
