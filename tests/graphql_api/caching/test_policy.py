"""Where an answer may be cached, decided from the operation before it runs; and the HTTP
caching headers that follow from that."""

from __future__ import annotations

from typing import Any

import pytest

from graphql_api.caching.policy import Scope, cache_control, etag, matches, plan, vary
from graphql_api.engine.documents import ParsedDocuments

SEED = "code-llama-4-vs-mistral-code"


DOCUMENTS = ParsedDocuments(16 * 1024 * 1024, max_tokens=2000)


def scope_of(query: str, name: str | None = None, variables: dict[str, Any] | None = None) -> Scope:
    return plan(query, name, variables, documents=DOCUMENTS, max_page_size=100).scope


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f'{{ comparison(slug: "{SEED}") {{ title }} }}', Scope.CONTENT),
        (f'{{ comparison(slug: "{SEED}") {{ voteCount }} }}', Scope.PUBLIC),
        (f'{{ comparison(slug: "{SEED}") {{ sides {{ voteShare }} }} }}', Scope.PUBLIC),
        ("{ comparisons(orderBy: MOST_VOTED) { nodes { slug } } }", Scope.PUBLIC),
        (f'{{ comparison(slug: "{SEED}") {{ title myVote }} }}', Scope.PRIVATE),
        ("{ syncIssues { nodes { reason } } }", Scope.PUBLIC),
        ('mutation { retractVote(input: {comparisonSlug: "x"}) { __typename } }', Scope.NO_STORE),
        ("{ comparison(slug: ", Scope.NO_STORE),  # does not parse: it will fail
    ],
)
def test_the_scope_follows_what_the_operation_reads(query: str, expected: Scope) -> None:
    assert scope_of(query) is expected


def test_the_named_operation_decides_and_an_ambiguous_document_is_not_stored() -> None:
    two = (
        'query A { tool(slug: "x") { name } } '
        f'query B {{ comparison(slug: "{SEED}") {{ myVote }} }}'
    )
    assert scope_of(two, "A") is Scope.CONTENT
    assert scope_of(two, "B") is Scope.PRIVATE
    assert scope_of(two) is Scope.NO_STORE
    assert scope_of(two, "C") is Scope.NO_STORE
    assert plan(two, "B", None, documents=DOCUMENTS, max_page_size=100).operation_name == "B"


def test_an_order_by_votes_in_the_variables_counts_as_live() -> None:
    query = "query L($o: ComparisonOrder) { comparisons(orderBy: $o) { nodes { slug } } }"
    assert scope_of(query, variables={"o": "TITLE"}) is Scope.CONTENT
    assert scope_of(query, variables={"o": "MOST_VOTED"}) is Scope.PUBLIC


def test_headers_for_each_scope() -> None:
    assert cache_control(Scope.CONTENT, 60) == "public, max-age=60"
    assert cache_control(Scope.CONTENT, 0) == "public, no-cache"
    assert cache_control(Scope.PUBLIC, 60) == "public, no-cache"
    assert cache_control(Scope.PRIVATE, 60) == "private, no-cache"
    assert cache_control(Scope.NO_STORE, 60) == "no-store"
    assert vary(Scope.PRIVATE) == "Accept, Authorization, Cookie, X-Verdict-Voter"
    assert vary(Scope.PUBLIC) == "Accept"


def test_etags_follow_the_exact_body_and_match_as_http_says() -> None:
    tag = etag(b'{"data":1}')
    assert tag == etag(b'{"data":1}') != etag(b'{"data":2}')
    assert tag[0] == tag[-1] == '"'
    assert matches(tag, tag)
    assert matches(f'"other", W/{tag}', tag)
    assert matches("*", tag)
    assert not matches('"other"', tag)
