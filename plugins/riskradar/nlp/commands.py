"""`riskradar score` and `riskradar nlp-eval`: the scorer and its evaluation from the command line.

`riskradar score [FILE]` reads texts one per line (plain text, or JSON Lines with a `text` field and
optionally `title` and `language`) from FILE or standard input and writes one JSON object per input
line, in order. It calls `riskradar.score.score_texts` / `score_item`, the pipeline's own code path.

`riskradar nlp-eval` prints the evaluation tables (hand-labelled set and sample-corpus truth).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from riskradar.config import Settings


def register(subparsers: Any) -> None:
    """Add the NLP subcommands to the `riskradar` CLI (called from riskradar.cli)."""
    p = subparsers.add_parser(
        "score", help="score texts (one per line, or JSON Lines with a `text` field) to JSON Lines",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default="-", help="input file; '-' or nothing reads standard input")
    p.add_argument("--text", action="append", default=None,
                   help="score this text instead of reading input (repeatable)")
    p.add_argument("--language", default="en",
                   help="language the input declares, kept for texts too short to detect (default: en; "
                        "'none' to detect every text)")
    p.add_argument("--workers", type=int, default=1, help="processes to score with (default 1)")
    p.set_defaults(fn=cmd_score)

    p = subparsers.add_parser("nlp-eval", help="sentiment and taxonomy accuracy on labelled data")
    p.add_argument("--labelled", default=None, help="labelled TSV (default tests/data/labelled_items.tsv)")
    p.add_argument("--sample-days", type=int, default=30,
                   help="days of the synthetic corpus to evaluate against its truth (0 skips it)")
    p.add_argument("--real", action="store_true",
                   help="plain NLTK VADER beside RiskRadar on the real human-labelled sets in ../shared/data/eval "
                        "(RISKRADAR_EVAL_DIR) and the multi-sentence documents built from them, plus the language gate")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(fn=cmd_nlp_eval)


def read_inputs(stream: IO[str]) -> Iterator[tuple[str, str | None]]:
    """(text, declared language or None) per input line; a JSON object line gives `title`+`text`."""
    for line in stream:
        line = line.rstrip("\r\n")
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict):
                title, text = str(obj.get("title") or "").strip(), str(obj.get("text") or "").strip()
                sep = " " if title[-1:] in (".", "!", "?") else ". "
                joined = f"{title}{sep}{text}" if title and text else title or text
                yield joined, obj.get("language")
                continue
        yield line, None


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.score import score_texts

    os.environ.setdefault("NLTK_DATA", str(settings.nltk_data_dir))
    default = None if str(args.language).lower() in ("", "none", "auto") else args.language
    if args.text is not None:
        inputs: list[tuple[str, str | None]] = [(t, None) for t in args.text]
    elif args.file == "-":
        inputs = list(read_inputs(sys.stdin))
    else:
        path = Path(args.file)
        if not path.is_file():
            print(f"riskradar score: no such file: {path}", file=sys.stderr)
            return 2
        with path.open(encoding="utf-8") as fh:
            inputs = list(read_inputs(fh))
    out = sys.stdout
    # texts that declare their own language are scored with it; the rest with --language
    groups: dict[str | None, list[int]] = {}
    for i, (_, lang) in enumerate(inputs):
        groups.setdefault(lang or default, []).append(i)
    rows: list[dict[str, Any] | None] = [None] * len(inputs)
    for lang, idx in groups.items():
        scored = score_texts([inputs[i][0] for i in idx], settings, declared_language=lang, workers=args.workers)
        for i, row in zip(idx, scored, strict=True):
            rows[i] = row
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def cmd_nlp_eval(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.nlp.evaluate import evaluate_labelled, evaluate_sample, format_report

    os.environ.setdefault("NLTK_DATA", str(settings.nltk_data_dir))
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
