"""`riskradar nlp-eval`: the evaluation tables of the scorer (hand-labelled set, sample-corpus truth,
and with --real the shared human-labelled sets beside plain NLTK VADER, plus the language gate; with
--languages the risk-topic precision and recall per language)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from riskradar.config import Settings


def register(subparsers: Any) -> None:
    """Add `nlp-eval` to the `riskradar` CLI (called from riskradar.cli)."""
    p = subparsers.add_parser("nlp-eval", help="sentiment and taxonomy accuracy on labelled data")
    p.add_argument("--labelled", default=None, help="labelled TSV (default tests/data/labelled_items.tsv)")
    p.add_argument("--sample-days", type=int, default=30,
                   help="days of the synthetic corpus to evaluate against its truth (0 skips it)")
    p.add_argument("--real", action="store_true",
                   help="plain NLTK VADER beside RiskRadar on the real human-labelled sets in ../shared/data/eval "
                        "(RISKRADAR_EVAL_DIR) and the multi-sentence documents built from them, plus the language gate")
    p.add_argument("--languages", action="store_true",
                   help="risk-topic precision and recall per language on tests/data/multilingual_topics.tsv "
                        "(and English on the labelled set)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(fn=cmd_nlp_eval)


def cmd_nlp_eval(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.nlp.evaluate import evaluate_labelled, evaluate_sample, format_report

    os.environ.setdefault("NLTK_DATA", str(settings.nltk_data_dir))
    if args.languages:
        from riskradar.nlp.topic_eval import evaluate_languages, format_languages

        report = evaluate_languages(settings)
        print(json.dumps(report, indent=2) if args.json else format_languages(report))
        return 0
    if args.real:
        from riskradar.nlp.realeval import evaluate_language, evaluate_real, format_language, format_real

        try:
            real, gate = evaluate_real(settings), evaluate_language(settings)
        except FileNotFoundError as exc:
            print(f"riskradar nlp-eval --real: {exc}", file=sys.stderr)
            return 2
        print(json.dumps({"sentiment": real, "language": gate}, indent=2) if args.json
              else format_real(real) + "\n" + format_language(gate))
        return 0
    reports = [evaluate_labelled(settings, Path(args.labelled) if args.labelled else None)]
    if args.sample_days > 0:
        reports.append(evaluate_sample(settings, days=args.sample_days))
    if args.json:
        print(json.dumps(reports, indent=2, default=str))
    else:
        print("\n".join(format_report(r) for r in reports))
    return 0
