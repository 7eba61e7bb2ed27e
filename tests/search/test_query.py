"""The pure parts of a search: the keyword query text, the viewer's visibility tokens, the
Typesense filter, snippet highlighting, and the fusion of keyword and semantic hits."""

from __future__ import annotations

import math
import uuid

import pytest

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.search.collections import Kind
from learnhub.search.documents import PUBLIC, owner_token
from learnhub.search.query import STOP_WORDS, Hit, SearchQuery, _filter, _fuse, keyword_text, marked, visible_tokens

START, END = "\ue000", "\ue001"  # the highlight marks the keyword search asks Typesense for


def parts(where: str) -> set[str]:
    return set(where.split(" && ")) if where else set()


def test_keyword_text_drops_stop_words() -> None:
    text = "How do I make my API return errors properly"
    kept = keyword_text(text)
    assert kept == "make api return errors properly"
    assert not set(kept.split()) & STOP_WORDS


def test_keyword_text_keeps_stop_words_when_nothing_else_is_left() -> None:
    assert keyword_text("What is it") == "what is it"


def test_keyword_text_keeps_symbols_that_belong_to_a_word() -> None:
    assert keyword_text("C# and C++ in node.js") == "c# c++ node.js"
    assert keyword_text("   ") == ""


def test_an_admin_sees_everything_so_there_are_no_tokens() -> None:
    assert visible_tokens(CourseScope(everything=True)) is None
    assert visible_tokens(CourseScope(everything=True, owner_id=uuid.uuid4())) is None


def test_an_instructor_sees_public_records_and_their_own() -> None:
    owner = uuid.uuid4()
    assert visible_tokens(CourseScope(owner_id=owner)) == [PUBLIC, owner_token(owner)]
    assert owner_token(owner) == f"user:{owner}"


def test_anyone_else_sees_public_records_only() -> None:
    assert visible_tokens(CourseScope()) == [PUBLIC]


def test_the_filter_restricts_to_the_visible_tokens() -> None:
    owner = uuid.uuid4()
    where = _filter("lesson", SearchQuery("q"), [PUBLIC, owner_token(owner)])
    assert where == f"visible_to:=[`{PUBLIC}`,`user:{owner}`]"


def test_an_admin_with_no_other_filter_gets_no_filter() -> None:
    assert _filter("course", SearchQuery("q"), None) == ""


@pytest.mark.parametrize(
    ("kind", "course_field"), [("course", "course_id"), ("lesson", "course_id"), ("question", "course_ids")]
)
def test_the_course_filters_use_course_ids_for_questions_and_course_id_otherwise(kind: Kind, course_field: str) -> None:
    query = SearchQuery("q", course_id="c1", within_courses=("c1", "c2"))
    assert parts(_filter(kind, query, None)) == {f"{course_field}:=`c1`", f"{course_field}:=[`c1`,`c2`]"}


def test_tags_and_level_filter_every_kind_alongside_visibility() -> None:
    query = SearchQuery("q", tags=("sql", "api"), level="advanced")
    for kind in ("course", "lesson", "question"):
        assert parts(_filter(kind, query, [PUBLIC])) == {
            f"visible_to:=[`{PUBLIC}`]",
            "tags:=[`sql`,`api`]",
            "level:=`advanced`",
        }


def test_enrolled_in_no_course_filters_to_an_empty_list() -> None:
    assert _filter("lesson", SearchQuery("q", within_courses=()), None) == "course_id:=[]"


def test_values_are_backtick_quoted_and_cannot_break_out_of_the_quotes() -> None:
    hostile = "x` || visible_to:=[`anything"
    query = SearchQuery("q", course_id=hostile, tags=("a,b && c",), level="lvl`")
    where = _filter("course", query, None)
    assert where == "course_id:=`x || visible_to:=[anything` && tags:=[`a,b && c`] && level:=`lvl`"


def test_marked_escapes_html_and_turns_the_highlight_marks_into_mark_tags() -> None:
    snippet = f"use <script>alert(1)</script> & {START}joins{END} here"
    assert marked(snippet) == "use &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>joins</mark> here"


def test_marked_escapes_literal_mark_tags_in_the_content() -> None:
    snippet = f"the <mark>tag</mark> and {START}mark{END}"
    result = marked(snippet)
    assert result == "the &lt;mark&gt;tag&lt;/mark&gt; and <mark>mark</mark>"
    assert result.count("<mark>") == 1


