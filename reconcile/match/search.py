"""Finding every stored 64-bit hash within a Hamming radius of a query, without a full scan.

Multi-index hashing (Norouzi et al.): split each hash into `m` chunks; by pigeonhole, two hashes
within distance r agree to within r // m bits on at least one chunk. Each chunk is a bucket table
(counting sort, so a probe is two array reads), every probe is vectorised in numpy, and the
candidates are checked against the full hash, so the answer is exactly brute force's.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import numpy as np

_BRUTE_FORCE_PAIRS = 4_000_000  # below this many (query, entry) pairs a full scan is faster
_QUERY_BATCH = 2048


class HammingIndex:
    """Stored hashes (uint64) searchable by Hamming radius."""

    def __init__(
        self, codes: np.ndarray, *, chunks: int = 3, brute_force_below: int = _BRUTE_FORCE_PAIRS
    ) -> None:
        if not 3 <= chunks <= 16:
            raise ValueError(
                "chunks must be 3 to 16 (a bucket table per chunk of 64 / chunks bits)"
            )
        self.codes = np.ascontiguousarray(codes, dtype=np.uint64)
        self.chunks = chunks
        self._brute_force_below = brute_force_below
        self._tables: list[tuple[int, int, np.ndarray, np.ndarray]] | None = None

    def __len__(self) -> int:
        return int(self.codes.size)

    def search(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (query index, entry index, distance) with distance <= radius, sorted by query."""
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        parts = [
            self._search_batch(queries[start : start + _QUERY_BATCH], radius, start)
            for start in range(0, queries.size, _QUERY_BATCH)
        ]
        if not parts:
            return _empty()
        q, e, d = (np.concatenate(column) for column in zip(*parts, strict=True))
        return q, e, d

    def _search_batch(
        self, queries: np.ndarray, radius: int, offset: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if queries.size * self.codes.size < self._brute_force_below or radius >= 4 * self.chunks:
            return _brute_force(self.codes, queries, radius, offset)
        per_chunk = radius // self.chunks
        q_parts: list[np.ndarray] = []
        e_parts: list[np.ndarray] = []
        for shift, bits, order, starts in self._bucket_tables():
            keys = (queries >> np.uint64(shift)) & np.uint64((1 << bits) - 1)
            probes = (keys[:, None] ^ _flip_masks(bits, per_chunk)[None, :]).astype(np.int64)
            begin = starts[probes]
            counts = (starts[probes + 1] - begin).ravel()
            total = int(counts.sum())
            if total == 0:
                continue
            # Expand every [begin, begin + count) range into positions in `order`.
            first = np.repeat(begin.ravel() - np.cumsum(counts) + counts, counts)
            positions = first + np.arange(total, dtype=np.int64)
            e_parts.append(order[positions])
            q_parts.append(
                np.repeat(
                    np.arange(queries.size, dtype=np.int64),
                    counts.reshape(probes.shape).sum(axis=1),
                )
            )
        if not e_parts:
            return _empty()
        q = np.concatenate(q_parts)
        e = np.concatenate(e_parts)
        d = np.bitwise_count(self.codes[e] ^ queries[q])
        keep = d <= radius
        # A pair close on several chunks was found once per chunk: keep it once.
        pair = np.unique(q[keep] * self.codes.size + e[keep])
        q, e = pair // self.codes.size, pair % self.codes.size
        d = np.bitwise_count(self.codes[e] ^ queries[q]).astype(np.int64)
        return q + offset, e, d

    def _bucket_tables(self) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        if self._tables is None:
            self._tables = []
            widths = _chunk_widths(self.chunks)
            shift = 0
            for bits in widths:
                keys = ((self.codes >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(
                    np.int64
                )
                order = np.argsort(keys, kind="stable")
                counts = np.bincount(keys, minlength=1 << bits)
                starts = np.zeros((1 << bits) + 1, dtype=np.int64)
                np.cumsum(counts, out=starts[1:])
                self._tables.append((shift, bits, order, starts))
                shift += bits
        return self._tables


def _chunk_widths(chunks: int) -> list[int]:
    base, extra = divmod(64, chunks)
    return [base + (1 if i < extra else 0) for i in range(chunks)]


@cache
def _flip_masks(bits: int, radius: int) -> np.ndarray:
    """Every `bits`-bit mask with at most `radius` bits set."""
    masks = [0]
    for k in range(1, radius + 1):
        masks.extend(sum(1 << i for i in combo) for combo in combinations(range(bits), k))
    return np.array(masks, dtype=np.uint64)


def _brute_force(
    codes: np.ndarray, queries: np.ndarray, radius: int, offset: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if codes.size == 0 or queries.size == 0:
        return _empty()
    distances = np.bitwise_count(queries[:, None] ^ codes[None, :])
    q, e = np.nonzero(distances <= radius)
    return q.astype(np.int64) + offset, e.astype(np.int64), distances[q, e].astype(np.int64)


def brute_force(
    codes: np.ndarray, queries: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference answer: every pair compared."""
    codes = np.ascontiguousarray(codes, dtype=np.uint64)
    parts = [
        _brute_force(codes, np.ascontiguousarray(queries[s : s + 256], dtype=np.uint64), radius, s)
        for s in range(0, len(queries), 256)
    ]
    if not parts:
        return _empty()
    q, e, d = (np.concatenate(column) for column in zip(*parts, strict=True))
    return q, e, d


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nothing = np.zeros(0, dtype=np.int64)
    return nothing, nothing.copy(), nothing.copy()
