"""`riskradar ingest` and `riskradar sources check`: the Airflow task's code, from a shell.

Hooked into the main CLI with `register(subparsers)`; each command is `fn(args, settings) -> int`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from riskradar import storage
from riskradar.config import Settings

SUMMARY_TOTALS = ("items_read", "items_landed", "items_duplicate", "items_quarantined")


def _adhoc_source(url: str, source_type: str, language: str | None) -> Any:
    from riskradar.ingest.sources import Source

    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    kind = "json_feed" if url.lower().split("?")[0].endswith(".json") else "rss"
    return Source(id=f"adhoc_{digest}", name=f"ad hoc {url}", kind=kind, type=source_type, url=url,
                  language=language)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Land items for one interval from configured sources, URLs or files; print a JSON summary."""
    from riskradar.ingest.many import ingest_many
    from riskradar.ingest.security import URLPolicy
    from riskradar.ingest.sources import SourceConfigError, load_sources, url_policy

    start, end = storage.as_utc(args.start), storage.as_utc(args.end)
    if end <= start:
        print(f"error: --end ({end.isoformat()}) must be after --start ({start.isoformat()})", file=sys.stderr)
        return 2
    try:
        configured = {s.id: s for s in load_sources(settings)}
        policy = url_policy(settings)
    except SourceConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    unknown = [sid for sid in args.source or [] if sid not in configured]
    if unknown:
        print(f"error: unknown source ids {', '.join(unknown)} (see `riskradar sources check`)", file=sys.stderr)
        return 2
    chosen = [configured[sid] for sid in args.source or []]
    chosen += [_adhoc_source(u, args.type, args.language) for u in args.url or []]
    for f in args.file or []:
        path = Path(f).expanduser().resolve()
        policy = policy.with_file_root(path.parent)  # naming a file on the command line allows it
        chosen.append(_adhoc_source(path.as_uri(), args.type, args.language))
    if args.allow_host:
        extra = URLPolicy.build(allow=args.allow_host, use_env=False)
        policy = URLPolicy(policy.file_roots, policy.allow_hosts | extra.allow_hosts,
                           policy.allow_networks + extra.allow_networks)
    if not chosen:
        chosen = [s for s in configured.values() if s.enabled]
    run_id = args.run_id or f"manual__{start.isoformat()}"  # deterministic: a rerun rewrites the same rows
    results = ingest_many(chosen, start, end, run_id, settings, max_workers=args.workers, policy=policy,
                          replay=args.replay)
    ok = [r for r in results if r.get("status") != "error"]
    report = {
        "interval_start": start.isoformat(), "interval_end": end.isoformat(), "run_id": run_id,
        "sources_ok": len(ok), "sources_failed": len(results) - len(ok),
        "totals": {k: sum(int(r.get(k) or 0) for r in results) for k in SUMMARY_TOTALS},
        "sources": results,
    }
    print(json.dumps(report, indent=2, default=str))
    return 0 if ok else 1


def _latest_health(settings: Settings, source_id: str) -> dict[str, Any] | None:
    from riskradar.ingest.state import previous_health

    return previous_health(settings, source_id, datetime(9999, 1, 1, tzinfo=UTC))


def _static_problems(src: Any, settings: Settings, policy: Any) -> list[str]:
    from riskradar.ingest.security import URLRefused
    from riskradar.ingest.sources import SourceConfigError

    problems: list[str] = []
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    url = src.render_url(now, now + timedelta(days=1), settings)
    try:
        if url.startswith("file:"):
            policy.check_file(url)
        else:
            policy.check_http(url)
    except URLRefused as exc:
        problems.append(str(exc))
    try:
        src.auth_headers()
    except SourceConfigError as exc:
        problems.append(str(exc))
    except ImportError:
        problems.append("auth uses an Airflow connection but Airflow is not importable here")
    return problems


