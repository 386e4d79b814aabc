"""Near-duplicate search for story clustering: which distinct titles may be copies of each other.

Blocking by rare-word pairs. Words are ranked by document frequency (rarest first, ties by the
word itself) and every title emits one key per pair of its `rarest` rarest words (a title of one
or two words also emits each word alone). Two titles that share at least two words and differ by
at most `rarest - 2` words each way always share a key: the pair of the two rarest words they have
in common (in either title, only the other shared word and the differing words can rank before
it). So a copy-desk edit of a word or two (a label, "says" -> "said", a clause cut) keeps a copy
in its original's block, while titles that share only common words ("scam", "ads") meet in none.
Within a block each title is paired with the `window` titles before it (first-seen order), so a
key that very many titles share costs linear time, not quadratic.

Candidates are then checked in bulk with sparse row products (IDF-weighted Jaccard of the title
words, the entity rule, Jaccard of the summaries' first sentences), in chunks split across worker
processes when there are many. Every pair's result depends on that pair alone (row sums in word
order), so the outcome does not depend on the number of workers or the chunking.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

RAREST_WORDS = 5  # keys per title: pairs of its 5 rarest words (10 keys); tolerates 3 changed words
WINDOW = 64  # each title meets at most this many earlier titles per key
CHUNK = 250_000  # pairs per bulk check (bounds the temporary sparse matrices to ~100 MB)
PARALLEL_MIN = 400_000  # below this many pairs one process is faster than starting workers


def default_workers() -> int:
    """RISKRADAR_STORY_WORKERS, else one per core."""
    return max(1, int(os.environ.get("RISKRADAR_STORY_WORKERS") or os.cpu_count() or 1))


def incidence(rows: Sequence[Sequence[int]], width: int, weights: np.ndarray | None = None) -> sp.csr_matrix:
    """Sparse 0/1 (or weighted) row-by-word matrix with sorted column indices."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((w for r in rows for w in sorted(r)), dtype=np.int64, count=int(indptr[-1]))
    data = weights[indices] if weights is not None else np.ones(len(indices))
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def candidate_pairs(ranked: Sequence[Sequence[int]], rarest: int = RAREST_WORDS,
                    window: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) with a < b: the title pairs that share a rare-word-pair key, each pair once.

    `ranked[t]` holds title t's word ranks (0 = rarest word of the corpus); titles are numbered
    in first-seen order."""
    n_words = 1 + max((max(r) for r in ranked if r), default=0)
    keys: list[int] = []
    owners: list[int] = []
    single = n_words * n_words  # key space of single words, after every pair key
    for t, words in enumerate(ranked):
        top = sorted(words)[:rarest]
        if len(top) <= 2:
            keys.extend(single + w for w in top)
            owners.extend([t] * len(top))
        keys.extend(top[i] * n_words + top[j] for i in range(len(top)) for j in range(i + 1, len(top)))
        owners.extend([t] * (len(top) * (len(top) - 1) // 2))
    key, owner = np.asarray(keys, dtype=np.int64), np.asarray(owners, dtype=np.int64)
    order = np.lexsort((owner, key))
    key, owner = key[order], owner[order]
    found_a, found_b = [], []
    for d in range(1, window + 1):
        same = key[d:] == key[:-d]
        if not same.any():
            break
        found_a.append(owner[:-d][same])
        found_b.append(owner[d:][same])
    if not found_a:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    code = np.unique(a * len(ranked) + b)  # a < b: owners are sorted within a key
    return code // len(ranked), code % len(ranked)


def row_overlap(left: sp.csr_matrix, right: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum over columns of left[a[k]] * right[b[k]], for every k."""
    return np.asarray(left[a].multiply(right[b]).sum(axis=1)).ravel()


# ---- bulk checks, optionally in worker processes ------------------------------------------------

_SHARED: dict[str, Any] = {}  # what a check reads; forked workers inherit it


def _run_chunk(job: tuple[str, int, int]) -> np.ndarray:
    name, lo, hi = job
    return _SHARED[name](lo, hi)


def bulk(name: str, check: Callable[[int, int], np.ndarray], total: int, workers: int) -> np.ndarray:
    """check(lo, hi) over [0, total) in chunks, in `workers` forked processes when it pays."""
    bounds = [(lo, min(lo + CHUNK, total)) for lo in range(0, total, CHUNK)]
    if workers <= 1 or total < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        parts = [check(lo, hi) for lo, hi in bounds]
    else:
        _SHARED[name] = check
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(bounds))) as pool:
                parts = pool.map(_run_chunk, [(name, lo, hi) for lo, hi in bounds], chunksize=1)
        finally:
            _SHARED.pop(name, None)
    return np.concatenate(parts) if parts else np.empty(0, dtype=bool)


def jaccard(weights: sp.csr_matrix, present: sp.csr_matrix, size: np.ndarray, x: np.ndarray,
            y: np.ndarray) -> np.ndarray:
    """Weighted Jaccard of row pairs (x[i], y[i]): shared weight over the union (size = a row's total
    weight); 0 for two empty rows."""
    inter = row_overlap(weights, present, x, y)
    union = size[x] + size[y] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def title_matches(a: np.ndarray, b: np.ndarray, words: sp.csr_matrix, weighted: sp.csr_matrix,
                  entities: sp.csr_matrix, threshold: float, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """(passes, similarity) of title pairs: IDF-weighted Jaccard >= threshold, and not each naming
    something the other does not."""
    total = np.asarray(weighted.sum(axis=1)).ravel()
    n_entities = np.diff(entities.indptr)

    def check(lo: int, hi: int) -> np.ndarray:
        x, y = a[lo:hi], b[lo:hi]
        sim = jaccard(weighted, words, total, x, y)
        shared = row_overlap(entities, entities, x, y)
        apart = (shared < n_entities[x]) & (shared < n_entities[y])
        return np.column_stack([sim, (sim >= threshold) & ~apart])

    if len(a) == 0:
        return np.empty(0, dtype=bool), np.empty(0)
    out = bulk("titles", check, len(a), workers)
    return out[:, 1].astype(bool), out[:, 0]


def lead_matches(x: np.ndarray, y: np.ndarray, leads: sp.csr_matrix, threshold: float,
                 workers: int) -> np.ndarray:
    """Summaries' first sentences agree: plain Jaccard >= threshold, or either is empty."""
    if len(x) == 0:
        return np.empty(0, dtype=bool)
    size = np.diff(leads.indptr)

    def check(lo: int, hi: int) -> np.ndarray:
        xs, ys = x[lo:hi], y[lo:hi]
        jac = jaccard(leads, leads, size, xs, ys)
        return (size[xs] == 0) | (size[ys] == 0) | (jac >= threshold)

    return bulk("leads", check, len(x), workers)
