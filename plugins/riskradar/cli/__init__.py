"""`riskradar` command line: each stage registers its own subcommands; this module assembles them.

    riskradar.cli.project      setup, sample, demo, run, airflow-ui
    riskradar.ingest.commands  ingest, sources
    riskradar.score.commands   score
    riskradar.nlp.commands     nlp-eval
    riskradar.marts.commands   docs, pg-load
    riskradar.brief.commands   brief, deliver
    riskradar.alerts.commands  alerts, top-risks, evaluate
"""

from __future__ import annotations

import argparse
import importlib
import sys

from riskradar.config import get_settings

# Modules that add their own subcommands with `register(subparsers)`; each sets `fn(args, settings)`.
COMMAND_MODULES: tuple[str, ...] = (
    "riskradar.cli.project", "riskradar.ingest.commands", "riskradar.score.commands", "riskradar.nlp.commands",
    "riskradar.marts.commands", "riskradar.brief.commands", "riskradar.alerts.commands",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="riskradar", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    args = parser.parse_args(argv)
    settings = get_settings()
    from riskradar.airflow_runner import apply_airflow_env

    apply_airflow_env(settings)
    return int(args.fn(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