def _probe(src: Any, settings: Settings, policy: Any) -> dict[str, Any]:
    """Fetch and parse today's URL without landing anything."""
    from riskradar.ingest.fetch import FetchError, fetch
    from riskradar.ingest.landing import fetch_options
    from riskradar.ingest.parse import parse_document
    from riskradar.ingest.security import URLRefused
    from riskradar.ingest.sources import SourceConfigError

    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    url = src.render_url(now, now + timedelta(days=1), settings)
    try:
        result = fetch(url, policy=policy, options=fetch_options(src))
        doc = parse_document(result.body, kind=src.kind, content_type=result.content_type,
                             items_path=src.items_path, fields=src.fields)
    except (FetchError, URLRefused, SourceConfigError, OSError) as exc:
        return {"probe": "error", "probe_error": str(exc)[:300]}
    return {"probe": "error" if doc.error else "ok", "probe_http_status": result.http_status,
            "probe_items": doc.items_read, "probe_latency_ms": round(result.latency_ms, 1),
            "probe_error": doc.error or ("; ".join(doc.notes + result.notes)[:300] or None)}


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    """Validate sources.yml; report each source's configuration problems and latest health."""
    from concurrent.futures import ThreadPoolExecutor

    from riskradar.ingest.sources import SourceConfigError, ingest_cron, load_sources, url_policy

    path = settings.config_dir / "sources.yml"
    try:
        sources = load_sources(settings)
        policy = url_policy(settings)
        cron = ingest_cron(settings)
    except (SourceConfigError, OSError, ValueError) as exc:
        print(f"{path}: INVALID: {exc}", file=sys.stderr)
        return 2
    report: list[dict[str, Any]] = []
    for src in sources:
        h = _latest_health(settings, src.id) or {}
        report.append({
            "source_id": src.id, "enabled": src.enabled, "kind": src.kind, "type": src.type,
            "url": src.url or src.url_template, "problems": _static_problems(src, settings, policy),
            "last_interval_start": h.get("interval_start"), "last_status": h.get("status"),
            "last_http_status": h.get("http_status"), "last_items_landed": h.get("items_landed"),
            "consecutive_failures": h.get("consecutive_failures"), "last_success_at": h.get("last_success_at"),
            "last_error": (h.get("error") or None) and str(h.get("error"))[:200],
        })
    if args.probe:
        enabled = [(r, s) for r, s in zip(report, sources, strict=True) if s.enabled]
        with ThreadPoolExecutor(max_workers=8) as pool:
            for (row, _), probe in zip(enabled, pool.map(lambda p: _probe(p[1], settings, policy), enabled),
                                       strict=True):
                row.update(probe)
    bad = [r for r in report if r["enabled"] and (r["problems"] or r.get("probe") == "error")]
    if args.json:
        print(json.dumps({"file": str(path), "valid": True, "ingest_cron": cron, "sources": report},
                         indent=2, default=str))
    else:
        print(f"{len(sources)} sources in {path} (file valid; {sum(s.enabled for s in sources)} enabled; "
              f"media_ingest polls on cron {cron!r})")
        for r in report:
            last = r["last_status"] or "never run"
            if r["last_interval_start"]:
                last += f" @ {storage.as_utc(r['last_interval_start']):%Y-%m-%d %H:%M}"
            if r["consecutive_failures"]:
                last += f", {r['consecutive_failures']} failures in a row"
            if r.get("probe"):
                last += f" | probe {r['probe']} {r.get('probe_http_status') or ''} {r.get('probe_items', '')} items"
            print(f"  {'on ' if r['enabled'] else 'off'} {r['source_id']:<20} {r['kind']:<9} {r['type']:<12} {last}")
            for problem in r["problems"]:
                print(f"      ! {problem}")
            if r.get("probe") == "error" or (r["last_status"] == "error" and r["last_error"]):
                print(f"      ! {r.get('probe_error') or r['last_error']}")
    return 1 if bad else 0


def register(subparsers: argparse._SubParsersAction, *, include_sources: bool = True) -> None:
    """Add `ingest` (and `sources`) to the riskradar CLI."""
    p = subparsers.add_parser("ingest", help="land items for one interval and print a JSON summary",
                              description="Fetch, parse, deduplicate and land items for [start, end). "
                                          "Without --source/--url/--file every enabled source is ingested. "
                                          "Exit 0 if at least one source succeeded.")
    p.add_argument("--source", action="append", metavar="ID", help="configured source id (repeatable)")
    p.add_argument("--url", action="append", metavar="URL", help="ad hoc feed URL (repeatable)")
    p.add_argument("--file", action="append", metavar="PATH", help="ad hoc local feed file (repeatable)")
    p.add_argument("--start", required=True, help="interval start, ISO 8601 (UTC if no offset)")
    p.add_argument("--end", required=True, help="interval end, ISO 8601")
    p.add_argument("--run-id", default=None, help="default manual__<start>: reruns rewrite identical rows")
    p.add_argument("--type", default="news", help="source type for --url/--file (default news)")
    p.add_argument("--language", default=None, help="default language for --url/--file items")
    p.add_argument("--workers", type=int, default=8, help="concurrent fetches (default 8)")
    p.add_argument("--allow-host", action="append", metavar="HOST|CIDR",
                   help="allow a private/loopback host for this run (SSRF guard)")
    p.add_argument("--replay", action="store_true", help="re-parse the archived raw payloads, no fetch")
    p.set_defaults(fn=cmd_ingest)
    if include_sources:
        p = subparsers.add_parser("sources", help="validate config/sources.yml and report each source's health")
        p.add_argument("action", nargs="?", default="check", choices=["check"])
        p.add_argument("--probe", action="store_true", help="also fetch and parse each enabled source now")
        p.add_argument("--json", action="store_true")
        p.set_defaults(fn=cmd_sources)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (python -m riskradar.ingest.commands ...) until the main CLI hooks this in."""
    parser = argparse.ArgumentParser(prog="riskradar")
    register(parser.add_subparsers(dest="cmd", required=True))
    args = parser.parse_args(argv)
    from riskradar.config import get_settings

    return int(args.fn(args, get_settings()) or 0)


if __name__ == "__main__":
    sys.exit(main())
