"""Ingest several sources for one interval: threads for the network, processes for the CPU.

Fetching is waiting, so each process runs a bounded pool of threads (wall time follows the slowest
source). Parsing and normalising are CPU work under one GIL, so when the interval's payloads are
large (`RISKRADAR_INGEST_PROCESS_BYTES`, default 8 MiB, against the bytes each source returned
last time, from its previous source_health record) the sources are split into one group per
core (`RISKRADAR_INGEST_PROCESSES`, default the usable cores) and each group is ingested in its
own worker process (spawned: ingest needs none of the NLP models scoring's fork server preloads). Each source is still ingested by
`ingest_source` exactly as alone, so the landed rows do not depend on the grouping.

The Airflow DAG does not need this: it maps each source to its own task process.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from riskradar import storage
from riskradar.config import Settings
from riskradar.ingest import state
from riskradar.ingest.landing import SourceIngestError, _summary, health_record, ingest_source
from riskradar.ingest.security import URLPolicy
from riskradar.ingest.sources import Source, url_policy

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 8
DEFAULT_PROCESS_BYTES = 8 * 1024 * 1024


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def expected_bytes(settings: Settings, source: Source, interval_start: datetime) -> int:
    """What the source returned at its previous fetch (0 when it has none)."""
    prev = state.previous_health(settings, source.id, storage.as_utc(interval_start)) or {}
    return int(prev.get("response_bytes") or 0)


def process_groups(sources: list[Source], sizes: list[int], processes: int) -> list[list[int]]:
    """Indexes of `sources` in at most `processes` groups of about equal bytes (largest first onto
    the lightest group); one group when there is a single source or process."""
    n = max(1, min(processes, len(sources)))
    groups: list[list[int]] = [[] for _ in range(n)]
    loads = [0] * n
    for i in sorted(range(len(sources)), key=lambda i: (-sizes[i], i)):
        lightest = loads.index(min(loads))
        groups[lightest].append(i)
        loads[lightest] += sizes[i]
    return [sorted(g) for g in groups if g]


def _one(src: Source, interval_start, interval_end, run_id: str, settings: Settings,
         policy: URLPolicy, replay: bool) -> dict[str, Any]:
    try:
        return ingest_source(src.id, interval_start, interval_end, run_id, settings, source=src,
                             policy=policy, replay=replay)
    except SourceIngestError as exc:
        health = health_record(settings, src.id, interval_start) or {}
        out = _summary({**health, "source_id": src.id, "status": "error"}, [])
        out["error"] = str(exc)[:1000]
        return out
    except Exception as exc:  # a bug must not hide the other sources' results
        log.exception("source %s crashed", src.id)
        return {"source_id": src.id, "status": "error", "error": f"{type(exc).__name__}: {exc}"[:1000]}


def _threads(sources: list[Source], interval_start, interval_end, run_id: str, settings: Settings,
             policy: URLPolicy, replay: bool, max_workers: int) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(sources) or 1)),
                            thread_name_prefix="ingest") as pool:
        return list(pool.map(lambda src: _one(src, interval_start, interval_end, run_id, settings, policy,
                                              replay), sources))


def ingest_many(sources: list[Source], interval_start: datetime | str, interval_end: datetime | str,
                run_id: str, settings: Settings, *, max_workers: int = DEFAULT_WORKERS,
                policy: URLPolicy | None = None, replay: bool = False,
                processes: int | None = None) -> list[dict[str, Any]]:
    """Ingest several sources concurrently; summaries in the order of `sources`.

    One source failing never stops the others; its summary carries status "error". `processes`
    (default RISKRADAR_INGEST_PROCESSES, else the usable cores) is used only when the sources'
    expected payloads reach RISKRADAR_INGEST_PROCESS_BYTES in total.
    """
    pol = policy or url_policy(settings)
    start, end = storage.as_utc(interval_start), storage.as_utc(interval_end)
    if processes is None:
        processes = _int_env("RISKRADAR_INGEST_PROCESSES", len(os.sched_getaffinity(0)))
    threshold = _int_env("RISKRADAR_INGEST_PROCESS_BYTES", DEFAULT_PROCESS_BYTES)
    sizes = [expected_bytes(settings, src, start) for src in sources] if processes > 1 else []
    groups = process_groups(sources, sizes, processes) if sizes and sum(sizes) >= threshold else []
    if len(groups) < 2:
        return _threads(sources, start, end, run_id, settings, pol, replay, max_workers)
    import multiprocessing

    log.info("ingesting %d sources in %d processes (%s bytes expected)", len(sources), len(groups), f"{sum(sizes):,}")
    per_process = max(1, max_workers // len(groups))
    results: list[dict[str, Any] | None] = [None] * len(sources)
    with ProcessPoolExecutor(max_workers=len(groups), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [(group, pool.submit(_threads, [sources[i] for i in group], start, end, run_id, settings, pol,
                                       replay, per_process)) for group in groups]
        for group, future in futures:
            for i, summary in zip(group, future.result(), strict=True):
                results[i] = summary
    return [r for r in results if r is not None]
