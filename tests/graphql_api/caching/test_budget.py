"""Every cache is bounded by bytes: a stream of distinct large queries cannot grow it past its
budget, however many entries its count cap would allow."""

from __future__ import annotations

import asyncio

from graphql import build_schema, specified_rules

from graphql_api.caching.budget import ByteLRU
from graphql_api.caching.response_cache import MemoryEntries
from graphql_api.engine.documents import ParsedDocuments
from graphql_api.engine.validation import DocumentValidations
from graphql_api.limits.analysis import AnalysisCache
from graphql_api.persisted.store import MemoryDocuments

MB = 1024 * 1024


def _query(n: int, size: int = 50_000) -> str:
    return f'{{ a{n}: f(s: "{"x" * size}") }}'


def test_byte_lru_keeps_the_most_recent_within_budget() -> None:
    cache: ByteLRU[int, bytes] = ByteLRU(10_000)
    for n in range(100):
        cache.put(n, b"x" * 1000, 1000)
        assert cache.bytes <= 10_000
    assert cache.get(99) is not None
    assert cache.get(0) is None
    cache.put(-1, b"", 20_000)  # larger than the whole budget: not kept
    assert cache.get(-1) is None


def test_parsed_documents_stay_within_budget() -> None:
    documents = ParsedDocuments(2 * MB, max_tokens=100)
    for n in range(200):
        documents.parse(_query(n, 5_000))
        assert documents.bytes <= 2 * MB


def test_validation_results_stay_within_budget() -> None:
    schema = build_schema("type Query { f(s: String): String }")
    validations = DocumentValidations(2 * MB)
    documents = ParsedDocuments(64 * MB, max_tokens=100)
    for n in range(200):
        query = _query(n, 5_000)
        document = documents.parse(query)
        assert validations.validate(schema, document, tuple(specified_rules)) == []
        validations.remember_clean(query, document)
        assert validations.held_bytes <= 2 * 2 * MB  # the results and the clean texts


def test_analyses_stay_within_budget() -> None:
    analyses = AnalysisCache(max_bytes=1 * MB)
    documents = ParsedDocuments(64 * MB, max_tokens=100)
    for n in range(200):
        query = _query(n)
        analyses.analyse(query, documents.parse(query), None, None, max_page_size=100)
        assert analyses.held_bytes <= 1 * MB


def test_persisted_queries_and_responses_stay_within_budget() -> None:
    async def fill() -> None:
        documents = MemoryDocuments(5000, 1 * MB)
        responses = MemoryEntries(5000, 60, 1 * MB)
        for n in range(200):
            await documents.put(f"{n:064x}", _query(n))
            await responses.put(f"key{n}", b"x" * 50_000)
            assert documents.bytes <= 1 * MB
            assert responses.held_bytes <= 1 * MB
        assert await documents.get(f"{199:064x}") is not None

    asyncio.run(fill())
