"""`riskradar brief --date D` (write the day's brief) and `riskradar deliver --date D` (send it).

Hooked into the CLI by `register(subparsers)` (riskradar.cli.COMMAND_MODULES).
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from riskradar.config import Settings


def _say(msg: str) -> None:
    print(msg, flush=True)


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.brief.render import write_brief

    out = write_brief(date.fromisoformat(args.date), settings)
    _say(json.dumps(out, indent=2, default=str))
    return 0


def cmd_deliver(args: argparse.Namespace, settings: Settings) -> int:
    from riskradar.brief.delivery import deliver_brief

    out = deliver_brief(date.fromisoformat(args.date), settings, force=args.force, raise_on_failure=False)
    _say(json.dumps(out, indent=2, default=str))
    return 1 if out["failed"] else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("brief", help="write the daily brief for a date")
    p.add_argument("--date", required=True)
    p.set_defaults(fn=cmd_brief)

    dp = subparsers.add_parser("deliver", help="send the written brief of a date to the configured webhook / email")
    dp.add_argument("--date", required=True)
    dp.add_argument("--force", action="store_true", help="resend even if this brief was already delivered")
    dp.set_defaults(fn=cmd_deliver)
