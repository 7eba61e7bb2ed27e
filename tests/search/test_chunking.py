"""Lesson chunking: headings carried as a path, code blocks whole, paragraphs packed up to the
bound, and the previous chunk's last paragraph repeated only when it is short, in the same
section and still fits."""

from __future__ import annotations

from learnhub.search.chunking import Chunk, chunk_markdown


def count(text: str) -> int:
    """Stands for the embedder's tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def para(word: str, n: int) -> str:
    """A paragraph of `n` tokens, each a numbered `word`, so every paragraph is recognisable."""
    return " ".join(f"{word}{i}" for i in range(n))


def fence(body: str) -> str:
    return f"```python\n{body}\n```"


def test_headings_nest_and_a_new_top_heading_resets_the_path() -> None:
    intro, setup, usage, other = para("intro", 3), para("setup", 3), para("usage", 3), para("other", 3)
    markdown = "\n\n".join(
        [intro, "# Install", setup, "## Usage", usage, "### Deep", para("deep", 3), "# Other", other]
    )
    chunks = chunk_markdown(markdown, count, max_tokens=100)
    assert [(c.heading_path, c.text) for c in chunks] == [
        ((), intro),
        (("Install",), setup),
        (("Install", "Usage"), usage),
        (("Install", "Usage", "Deep"), para("deep", 3)),
        (("Other",), other),
    ]


def test_a_sibling_heading_replaces_the_one_at_its_level() -> None:
    markdown = "\n\n".join(["# A", "## B", para("b", 2), "## C", para("c", 2), "# D", "### E", para("e", 2)])
    paths = [c.heading_path for c in chunk_markdown(markdown, count, max_tokens=100)]
    assert paths == [("A", "B"), ("A", "C"), ("D", "E")]


def test_a_code_block_longer_than_the_bound_is_one_chunk_of_its_own() -> None:
    code = fence("\n".join(para("line", 10) for _ in range(3)) + "\n\n" + para("after_blank", 10))
    before, after = para("before", 4), para("after", 4)
    chunks = chunk_markdown("\n\n".join([before, code, after]), count, max_tokens=20, overlap_tokens=10)
    assert count(code) > 20
    assert [c.text for c in chunks] == [before, code, after]
    assert chunks[1].token_count == count(code)


def test_a_long_code_block_stays_alone_even_after_a_short_paragraph_that_could_overlap() -> None:
    first, second = para("first", 3), para("second", 3)
    code = fence(para("code", 30))
    chunks = chunk_markdown("\n\n".join([first, second, code]), count, max_tokens=20, overlap_tokens=10)
    assert [c.text for c in chunks] == ["\n\n".join([first, second]), code]


def test_a_heading_inside_a_code_block_is_code_not_a_heading() -> None:
    code = fence("# not a heading\nx = 1")
    chunks = chunk_markdown("\n\n".join(["# Real", code]), count, max_tokens=100)
    assert [(c.heading_path, c.text) for c in chunks] == [(("Real",), code)]


def test_an_unclosed_fence_keeps_its_text() -> None:
    intro = para("intro", 2)
    tail = "```\nprint(1)\n\n# still code\nprint(2)"
    chunks = chunk_markdown(intro + "\n\n" + tail, count, max_tokens=100)
    assert "\n\n".join(c.text for c in chunks) == intro + "\n\n" + tail
    assert all(c.heading_path == () for c in chunks)


def test_paragraphs_are_packed_up_to_the_bound_and_no_further() -> None:
    paragraphs = [para(f"p{i}_", 4) for i in range(5)]
    chunks = chunk_markdown("\n\n".join(paragraphs), count, max_tokens=8, overlap_tokens=0)
    assert [c.text for c in chunks] == [
        "\n\n".join(paragraphs[0:2]),
        "\n\n".join(paragraphs[2:4]),
        paragraphs[4],
    ]
    assert all(c.token_count <= 8 for c in chunks)


def test_a_paragraph_longer_than_the_bound_is_not_split() -> None:
    long = para("long", 30)
    chunks = chunk_markdown(long, count, max_tokens=10)
    assert [c.text for c in chunks] == [long]


def test_the_overlap_repeats_a_short_last_paragraph_of_a_multi_piece_chunk() -> None:
    a, b, c = para("a", 5), para("b", 3), para("c", 5)
    chunks = chunk_markdown("\n\n".join([a, b, c]), count, max_tokens=10, overlap_tokens=3)
    assert [ch.text for ch in chunks] == ["\n\n".join([a, b]), "\n\n".join([b, c])]


def test_no_overlap_when_the_last_paragraph_is_longer_than_the_overlap_bound() -> None:
    a, b, c = para("a", 5), para("b", 4), para("c", 5)
    chunks = chunk_markdown("\n\n".join([a, b, c]), count, max_tokens=10, overlap_tokens=3)
    assert [ch.text for ch in chunks] == ["\n\n".join([a, b]), c]


def test_no_overlap_across_a_heading() -> None:
    a, b, c = para("a", 5), para("b", 2), para("c", 5)
    markdown = "\n\n".join(["# One", a, b, "# Two", c])
    chunks = chunk_markdown(markdown, count, max_tokens=100, overlap_tokens=10)
    assert [(ch.heading_path, ch.text) for ch in chunks] == [(("One",), "\n\n".join([a, b])), (("Two",), c)]


def test_no_overlap_when_the_previous_chunk_was_a_single_paragraph() -> None:
    a, b = para("a", 3), para("b", 9)
    chunks = chunk_markdown("\n\n".join([a, b]), count, max_tokens=10, overlap_tokens=5)
    assert [ch.text for ch in chunks] == [a, b]


def test_the_overlap_never_pushes_a_chunk_past_the_bound() -> None:
    a, b, c = para("a", 4), para("b", 4), para("c", 8)
    chunks = chunk_markdown("\n\n".join([a, b, c]), count, max_tokens=10, overlap_tokens=5)
    assert [ch.text for ch in chunks] == ["\n\n".join([a, b]), c]
    assert all(ch.token_count <= 10 for ch in chunks)


def test_positions_run_from_zero_and_token_counts_are_the_sum_of_the_count_function() -> None:
    paragraphs = [para(f"p{i}_", 3 + i % 4) for i in range(12)]
    markdown = "# Top\n\n" + "\n\n".join(paragraphs[:6]) + "\n\n## Sub\n\n" + "\n\n".join(paragraphs[6:])
    chunks = chunk_markdown(markdown, count, max_tokens=12, overlap_tokens=4)
    assert len(chunks) > 2
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.token_count == sum(count(piece) for piece in chunk.text.split("\n\n"))


def test_token_count_uses_the_given_count_function() -> None:
    text = para("w", 6)
    [by_words] = chunk_markdown(text, count)
    [by_chars] = chunk_markdown(text, len)
    assert (by_words.token_count, by_chars.token_count) == (count(text), len(text))


def test_empty_or_blank_markdown_has_no_chunks() -> None:
    assert chunk_markdown("", count) == []
    assert chunk_markdown("\n\n   \n# Heading only\n", count) == []


def test_embedded_text_starts_with_the_title_and_heading_path() -> None:
    chunk = Chunk(position=0, heading_path=("Install", "Usage"), text="body text", token_count=2)
    assert chunk.embedded_text("Lesson") == "Lesson > Install > Usage\nbody text"
    assert chunk.embedded_text("") == "Install > Usage\nbody text"
    bare = Chunk(position=0, heading_path=(), text="body text", token_count=2)
    assert bare.embedded_text("Lesson") == "Lesson\nbody text"
    assert bare.embedded_text("") == "body text"