def test_marked_keeps_quotes_as_they_are() -> None:
    assert marked('it\'s "quoted"') == 'it\'s "quoted"'


def keyword_hit(content_id: str, rank: int) -> Hit:
    return Hit(
        kind="lesson",
        content_id=content_id,
        course_id=f"course-of-{content_id}",
        title=f"Title {content_id}",
        snippets={"body": f"keyword <mark>{content_id}</mark>"},
        preview=True,
        score=1000.0 - rank,
        keyword_rank=rank,
    )


def semantic_hit(content_id: str, rank: int) -> Hit:
    return Hit(
        kind="lesson",
        content_id=content_id,
        course_id=f"course-of-{content_id}",
        snippets={"body": f"chunk of {content_id}"},
        score=0.9 - rank / 100,
        semantic_rank=rank,
    )


def _fusion(k: int, wk: float, ws: float, depth: int = 100) -> Settings:
    return Settings(search_rrf_k=k, search_keyword_weight=wk, search_semantic_weight=ws, search_rrf_depth=depth)


def test_a_hit_found_by_both_sides_keeps_the_keyword_fields_and_gains_the_semantic_rank() -> None:
    k, wk, ws = 60, 1.0, 1.0
    keyword = [keyword_hit("a", 1), keyword_hit("both", 2)]
    semantic = [semantic_hit("both", 1), semantic_hit("c", 2)]
    fused = _fuse(keyword, semantic, _fusion(k, wk, ws))
    by_id = {h.content_id: h for h in fused}
    assert len(fused) == 3
    both = by_id["both"]
    assert both is keyword[1]
    assert (both.title, both.preview, both.keyword_rank, both.semantic_rank) == ("Title both", True, 2, 1)
    assert both.snippets == {"body": "keyword <mark>both</mark>", "chunk": "chunk of both"}
    assert math.isclose(both.score, wk / (k + 2) + ws / (k + 1))
    assert by_id["a"].semantic_rank is None
    assert by_id["c"].keyword_rank is None
    assert math.isclose(by_id["c"].score, ws / (k + 2))


@pytest.mark.parametrize(("wk", "ws"), [(1.0, 1.0), (3.0, 1.0), (1.0, 3.0)])
def test_fused_hits_are_ordered_by_their_fused_scores(wk: float, ws: float) -> None:
    k = 5
    keyword_ids, semantic_ids = ["k1", "shared", "k3"], ["s1", "s2", "shared"]
    keyword = [keyword_hit(c, r) for r, c in enumerate(keyword_ids, start=1)]
    semantic = [semantic_hit(c, r) for r, c in enumerate(semantic_ids, start=1)]
    expected: dict[str, float] = {}
    for weight, ids in ((wk, keyword_ids), (ws, semantic_ids)):
        for rank, content_id in enumerate(ids, start=1):
            expected[content_id] = expected.get(content_id, 0.0) + weight / (k + rank)
    fused = _fuse(keyword, semantic, _fusion(k, wk, ws))
    assert [h.content_id for h in fused] == sorted(expected, key=lambda c: (-expected[c], c))
    for hit in fused:
        assert math.isclose(hit.score, expected[hit.content_id])


def test_the_weights_decide_which_side_leads() -> None:
    def first(wk: float, ws: float) -> str:
        return _fuse([keyword_hit("kw", 1)], [semantic_hit("sem", 1)], _fusion(60, wk, ws))[0].content_id

    assert first(2.0, 1.0) == "kw"
    assert first(1.0, 2.0) == "sem"
    assert first(1.0, 1.0) == "kw"  # a tie falls back to content id order


def test_sentence_punctuation_does_not_hide_a_stop_word() -> None:
    assert keyword_text("How do I fix it.") == "fix"
    assert keyword_text("node.js and c++?") == "node.js c++"


def test_past_the_fusion_depth_hits_score_nothing_and_follow_by_their_best_rank() -> None:
    keyword = [keyword_hit(f"k{r}", r) for r in range(1, 5)]
    semantic = [semantic_hit(f"s{r}", r) for r in range(1, 5)]
    fused = _fuse(keyword, semantic, _fusion(60, 1.0, 1.0, depth=2))
    assert [h.content_id for h in fused] == ["k1", "s1", "k2", "s2", "k3", "s3", "k4", "s4"]
    assert [h.score for h in fused[4:]] == [0.0] * 4
