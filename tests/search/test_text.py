"""Lesson text for the indexes: blocks joined as markdown, markdown reduced to its words, and the
distinct words the spelling vocabulary keeps."""

from __future__ import annotations

from learnhub.search.text import lesson_markdown, plain_text, words


def test_lesson_markdown_joins_blocks_and_fences_code_with_its_language() -> None:
    intro, code, outro = "# Decorators\n\nWrap a function.", "@property\ndef name(self): ...\n\n", "That is all."
    blocks = [
        {"kind": "text", "text": intro},
        {"kind": "code", "language": "python", "text": code},
        {"kind": "text", "text": outro},
    ]
    assert lesson_markdown(blocks) == f"{intro}\n\n```python\n{code.rstrip()}\n```\n\n{outro}"


def test_lesson_markdown_fences_code_without_a_language_and_skips_empty_blocks() -> None:
    blocks = [
        {"kind": "text", "text": "  \n"},
        {"kind": "code", "text": "SELECT 1;"},
        {"kind": "code", "language": None, "text": "SELECT 2;"},
        {"kind": "text"},
    ]
    assert lesson_markdown(blocks) == "```\nSELECT 1;\n```\n\n```\nSELECT 2;\n```"
    assert lesson_markdown([]) == ""


def test_plain_text_removes_fences_heading_marks_and_emphasis() -> None:
    markdown = "# Title\n\nSome **bold** and *italic* and `code` here\n\n## Part two\n\n> quoted\n\n| a | b |"
    text = plain_text(markdown)
    for mark in ("#", "*", "`", ">", "|"):
        assert mark not in text
    assert text.split() == [
        "Title",
        "Some",
        "bold",
        "and",
        "italic",
        "and",
        "code",
        "here",
        "Part",
        "two",
        "quoted",
        "a",
        "b",
    ]


def test_plain_text_keeps_link_and_image_text_but_not_their_targets() -> None:
    text = plain_text("See [the docs](https://example.org/docs) and ![a diagram](img/d.png).")
    assert text == "See the docs and a diagram."
    assert "example.org" not in text
    assert "img/d.png" not in text


def test_plain_text_keeps_code_inside_fences() -> None:
    markdown = lesson_markdown([{"kind": "code", "language": "sql", "text": "SELECT @property FROM t;"}])
    assert plain_text(markdown) == "SELECT @property FROM t;"


def test_plain_text_keeps_a_hash_that_is_not_a_heading_mark() -> None:
    assert plain_text("C# and #hashtag") == "C# and #hashtag"


def test_plain_text_collapses_whitespace() -> None:
    assert plain_text("  one\n\n\n two\t three  ") == "one two three"


def test_words_are_distinct_lower_case_and_three_to_sixty_four_letters() -> None:
    longest, too_long = "a" * 64, "b" * 65
    found = words(f"The THE the ab x SELECT don't {longest} {too_long} snake-case 42")
    assert found == {"the", "select", "don't", longest, "snake-case"}


def test_words_split_on_punctuation() -> None:
    assert words("errors, exceptions; (retries)") == {"errors", "exceptions", "retries"}
