"""`riskradar score [FILE]`: the scorer from the command line.

It reads texts one per line (plain text, or JSON Lines with a `text` field and optionally `title`
and `language`) from FILE or standard input and writes one JSON object per input line, in order.
It calls `riskradar.score.items.score_texts`, the pipeline's own code path.
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
    """Add `score` to the `riskradar` CLI (called from riskradar.cli)."""
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
    from riskradar.score.items import score_texts

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
