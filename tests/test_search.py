"""The Hamming search returns exactly what brute force returns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.match.search import HammingIndex, brute_force


def _pairs(result: tuple[np.ndarray, np.ndarray, np.ndarray]) -> set[tuple[int, int, int]]:
    return set(zip(*(column.tolist() for column in result), strict=True))


def _near(codes: np.ndarray, rng: np.random.Generator, flips: int) -> np.ndarray:
    """Codes that differ from the given ones in `flips` random bits."""
    out = codes.copy()
    for i in range(out.size):
        for bit in rng.choice(64, size=flips, replace=False):
            out[i] ^= np.uint64(1) << np.uint64(int(bit))
    return out


@pytest.mark.parametrize("radius", [0, 3, 6, 8, 11])
def test_multi_index_search_equals_brute_force(radius: int) -> None:
    """With the bucket tables in use, every pair within the radius is found, and no other."""
    rng = np.random.default_rng(radius)
    codes = rng.integers(0, 2**64, 20_000, dtype=np.uint64)
    queries = np.concatenate(
        [
            *(_near(codes[k * 40 : k * 40 + 40], rng, flips) for k, flips in enumerate(range(13))),
            rng.integers(0, 2**64, 200, dtype=np.uint64),
        ]
    )
    index = HammingIndex(codes, brute_force_below=0)
    found = _pairs(index.search(queries, radius))
    assert found == _pairs(brute_force(codes, queries, radius))
    assert len(found) >= 40 * min(radius + 1, 13)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=40),
    st.lists(st.integers(0, 2**64 - 1), max_size=10),
    st.integers(0, 64),
    st.integers(3, 8),
)
def test_search_matches_brute_force_for_any_codes(
    codes: list[int], queries: list[int], radius: int, chunks: int
) -> None:
    """Any codes, queries, radius and chunking: the same answer as comparing every pair."""
    stored = np.array(codes, dtype=np.uint64)
    asked = np.array(queries, dtype=np.uint64)
    index = HammingIndex(stored, chunks=chunks, brute_force_below=0)
    assert _pairs(index.search(asked, radius)) == _pairs(brute_force(stored, asked, radius))


def test_empty_index_finds_nothing() -> None:
    """An empty haystack answers every query with no pairs."""
    index = HammingIndex(np.zeros(0, dtype=np.uint64), brute_force_below=0)
    q, e, d = index.search(np.array([1, 2, 3], dtype=np.uint64), 10)
    assert q.size == e.size == d.size == 0
